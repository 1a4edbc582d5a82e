"""Forms of the register's web pages: Dutch labels, help and messages. They only validate input;
the views hand the cleaned data to lvv.registry.services, which checks the invariants."""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvv.accounts.models import Organisation
from lvv.registry.countries import STATELESS, country_choices
from lvv.registry.models import LVV, Location, RegionMunicipality, StayStatus
from lvv.registry.taxonomy import (
    OUTFLOW_CLASS,
    FollowUp,
    Gender,
    OutflowClass,
    OutflowType,
    Scenario,
    TargetGroup,
)
from lvv.web.widgets import FastSelect

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

_F = TypeVar("_F", bound=forms.Field)

YES_NO = [("ja", _("Ja")), ("nee", _("Nee"))]


class DateInput(forms.DateInput):
    """The browser's date picker; it always posts yyyy-mm-dd."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label, *, required=True, help_text="", not_future=True) -> forms.DateField:
    validators = [_not_in_future] if not_future else []
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        validators=validators,
        error_messages={
            "required": _("Vul een datum in."),
            "invalid": _("Dit is geen geldige datum; gebruik dd-mm-jjjj."),
        },
    )


def _not_in_future(value: dt.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(
            _("Deze datum ligt in de toekomst; registreer alleen wat al gebeurd is.")
        )


def _choice_error(name: str | StrPromise) -> dict[str, str]:
    return {
        "required": _("Kies een %(name)s.") % {"name": name},
        "invalid_choice": _("Kies een %(name)s uit de lijst.") % {"name": name},
    }


def country_options() -> list[tuple[str, str | StrPromise]]:
    rest = [(code, name) for code, name in country_choices() if code != STATELESS]
    return [("", _("Onbekend")), (STATELESS, _("Staatloos")), *rest]


def outflow_options() -> list[tuple[str | StrPromise, object]]:
    """Outflow types grouped by their class (bestendig / semi-bestendig / niet-bestendig)."""
    groups: list[tuple[str | StrPromise, object]] = [("", _("Kies de wijze van uitstroom"))]
    for outflow_class in OutflowClass:
        members = [(t.value, t.label) for t in OutflowType if OUTFLOW_CLASS[t] == outflow_class]
        groups.append((outflow_class.label, members))
    return groups


def municipality_options(lvvs: QuerySet[LVV]) -> list[tuple[str, object]]:
    rows = RegionMunicipality.objects.filter(lvv__in=lvvs).select_related("lvv")
    grouped: dict[str, list[tuple[str, str]]] = {}
    for row in rows.order_by("lvv__name", "name"):
        grouped.setdefault(row.lvv.name, []).append((row.name, row.name))
    return [("", _("Onbekend / niet opgegeven")), *grouped.items()]


def _field(form: forms.BaseForm, name: str, kind: type[_F]) -> _F:
    """The form's own copy of one of its fields, as the kind of field it was declared as."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is not a {kind.__name__}")
    return field


class Form(forms.Form):
    """Labels without the trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class StayChangeForm(Form):
    """Every form that changes a stay carries the version it was loaded at, so that two people
    editing the same case get a conflict instead of overwriting each other."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class AdmitForm(StayChangeForm):
    on = _date_field(_("Datum van toelating"))


class WaitlistForm(StayChangeForm):
    on = _date_field(_("Op de wachtlijst sinds"))


