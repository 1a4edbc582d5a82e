"""Forms of the case workflow. Labels and messages in Dutch; the services check the rules and the
views put a service's ValidationError on the field it names."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvv.accounts.models import Organisation
from lvv.registry.countries import country_choices
from lvv.registry.forms import _field
from lvv.registry.models import LVV, Location
from lvv.registry.taxonomy import FollowUp, OutflowType, Scenario
from lvv.workflow.models import (
    Activity,
    AdmissionCheck,
    Decision,
    Document,
    Escalation,
    IdentityInvestigation,
    MedicalIntake,
    Meeting,
)
from lvv.workflow.models.admission import Criterion, condition_label
from lvv.workflow.models.escalation import POSITION_PARTIES
from lvv.workflow.models.intake import SECTION_FIELDS

YES_NO = [("", "—"), ("ja", _("Ja")), ("nee", _("Nee"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label, required=True, **kw) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        error_messages={
            "invalid": _("Geef een geldige datum (dd-mm-jjjj)."),
            "required": _("Vul een datum in."),
        },
        **kw,
    )


class Form(forms.Form):
    """Labels without a trailing colon, as on the register's own forms."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _yes_no(value: str) -> bool | None:
    return {"ja": True, "nee": False}.get(value)


class RegistrationForm(Form):
    lvv: forms.ModelChoiceField[LVV] = forms.ModelChoiceField(
        label=_("LVV"), queryset=None, empty_label=None
    )
    channel = forms.ChoiceField(
        label=_("Binnengekomen via"),
        choices=AdmissionCheck.Channel.choices,
        widget=forms.RadioSelect,
    )
    referred_by = forms.ModelChoiceField(
        label=_("Verwezen door"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Alleen bij een verwijzing: de LSO-partij die verwees."),
    )
    registration_date = date_field(_("Datum aanmelding"))
    given_names = forms.CharField(label=_("Voornamen"), max_length=200)
    family_name = forms.CharField(label=_("Achternaam"), max_length=200)
    alias = forms.CharField(
        label=_("Andere naam (alias)"),
        max_length=200,
        required=False,
        help_text=_("Een naam waaronder de persoon ook bekend is: 'voornaam achternaam'."),
    )
    birth_year = forms.IntegerField(
        label=_("Geboortejaar"),
        required=False,
        min_value=1900,
        error_messages={"min_value": _("Geef een geboortejaar vanaf 1900.")},
    )
    country = forms.ChoiceField(label=_("Land van herkomst"), required=False)
    v_number = forms.CharField(
        label=_("V-nummer"), max_length=10, required=False, help_text=_("10 cijfers, als bekend.")
    )
    organisation = forms.ModelChoiceField(
        label=_("Begeleidende organisatie"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args, lvvs, **kwargs):
        super().__init__(*args, **kwargs)
        _field(self, "lvv", forms.ModelChoiceField).queryset = lvvs
        orgs = Organisation.objects.filter(lvvs__in=lvvs).distinct().order_by("name")
        _field(self, "referred_by", forms.ModelChoiceField).queryset = orgs
        _field(self, "organisation", forms.ModelChoiceField).queryset = orgs.filter(
            kind=Organisation.Kind.NGO
        )
        _field(self, "country", forms.ChoiceField).choices = [
            ("", _("Onbekend")),
            *country_choices(),
        ]

    def clean_v_number(self):
        value = self.cleaned_data["v_number"].strip()
        if value and not (len(value) == 10 and value.isdigit()):
            raise ValidationError(_("Een V-nummer bestaat uit precies 10 cijfers."))
        return value

    def clean_birth_year(self):
        value = self.cleaned_data["birth_year"]
        if value and value > timezone.localdate().year:
            raise ValidationError(_("Het geboortejaar ligt in de toekomst."))
        return value

    def aliases(self) -> list[tuple[str, str]]:
        alias = self.cleaned_data.get("alias", "").strip()
        if not alias:
            return []
        parts = alias.rsplit(" ", 1)
        return [(parts[0], parts[1])] if len(parts) == 2 else [("", parts[0])]


class AdmissionCheckForm(Form):
    """One yes/no + source per criterion, one yes/no + note per local condition of the LVV."""

    exception_reason = forms.CharField(
        label=_("Reden voor een uitzondering"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Alleen als de persoon niet aan de criteria voldoet en toch wordt toegelaten."),
    )
    exception_decider = forms.ChoiceField(
        label=_("Uitzondering besloten door"),
        required=False,
        choices=[("", "—"), ("lso", _("LSO")), ("mayor", _("Burgemeester"))],
    )
    exception_decided_by = forms.CharField(
        label=_("Naam of overleg van de beslisser"), max_length=200, required=False
    )

    def __init__(self, *args, policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.criterion_names = []
        for code, label in Criterion.choices:
            self.fields[f"criterion_{code}"] = forms.ChoiceField(
                label=label, choices=YES_NO, required=False
            )
            self.fields[f"source_{code}"] = forms.CharField(
                label=_("Bron"),
                max_length=200,
                required=False,
                help_text=_("Bijv. IND-gegevens, paspoort, verklaring."),
            )
            self.criterion_names.append((f"criterion_{code}", f"source_{code}"))
        self.condition_names = []
        for code in policy.admission_conditions:
            self.fields[f"condition_{code}"] = forms.ChoiceField(
                label=condition_label(code), choices=YES_NO, required=False
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("Toelichting"), max_length=300, required=False
            )
            self.condition_names.append((f"condition_{code}", f"note_{code}"))

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "criteria": {
                c: (_yes_no(d[f"criterion_{c}"]), d[f"source_{c}"]) for c in Criterion.values
            },
            "conditions": {
                c: (_yes_no(d[f"condition_{c}"]), d[f"note_{c}"])
                for c in self.policy.admission_conditions
            },
            "exception_reason": d["exception_reason"],
            "exception_decider": d["exception_decider"],
            "exception_decided_by": d["exception_decided_by"],
        }


class AdmissionVerdictForm(Form):
    """One party's verdict on admission, where the LVV's policy asks every party to agree."""

    agrees = forms.ChoiceField(
        label=_("Akkoord met toelating"),
        widget=forms.RadioSelect,
        choices=[("ja", _("Akkoord")), ("nee", _("Niet akkoord"))],
    )
    note = forms.CharField(
        label=_("Toelichting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Verplicht als uw organisatie niet akkoord is."),
    )


class LinkPreviousForm(Form):
    """The receiving LVV links a new registration to the person's stay in another LVV."""

    previous_stay = forms.ChoiceField(label=_("Vorig verblijf"))

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for src in sources:
            when = (
                _("loopt nog")
                if src["open"]
                else _("uitgestroomd {d}").format(d=src["outflow_date"].strftime("%d-%m-%Y"))
            )
            choices.append(
                (str(src["stay_id"]), f"{src['lvv']} ({when}; contact: {src['contact']})")
            )
        _field(self, "previous_stay", forms.ChoiceField).choices = choices


class UnlinkPreviousForm(Form):
    """Undo the link to a previous stay (ADR 0106): why, for the history. The hidden version
    makes a second editor of the same case get a conflict instead of undoing a link they never
    saw."""

    reason = forms.CharField(
        label=_("Reden"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Bijvoorbeeld: verkeerd verblijf gekoppeld, of de personen bleken toch verschillend."
        ),
        error_messages={"required": _("Geef aan waarom de koppeling wordt losgemaakt.")},
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class AdmissionDecisionForm(Form):
    decision = forms.ChoiceField(
        label=_("Besluit"),
        widget=forms.RadioSelect,
        choices=[
            ("admit", _("Toelaten (of op de wachtlijst als de LVV vol is)")),
            ("refuse", _("Niet toelaten")),
        ],
    )
    on = date_field(_("Datum"))
    reason = forms.CharField(
        label=_("Reden (bij niet toelaten)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    location = forms.ModelChoiceField(
        label=_("Locatie"), queryset=Location.objects.none(), required=False
    )

    def __init__(self, *args, lvv, **kwargs):
        super().__init__(*args, **kwargs)
        _field(self, "location", forms.ModelChoiceField).queryset = Location.objects.filter(
            lvv=lvv, active=True
        )


class IntakeFormForm(Form):
    """The intake form the participant signed, where it is the formal moment of admission
    (`Policy.admission_by_signed_intake_form`). The hidden version makes a second editor of the
    same case get a conflict instead of admitting twice."""

    signed_on = date_field(
        _("Datum van ondertekening"),
        help_text=_("Dit wordt de datum van toelating."),
    )
    upload = forms.FileField(label=_("Ondertekend intakeformulier (PDF, JPEG of PNG)"))
    location = forms.ModelChoiceField(
        label=_("Locatie"), queryset=Location.objects.none(), required=False
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, lvv, **kwargs):
        super().__init__(*args, **kwargs)
        _field(self, "location", forms.ModelChoiceField).queryset = Location.objects.filter(
            lvv=lvv, active=True
        )


class LocationForm(Form):
    location = forms.ModelChoiceField(label=_("Locatie"), queryset=Location.objects.none())
    on = date_field(_("Met ingang van"))

    def __init__(self, *args, lvv, **kwargs):
        super().__init__(*args, **kwargs)
        _field(self, "location", forms.ModelChoiceField).queryset = Location.objects.filter(
            lvv=lvv, active=True
        )


class IdentityForm(Form):
    result = forms.ChoiceField(label=_("Uitkomst"), choices=IdentityInvestigation.Result.choices)
    concluded_on = date_field(_("Datum"))
    note = forms.CharField(
        label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MedicalForm(Form):
    held_on = date_field(_("Datum intake"))
    shelter_advice = forms.ChoiceField(
        label=_("Advies soort opvang"), choices=MedicalIntake.ShelterAdvice.choices
    )
    note = forms.CharField(
        label=_("Medische notitie"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Versleuteld opgeslagen; alleen zichtbaar voor wie medische gegevens mag zien."
        ),
    )


class LegalCheckOpenForm(Form):
    on = date_field(_("Startdatum"))


class LegalSectionForm(Form):
    def __init__(self, *args, party, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in SECTION_FIELDS[party]:
            self.fields[name] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 3})
            )


class DecisionForm(Form):
    kind = forms.ChoiceField(
        label=_("Soort besluit"),
        choices=[
            (Decision.Kind.SCENARIO, Decision.Kind.SCENARIO.label),
            (Decision.Kind.NOTE, Decision.Kind.NOTE.label),
        ],
    )
    scenario = forms.ChoiceField(
        label=_("Scenario"), choices=[("", "—"), *Scenario.choices], required=False
    )
    meeting = forms.ModelChoiceField(
        label=_("In overleg"), queryset=Meeting.objects.none(), required=False
    )
    decider = forms.CharField(
        label=_("Of: besloten door"),
        max_length=200,
        required=False,
        help_text=_(
            "Als het besluit niet in een overleg viel, bv. 'maatschappelijke organisatie'."
        ),
    )
    decided_on = date_field(_("Datum"))
    text = forms.CharField(
        label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, lvv, **kwargs):
        super().__init__(*args, **kwargs)
        _field(self, "meeting", forms.ModelChoiceField).queryset = Meeting.objects.filter(
            lvv=lvv
        ).order_by("-held_on")

    def record(self, *, stay, by, expected_version: int | None = None):
        """Record the decision the valid form holds (`services.decision_record`), for the case
        page and the API alike."""
        from lvv.workflow import services

        d = self.cleaned_data
        return services.decision_record(
            stay=stay,
            by=by,
            kind=d["kind"],
            decided_on=d["decided_on"],
            meeting=d["meeting"],
            decider=d["decider"],
            scenario=d["scenario"],
            text=d["text"],
            expected_version=expected_version,
        )


class ActionForm(Form):
    description = forms.CharField(label=_("Actie"), max_length=300)
    responsible_organisation = forms.ModelChoiceField(
        label=_("Wie"), queryset=Organisation.objects.none()
    )
    due_on = date_field(_("Deadline"))
    reason = forms.CharField(
        label=_("Reden"),
        required=False,
        help_text=_("Verplicht als de deadline in het verleden ligt."),
    )
    meeting = forms.ModelChoiceField(
        label=_("Afgesproken in"), queryset=Meeting.objects.none(), required=False
    )

    def __init__(self, *args, lvv, **kwargs):
        super().__init__(*args, **kwargs)
        _field(
            self, "responsible_organisation", forms.ModelChoiceField
        ).queryset = Organisation.objects.filter(lvvs=lvv).order_by("name")
        _field(self, "meeting", forms.ModelChoiceField).queryset = Meeting.objects.filter(
            lvv=lvv
        ).order_by("-held_on")


class DeadlineForm(Form):
    new_due_on = date_field(_("Nieuwe deadline"))
    reason = forms.CharField(label=_("Reden"), max_length=300, required=False)


class ExtensionForm(Form):
    reason = forms.ChoiceField(label=_("Reden"), choices=[])
    durable_prospect = forms.BooleanField(
        label=_("Het LSO verwacht een bestendige oplossing"), required=False
    )
    meeting = forms.ModelChoiceField(
        label=_("Besloten in"), queryset=Meeting.objects.none(), required=False
    )
    decider = forms.CharField(label=_("Of: besloten door"), max_length=200, required=False)
    on = date_field(_("Datum besluit"))

    def __init__(self, *args, lvv, policy, **kwargs):
        from lvv.workflow.services import EXTENSION_REASON_LABELS

        super().__init__(*args, **kwargs)
        _field(self, "reason", forms.ChoiceField).choices = [
            (r, EXTENSION_REASON_LABELS.get(r, r)) for r in policy.extension_reasons
        ] or [("", _("Verlengen is in deze LVV niet mogelijk"))]
        _field(self, "meeting", forms.ModelChoiceField).queryset = Meeting.objects.filter(
            lvv=lvv
        ).order_by("-held_on")


class EscalationForm(Form):
    level = forms.ChoiceField(label=_("Opschalen naar"), choices=Escalation.Level.choices)
    question = forms.CharField(
        label=_("Vraag aan het gremium"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    meeting = forms.ModelChoiceField(
        label=_("Besloten in"), queryset=Meeting.objects.none(), required=False
    )
    decider = forms.CharField(label=_("Of: besloten door"), max_length=200, required=False)
    on = date_field(_("Datum"))

    def __init__(self, *args, lvv, **kwargs):
        super().__init__(*args, **kwargs)
        _field(self, "meeting", forms.ModelChoiceField).queryset = Meeting.objects.filter(
            lvv=lvv
        ).order_by("-held_on")
        for key, label in POSITION_PARTIES:
            self.fields[f"position_{key}"] = forms.CharField(
                label=_("Standpunt {party}").format(party=label),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def positions(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"position_{key}", "") for key, _l in POSITION_PARTIES}


class AdviceForm(Form):
    advice = forms.CharField(
        label=_("Advies"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    advised_on = date_field(_("Advies ontvangen op"))
    follow_up = forms.CharField(
        label=_("Opvolging"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class OutflowForm(Form):
    kind = forms.ChoiceField(
        label=_("Wijze van uitstroom"), choices=[("", "—"), *OutflowType.choices]
    )
    on = date_field(_("Datum uitstroom"))
    to_lvv: forms.ModelChoiceField[LVV] = forms.ModelChoiceField(
        label=_("Naar LVV"),
        queryset=None,
        required=False,
        help_text=_("Alleen bij 'LVV in andere gemeente': de persoon wordt daar aangemeld."),
    )

    def __init__(self, *args, lvv, **kwargs):
        from lvv.registry.models import LVV

        super().__init__(*args, **kwargs)
        _field(self, "to_lvv", forms.ModelChoiceField).queryset = LVV.objects.exclude(pk=lvv.pk)


class FollowUpForm(Form):
    follow_up = forms.ChoiceField(label=_("Vervolg"), choices=[("", "—"), *FollowUp.choices])
    on = date_field(_("Datum"), required=False)


class DocumentForm(Form):
    kind = forms.ChoiceField(label=_("Soort document"), choices=Document.Kind.choices)
    title = forms.CharField(label=_("Omschrijving"), max_length=200)
    upload = forms.FileField(label=_("Bestand (PDF, JPEG of PNG)"))


class ActivityForm(Form):
    kind = forms.ChoiceField(label=_("Soort"), choices=Activity.Kind.choices)
    title = forms.CharField(label=_("Omschrijving"), max_length=200)
    starts_on = date_field(_("Start"))
    ends_on = date_field(_("Einde"), required=False)
    portfolio = forms.CharField(
        label=_("Portfolio"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AllowanceForm(Form):
    period_start = date_field(_("Periode vanaf"))
    amount = forms.DecimalField(label=_("Bedrag (€)"), min_value=0, decimal_places=2)
    paid_on = date_field(_("Betaald op"))


class ForcedDepartureCheckForm(Form):
    asked_on = date_field(_("Organisatie gevraagd op"))
    no_objection = forms.ChoiceField(
        label=_("Antwoord"),
        choices=[("ja", _("Geen bezwaar")), ("nee", _("Bezwaar"))],
        widget=forms.RadioSelect,
    )
    ngo_answer = forms.CharField(label=_("Toelichting"), required=False)


class MeetingForm(Form):
    lvv: forms.ModelChoiceField[LVV] = forms.ModelChoiceField(
        label=_("LVV"), queryset=None, empty_label=None
    )
    kind = forms.ChoiceField(label=_("Soort overleg"), choices=Meeting.Kind.choices)
    held_on = date_field(_("Datum"))
    title = forms.CharField(label=_("Titel"), max_length=200, required=False)
    scope_organisation = forms.ModelChoiceField(
        label=_("Alleen casussen van"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Voor een overleg per organisatie of een clusteroverleg."),
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Deelnemende organisaties"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, lvvs, **kwargs):
        super().__init__(*args, **kwargs)
        _field(self, "lvv", forms.ModelChoiceField).queryset = lvvs
        orgs = Organisation.objects.filter(lvvs__in=lvvs).distinct().order_by("kind", "name")
        _field(self, "scope_organisation", forms.ModelChoiceField).queryset = orgs.filter(
            kind=Organisation.Kind.NGO
        )
        _field(self, "participants", forms.ModelChoiceField).queryset = orgs


class DuplicateDecisionForm(Form):
    verdict = forms.ChoiceField(
        label=_("Oordeel"),
        widget=forms.RadioSelect,
        choices=[("same", _("Zelfde persoon: koppelen")), ("different", _("Andere persoon"))],
    )
    note = forms.CharField(label=_("Toelichting"), required=False)


class UndoLinkForm(Form):
    reason = forms.CharField(label=_("Reden"), max_length=300, required=False)