class RefuseForm(StayChangeForm):
    on = _date_field(_("Datum van het besluit"))
    reason = forms.CharField(
        label=_("Reden"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Geef de reden van de afwijzing.")},
    )


class ScenarioForm(StayChangeForm):
    scenario = forms.ChoiceField(
        label=_("Begeleidingsscenario"),
        choices=Scenario.choices,
        error_messages=_choice_error(_("begeleidingsscenario")),
    )
    on = _date_field(_("Vastgesteld op"))
    discussed_in_lso = forms.TypedChoiceField(
        label=_("Besproken in het LSO?"),
        choices=YES_NO,
        coerce=lambda v: v == "ja",
        widget=forms.RadioSelect,
        initial="ja",
        help_text=_("Nee als de maatschappelijke organisatie het scenario zonder LSO vaststelde."),
        error_messages={"required": _("Geef aan of het scenario in het LSO is besproken.")},
    )


class OutflowForm(StayChangeForm):
    outflow_type = forms.ChoiceField(
        label=_("Wijze van uitstroom"),
        choices=outflow_options,
        error_messages=_choice_error(_("wijze van uitstroom")),
    )
    on = _date_field(_("Datum van uitstroom"))


class FollowUpForm(StayChangeForm):
    follow_up = forms.ChoiceField(
        label=_("Vervolg"),
        choices=[("", _("Kies het vervolg")), *FollowUp.choices],
        help_text=_(
            "Gedwongen vertrek volgt op vreemdelingenbewaring; vergunning of afwijzing op een HASA."
        ),
        error_messages=_choice_error(_("vervolg")),
    )
    on = _date_field(_("Datum van het vervolg"), required=False, help_text=_("Leeg als onbekend."))


class LocationForm(StayChangeForm):
    location = forms.ModelChoiceField(
        label=_("Nieuwe locatie"),
        queryset=Location.objects.none(),
        empty_label=_("Kies een locatie"),
        error_messages=_choice_error(_("locatie")),
    )
    on = _date_field(_("Verhuisd op"))

    def __init__(self, *args, stay, **kwargs):
        super().__init__(*args, **kwargs)
        _field(self, "location", forms.ModelChoiceField).queryset = Location.objects.filter(
            lvv=stay.lvv, active=True
        )


class OrganisationForm(StayChangeForm):
    organisation = forms.ModelChoiceField(
        label=_("Begeleidende organisatie"),
        queryset=Organisation.objects.none(),
        empty_label=_("Kies een organisatie"),
        error_messages=_choice_error(_("organisatie")),
    )
    on = _date_field(_("Begeleiding door deze organisatie vanaf"))

    def __init__(self, *args, stay, **kwargs):
        super().__init__(*args, **kwargs)
        _field(self, "organisation", forms.ModelChoiceField).queryset = Organisation.objects.filter(
            kind=Organisation.Kind.NGO, lvvs=stay.lvv
        )


class StayDetailsForm(StayChangeForm):
    target_group = forms.ChoiceField(label=_("Doelgroep"), choices=TargetGroup.choices)
    correspondence_number = forms.CharField(
        label=_("Correspondentienummer"), required=False, max_length=64
    )
    reported_municipality = forms.ChoiceField(label=_("Gemeente van aanmelding"), required=False)

    def __init__(self, *args, stay, **kwargs):
        super().__init__(*args, **kwargs)
        _field(self, "reported_municipality", forms.ChoiceField).choices = municipality_options(
            LVV.objects.filter(pk=stay.lvv_id)
        )


class EventVoidForm(Form):
    reason = forms.CharField(
        label=_("Waarom wordt deze registratie ingetrokken?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Bijvoorbeeld: verkeerde persoon, verkeerde datum. De registratie blijft zichtbaar, doorgestreept."
        ),
        error_messages={"required": _("Geef aan waarom deze registratie wordt ingetrokken.")},
    )


class PersonFieldsForm(Form):
    given_names = forms.CharField(label=_("Voornamen"), required=False, max_length=200)
    family_name = forms.CharField(label=_("Achternaam"), required=False, max_length=200)
    birth_date = _date_field(
        _("Geboortedatum"), required=False, help_text=_("Leeg als alleen het jaar bekend is.")
    )
    birth_year = forms.IntegerField(
        label=_("Geboortejaar"),
        required=False,
        min_value=1900,
        help_text=_("Vul dit in als de geboortedatum niet bekend is."),
        error_messages={
            "invalid": _("Een geboortejaar bestaat uit vier cijfers."),
            "min_value": _("Geef een geboortejaar vanaf 1900."),
        },
    )
    gender = forms.ChoiceField(label=_("Geslacht"), choices=Gender.choices, initial=Gender.UNKNOWN)
    country = forms.ChoiceField(
        label=_("Land van herkomst"),
        choices=country_options,
        required=False,
        error_messages=_choice_error(_("land")),
    )
    v_number = forms.RegexField(
        label=_("V-nummer"),
        regex=r"^\d{10}$",
        required=False,
        help_text=_("10 cijfers; leeg als het (nog) niet bekend is."),
        error_messages={"invalid": _("Een V-nummer bestaat uit precies 10 cijfers.")},
    )
    first_ind_application_date = _date_field(_("Datum eerste IND-aanvraag"), required=False)
    ind_status = forms.CharField(label=_("Huidige status IND"), required=False, max_length=200)

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year is not None and year > timezone.localdate().year:
            raise ValidationError(_("Het geboortejaar ligt in de toekomst."))
        return year

    def clean(self):
        super().clean()
        data = self.cleaned_data  # the dict super().clean() returns (its type allows None)
        birth_date, birth_year = data.get("birth_date"), data.get("birth_year")
        if birth_date and birth_year and birth_date.year != birth_year:
            self.add_error("birth_year", _("Het geboortejaar past niet bij de geboortedatum."))
        if birth_date and not birth_year:
            data["birth_year"] = birth_date.year
        return data

    def person_attrs(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in PersonFieldsForm.base_fields
            if name in self.fields
        }


class StayRegisterForm(Form):
    """The registration of a person at an LVV: the start of a stay."""

    lvv = forms.ModelChoiceField(
        label=_("LVV"), queryset=LVV.objects.none(), error_messages=_choice_error(_("LVV"))
    )
    registration_date = _date_field(_("Datum van aanmelding"))
    target_group = forms.ChoiceField(
        label=_("Doelgroep"), choices=TargetGroup.choices, initial=TargetGroup.CONVENANT
    )
    organisation = forms.ModelChoiceField(
        label=_("Begeleidende organisatie"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Nog niet bekend"),
    )
    reported_municipality = forms.ChoiceField(
        label=_("Gemeente van aanmelding"),
        required=False,
        help_text=_("De gemeente in de regio waar de persoon zich meldde."),
    )
    correspondence_number = forms.CharField(
        label=_("Correspondentienummer"),
        required=False,
        max_length=64,
        help_text=_("Het nummer van deze persoon in de eigen bestanden van de LVV."),
    )

    def __init__(self, *args, lvvs: QuerySet[LVV], user_organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        lvv = _field(self, "lvv", forms.ModelChoiceField)
        organisation = _field(self, "organisation", forms.ModelChoiceField)
        lvv.queryset = lvvs
        if len(lvvs) == 1:
            lvv.initial = lvvs[0].pk
        organisations = Organisation.objects.filter(
            kind=Organisation.Kind.NGO, lvvs__in=lvvs
        ).distinct()
        organisation.queryset = organisations
        if user_organisation is not None and user_organisation.kind == Organisation.Kind.NGO:
            # NGO staff register for their own organisation (another NGO's person would be out of
            # their sight the moment it is saved).
            organisation.queryset = organisations.filter(pk=user_organisation.pk)
            organisation.initial = user_organisation.pk
            organisation.required = True
            organisation.empty_label = None
        # The pickers render from one plain query each, when rendered (a ModelChoiceIterator reads
        # through a server-side cursor on PostgreSQL: three round trips per picker per page).
        # Set last: assigning a queryset resets the widget's choices.
        for field in (lvv, organisation):
            field.widget.choices = functools.partial(_model_choices, field)
        _field(self, "reported_municipality", forms.ChoiceField).choices = municipality_options(
            lvvs
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data  # the dict super().clean() returns (its type allows None)
        lvv, organisation = data.get("lvv"), data.get("organisation")
        if lvv and organisation and not organisation.lvvs.filter(pk=lvv.pk).exists():
            self.add_error("organisation", _("Deze organisatie werkt niet in de gekozen LVV."))
        municipality = data.get("reported_municipality")
        if (
            lvv
            and municipality
            and not lvv.region_municipalities.filter(name=municipality).exists()
        ):
            self.add_error(
                "reported_municipality", _("Deze gemeente hoort niet bij de regio van deze LVV.")
            )
        return data


class PersonRegisterForm(PersonFieldsForm, StayRegisterForm):
    """A new person and their registration at an LVV, in one go."""

    aliases = forms.CharField(
        label=_("Andere namen (aliassen)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Eén naam per regel, als 'Achternaam, Voornamen'."),
    )

    def clean_aliases(self) -> list[tuple[str, str]]:
        aliases = []
        for line in self.cleaned_data.get("aliases", "").splitlines():
            if not line.strip():
                continue
            family, _sep, given = line.partition(",")
            aliases.append((given.strip(), family.strip()))
        return aliases


IND_FIELDS = ("first_ind_application_date", "ind_status")
IDENTITY_FIELDS = tuple(name for name in PersonFieldsForm.base_fields if name not in IND_FIELDS)


class PersonCorrectForm(PersonFieldsForm):
    """Correct a person's data: only the fields (identity, IND data) the user may change."""

    def __init__(self, *args, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fields is not None:
            for name in list(self.fields):
                if name not in fields:
                    del self.fields[name]


def _model_choices(field: forms.ModelChoiceField) -> list[tuple[Any, str | StrPromise | None]]:
    objects = () if field.queryset is None else field.queryset
    empty = [] if field.empty_label is None else [("", field.empty_label)]
    return [*empty, *((o.pk, field.label_from_instance(o)) for o in objects)]


class PersonFilterForm(Form):
    """Filters of the persons list (GET)."""

    q = forms.CharField(
        label=_("Zoeken"),
        required=False,
        help_text=_("Naam, alias, V-nummer of correspondentienummer"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    lvv = forms.ModelChoiceField(
        label=_("LVV"),
        queryset=LVV.objects.none(),
        required=False,
        empty_label=_("Alle"),
        widget=FastSelect,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        widget=FastSelect,
        choices=[
            ("", _("Alle")),
            ("in", _("In de LVV (toegelaten)")),
            ("open", _("Lopend (aangemeld, wachtlijst of toegelaten)")),
            ("out", _("Uitgestroomd")),
            *StayStatus.choices,
        ],
    )
    scenario = forms.ChoiceField(
        label=_("Scenario"),
        required=False,
        choices=[("", _("Alle")), *Scenario.choices],
        widget=FastSelect,
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisatie"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Alle"),
        widget=FastSelect,
    )
    target_group = forms.ChoiceField(
        label=_("Doelgroep"),
        required=False,
        choices=[("", _("Alle")), *TargetGroup.choices],
        widget=FastSelect,
    )

    def __init__(self, *args, lvvs: QuerySet[LVV], **kwargs):
        super().__init__(*args, **kwargs)
        lvv = _field(self, "lvv", forms.ModelChoiceField)
        organisation = _field(self, "organisation", forms.ModelChoiceField)
        lvv.queryset = lvvs
        organisation.queryset = Organisation.objects.filter(
            kind=Organisation.Kind.NGO, lvvs__in=lvvs
        ).distinct()
        # The pickers render from one plain query each, when rendered (a ModelChoiceIterator reads
        # through a server-side cursor on PostgreSQL: three round trips per picker per page).
        for field in (lvv, organisation):
            field.widget.choices = functools.partial(_model_choices, field)
