"""Writes of the case workflow. Keyword-only, `<entity>_<action>`, each in one transaction.

Stay changes go through lvv.registry.services (events); workflow facts (checks, meetings,
actions, ...) are rows in this app. Callers reach the stay through lvv.access.gate first; these
functions check the *business* rules (which party may fill which section, what the LVV's policy
allows) and raise ValidationError with a Dutch message that says what to fix."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lvv.access import gate
from lvv.access.fields import field_fernet
from lvv.access.gate import log_access
from lvv.access.models import ProcessingActivity
from lvv.accounts.models import Organisation, User
from lvv.registry import services as registry
from lvv.registry.models import LVV, Event, EventKind, Location, Person, Policy, Stay
from lvv.registry.selectors import capacity_on
from lvv.registry.services import ConflictError
from lvv.registry.taxonomy import FollowUp, OutflowType, Scenario
from lvv.workflow import selectors
from lvv.workflow.duplicates import duplicates_find
from lvv.workflow.models import (
    Action,
    ActionDeadlineChange,
    Activity,
    AdmissionCheck,
    AdmissionVerdict,
    AgendaItem,
    Attendance,
    Decision,
    Document,
    DuplicateCandidate,
    Escalation,
    ForcedDepartureCheck,
    IdentityInvestigation,
    LegalCheck,
    LegalCheckSection,
    LivingAllowancePayment,
    MedicalIntake,
    Meeting,
    MeetingParticipant,
    PersonLink,
    StayLink,
)
from lvv.workflow.models.admission import CRITERION_REQUIRED, Criterion, condition_label
from lvv.workflow.models.intake import SECTION_FIELDS, Party


def _policy(lvv: LVV) -> Policy:
    return Policy.objects.get_or_create(lvv=lvv)[0]


def _check_not_in_future(field: str, day: dt.date) -> None:
    """A date of what already happened (an investigation, an intake, an advice, ...) is not after
    today; the error goes to the form field `field`."""
    if day > timezone.localdate():
        raise ValidationError({field: _("De datum ligt in de toekomst.")})


def _org_kind(user: User) -> str:
    return getattr(getattr(user, "organisation", None), "kind", "") or ""


# Registration and admission -----------------------------------------------------------------------


@transaction.atomic
def registration_create(
    *,
    by: User,
    lvv: LVV,
    registration_date: dt.date,
    channel: str,
    referred_by: Organisation | None = None,
    organisation: Organisation | None = None,
    person: Person | None = None,
    aliases: Sequence[tuple[str, str]] = (),
    reported_municipality: str = "",
    **person_attrs: Any,
) -> tuple[Stay, list[dict[str, Any]]]:
    """Register a person who reports at the desk or is referred by an LSO party, and run the
    national duplicate check. Returns the new stay and what the registering user may know of
    possible matches (LVV and whom to contact, never the file)."""
    if channel not in AdmissionCheck.Channel.values:
        raise ValidationError({"channel": _("Kies hoe de persoon binnenkwam.")})
    if channel == AdmissionCheck.Channel.REFERRAL and referred_by is None:
        raise ValidationError({"referred_by": _("Kies de LSO-partij die de persoon verwees.")})
    if registration_date > timezone.localdate():
        raise ValidationError(
            {"registration_date": _("De datum van aanmelding ligt in de toekomst.")}
        )
    if person is None:
        person = registry.person_create(by=by, aliases=aliases, **person_attrs)
    stay = registry.stay_register(
        person=person,
        lvv=lvv,
        registration_date=registration_date,
        by=by,
        organisation=organisation,
        reported_municipality=reported_municipality,
    )
    AdmissionCheck.objects.create(
        stay=stay,
        channel=channel,
        referred_by=referred_by if channel == AdmissionCheck.Channel.REFERRAL else None,
        recorded_by=by,
    )
    matches = duplicate_check_on_registration(person=person, by=by)
    return stay, matches


def _criteria_met(criteria: dict[str, dict[str, Any]]) -> bool:
    return all(criteria[c]["value"] == required for c, required in CRITERION_REQUIRED.items())


@transaction.atomic
def admission_check_record(
    *,
    stay: Stay,
    by: User,
    criteria: dict[str, tuple[bool, str]],
    conditions: dict[str, tuple[bool, str]] | None = None,
    exception_reason: str = "",
    exception_decider: str = "",
    exception_decided_by: str = "",
) -> AdmissionCheck:
    """Record the check against the target-group criteria (each with its source) and the LVV's own
    conditions. A person who does not meet them can only be admitted as an exception, with a
    reason and the decider the LVV's policy names."""
    policy = _policy(stay.lvv)
    errors: dict[str, str] = {}
    stored: dict[str, dict[str, Any]] = {}
    for code in Criterion.values:
        if code not in criteria or criteria[code][0] is None:
            errors[f"criterion_{code}"] = _("Geef aan of dit criterium geldt.")
            continue
        value, source = criteria[code]
        if not (source or "").strip():
            errors[f"source_{code}"] = _("Geef de bron (bv. IND-gegevens, paspoort, verklaring).")
        stored[code] = {"value": bool(value), "source": (source or "").strip()}
    local: dict[str, dict[str, Any]] = {}
    for code in policy.admission_conditions:
        entry = (conditions or {}).get(code)
        if entry is None or entry[0] is None:
            errors[f"condition_{code}"] = _(
                "Geef aan of aan deze voorwaarde is voldaan: {c}."
            ).format(c=condition_label(code))
            continue
        local[code] = {"met": bool(entry[0]), "note": (entry[1] or "").strip()}
    if errors:
        raise ValidationError(errors)
    meets = _criteria_met(stored) and all(v["met"] for v in local.values())
    reason = exception_reason.strip()
    if not meets and reason:
        if exception_decider != policy.exception_decider:
            raise ValidationError(
                {
                    "exception_decider": _("In {lvv} beslist {who} over uitzonderingen.").format(
                        lvv=stay.lvv.name, who=policy.get_exception_decider_display()
                    )
                }
            )
        if not exception_decided_by.strip():
            raise ValidationError(
                {
                    "exception_decided_by": _(
                        "Geef aan wie de uitzondering besloot (naam of overleg)."
                    )
                }
            )
    check, _created = AdmissionCheck.objects.select_for_update().get_or_create(
        stay=stay, defaults={"channel": AdmissionCheck.Channel.DESK, "recorded_by": by}
    )
    check.criteria = stored
    check.conditions = local
    check.meets_criteria = meets
    check.exception_reason = "" if meets else reason
    check.exception_decider = exception_decider if check.exception_reason else ""
    check.exception_decided_by = exception_decided_by.strip() if check.exception_reason else ""
    check.forced_scenario = policy.exception_forced_scenario if check.exception_reason else ""
    check.recorded_by = by
    check.recorded_at = timezone.now()
    check.save()
    return check


def party_label(kind: str) -> str:
    """The Dutch name of an organisation kind named in `Policy.admission_parties`."""
    try:
        return str(Organisation.Kind(kind).label)
    except ValueError:
        return kind


def admission_parties_waiting(stay: Stay) -> list[str]:
    """The parties the LVV's policy requires to agree to the admission that have not (yet)
    agreed, in the policy's order. Empty when the policy asks no per-party agreement."""
    required = list(_policy(stay.lvv).admission_parties or [])
    if not required:
        return []
    agreed = set(
        AdmissionVerdict.objects.filter(stay=stay, agrees=True).values_list("party", flat=True)
    )
    return [p for p in required if p not in agreed]


@transaction.atomic
def admission_verdict_record(
    *, stay: Stay, by: User, agrees: bool, note: str = ""
) -> AdmissionVerdict:
    """Record the verdict of the user's organisation on admitting this person, where the LVV's
    policy requires every listed party to check and agree (Eindhoven). The last verdict of a
    party counts; a party that does not agree says why."""
    policy = _policy(stay.lvv)
    if not policy.admission_parties:
        raise ValidationError(
            _("In {lvv} geven de partijen geen apart akkoord op toelating.").format(
                lvv=stay.lvv.name
            )
        )
    party = _org_kind(by)
    if party not in policy.admission_parties:
        raise ValidationError(
            _("Uw organisatie hoeft in {lvv} geen akkoord op toelating te geven.").format(
                lvv=stay.lvv.name
            )
        )
    if stay.status not in ("registered", "waiting"):
        raise ValidationError(_("Over de toelating is al besloten."))
    if not agrees and not note.strip():
        raise ValidationError({"note": _("Geef aan waarom uw organisatie niet akkoord is.")})
    verdict, _created = AdmissionVerdict.objects.update_or_create(
        stay=stay,
        party=party,
        defaults={
            "agrees": agrees,
            "note": note.strip(),
            "decided_by": by,
            "decided_at": timezone.now(),
        },
    )
    return verdict


def occupancy(lvv: LVV, on: dt.date) -> int:
    return selectors.occupancy(lvv, on)


def _admission_ready(stay: Stay) -> AdmissionCheck:
    """The recorded admission check, after checking that the person may be admitted: the check
    is recorded and met (or an exception), and every party the policy lists agreed."""
    check = AdmissionCheck.objects.filter(stay=stay).first()
    if check is None or not check.criteria:
        raise ValidationError(_("Leg eerst de toelatingscheck vast."))
    if not check.meets_criteria and not check.is_exception:
        raise ValidationError(
            _(
                "De persoon voldoet niet aan de criteria. Leg een uitzondering vast (reden en "
                "beslisser) of wijs de aanmelding af."
            )
        )
    waiting = admission_parties_waiting(stay)
    if waiting:
        raise ValidationError(
            _(
                "In {lvv} moeten alle partijen akkoord zijn met de toelating. Wacht nog op: "
                "{parties}."
            ).format(lvv=stay.lvv.name, parties=", ".join(party_label(p) for p in waiting))
        )
    return check


def admission_waits_for_intake_form(stay: Stay) -> bool:
    """True when the LVV's policy makes the signed intake form the formal moment of admission
    (Eindhoven) and everything else for admitting this person is in place: the check is met (or
    an exception) and every listed party agreed, but the signed form is not yet registered."""
    if stay.status not in ("registered", "waiting"):
        return False
    if not _policy(stay.lvv).admission_by_signed_intake_form:
        return False
    try:
        _admission_ready(stay)
    except ValidationError:
        return False
    return True


def _admit(
    *,
    stay: Stay,
    check: AdmissionCheck,
    by: User,
    on: dt.date,
    location: Location | None,
    expected_version: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Admit: the `stay_admitted` event on `on`, the place, and what an exception brings (its
    decision and the policy's forced scenario)."""
    registry.stay_admit(
        stay=stay,
        on=on,
        by=by,
        expected_version=expected_version,
        **({"data": data} if data else {}),
    )
    if location is not None:
        stay_assign_location(stay=stay, location=location, on=on, by=by)
    if check.is_exception:
        Decision.objects.create(
            stay=stay,
            kind=Decision.Kind.ADMISSION_EXCEPTION,
            decider=f"{Policy.ExceptionDecider(check.exception_decider).label}: {check.exception_decided_by}",
            text=check.exception_reason,
            decided_on=on,
            recorded_by=by,
        )
        if check.forced_scenario:
            registry.stay_set_scenario(
                stay=stay,
                scenario=check.forced_scenario,
                on=on,
                by=by,
                discussed_in_lso=check.exception_decider == Policy.ExceptionDecider.LSO,
                data={"reason": "admission_exception"},
            )
    check.outcome = AdmissionCheck.Outcome.ADMITTED


def _lvv_full(stay: Stay, on: dt.date) -> bool:
    capacity = capacity_on(stay.lvv, on)
    return capacity is not None and occupancy(stay.lvv, on) >= capacity


@transaction.atomic
def admission_decide(
    *,
    stay: Stay,
    by: User,
    on: dt.date,
    admit: bool,
    reason: str = "",
    location: Location | None = None,
    expected_version: int | None = None,
) -> str:
    """Admit (or put on the waiting list when the LVV is full) or refuse. Returns the outcome.

    Admission needs a recorded check that the person meets the criteria, or an exception. A forced
    scenario of the LVV's policy (Groningen: return) is set right away for an exception. Where the
    policy makes the signed intake form the formal moment of admission (Eindhoven), admitting is
    done by `admission_intake_form_register`; here it is refused, saying what is missing."""
    check = AdmissionCheck.objects.filter(stay=stay).first()
    if not admit:
        if not reason.strip():
            raise ValidationError(
                {"reason": _("Geef de reden waarom de persoon niet wordt toegelaten.")}
            )
        registry.stay_refuse(
            stay=stay, on=on, reason=reason, by=by, expected_version=expected_version
        )
        if check is not None:
            check.outcome, check.outcome_reason = AdmissionCheck.Outcome.REFUSED, reason.strip()
            check.save(update_fields=["outcome", "outcome_reason"])
        return AdmissionCheck.Outcome.REFUSED
    check = _admission_ready(stay)
    if stay.status == "registered" and _lvv_full(stay, on):
        registry.stay_waitlist(stay=stay, on=on, by=by, expected_version=expected_version)
        check.outcome = AdmissionCheck.Outcome.WAITLISTED
        check.save(update_fields=["outcome"])
        return AdmissionCheck.Outcome.WAITLISTED
    if stay.status == "waiting" and _lvv_full(stay, on):
        raise ValidationError(_("De LVV is vol: er is nog geen plek vrij."))
    if _policy(stay.lvv).admission_by_signed_intake_form:
        raise ValidationError(
            _(
                "In {lvv} is de toelating pas formeel als de deelnemer het intakeformulier heeft "
                "ondertekend. Ontbreekt: het ondertekende intakeformulier. Registreer het bij "
                "'Ondertekend intakeformulier registreren', met de datum van ondertekening en het "
                "formulier zelf."
            ).format(lvv=stay.lvv.name)
        )
    _admit(
        stay=stay,
        check=check,
        by=by,
        on=on,
        location=location,
        expected_version=expected_version,
    )
    check.save(update_fields=["outcome"])
    return AdmissionCheck.Outcome.ADMITTED


INTAKE_FORM_TITLE = "Ondertekend intakeformulier"


@transaction.atomic
def admission_intake_form_register(
    *,
    stay: Stay,
    by: User,
    signed_on: dt.date,
    upload: Any,
    location: Location | None = None,
    expected_version: int | None = None,
) -> AdmissionCheck:
    """Admit by registering the intake form the participant signed, where the LVV's policy makes
    it the formal moment of admission (`Policy.admission_by_signed_intake_form`, Eindhoven).

    The signing date is the admission date (the `stay_admitted` event's valid date): not in the
    future and not before the registration. The form is stored as a document of the case (kind
    intakeformulier, encrypted, seen by whom may see documents). Everything `admission_decide`
    asks still holds: the check met or an exception, every listed party agreed, a free place."""
    policy = _policy(stay.lvv)
    if not policy.admission_by_signed_intake_form:
        raise ValidationError(
            _("In {lvv} is het ondertekende intakeformulier niet het moment van toelating.").format(
                lvv=stay.lvv.name
            )
        )
    if stay.status not in ("registered", "waiting"):
        raise ValidationError(_("Over de toelating is al besloten."))
    errors: dict[str, str] = {}
    if signed_on is None:
        errors["signed_on"] = _("Geef de datum waarop de deelnemer het formulier ondertekende.")
    elif signed_on > timezone.localdate():
        errors["signed_on"] = _("De datum van ondertekening ligt in de toekomst.")
    elif stay.registration_date and signed_on < stay.registration_date:
        errors["signed_on"] = _(
            "De datum van ondertekening ligt vóór de aanmelding ({date})."
        ).format(date=stay.registration_date.strftime("%d-%m-%Y"))
    if upload is None:
        errors["upload"] = _("Voeg het ondertekende intakeformulier toe (PDF, JPEG of PNG).")
    if errors:
        raise ValidationError(errors)
    check = _admission_ready(stay)
    if _lvv_full(stay, signed_on):
        raise ValidationError(
            {
                "signed_on": _(
                    "De LVV was vol op {date}: er was geen plek vrij. Zet de persoon op de "
                    "wachtlijst (besluit over toelating) en registreer het formulier als er een "
                    "plek vrij is."
                ).format(date=signed_on.strftime("%d-%m-%Y"))
            }
        )
    document = _document_store(
        stay=stay, by=by, kind=Document.Kind.INTAKE_FORM, title=INTAKE_FORM_TITLE, upload=upload
    )
    _admit(
        stay=stay,
        check=check,
        by=by,
        on=signed_on,
        location=location,
        expected_version=expected_version,
        data={"intake_form": "signed"},
    )
    check.intake_form_signed_on = signed_on
    check.intake_form = document
    check.intake_form_recorded_by = by
    check.intake_form_recorded_at = timezone.now()
    check.save(
        update_fields=[
            "outcome",
            "intake_form_signed_on",
            "intake_form",
            "intake_form_recorded_by",
            "intake_form_recorded_at",
        ]
    )
    return check


@transaction.atomic
def stay_assign_location(*, stay: Stay, location: Location, on: dt.date, by: User) -> Event:
    """Give the person a place at a location (a move between locations is the same event)."""
    if not location.active:
        raise ValidationError({"location": _("Deze locatie is niet meer in gebruik.")})
    taken = selectors.location_occupancy(location)
    if stay.location_id != location.pk and taken >= location.places:
        raise ValidationError(
            {
                "location": _("{name} is vol ({n} plekken).").format(
                    name=location.name, n=location.places
                )
            }
        )
    return registry.stay_move_location(stay=stay, location=location, on=on, by=by)


# Duplicate check -------------------------------------------------------------------------------


def _pair(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    return (a, b) if str(a) < str(b) else (b, a)


@transaction.atomic
def duplicate_check_on_registration(*, person: Person, by: User | None) -> list[dict[str, Any]]:
    """Search every LVV for this person; store new candidate pairs with their reasons; log the
    check. Returns per match only the LVV(s) and whom to contact there."""
    matches = duplicates_find(
        given_names=person.given_names,
        family_name=person.family_name,
        aliases=list(person.aliases.values_list("given_names", "family_name")),
        birth_year=person.birth_year,
        country=person.country,
        v_number=person.v_number,
        exclude_person=person.pk,
    )
    shown: list[dict[str, Any]] = []
    for match in matches:
        a, b = _pair(person.pk, match.person_id)
        candidate = DuplicateCandidate.objects.filter(person_a_id=a, person_b_id=b).first()
        if candidate is not None and candidate.status == DuplicateCandidate.Status.DIFFERENT:
            continue  # decided before: not proposed again
        if candidate is None:
            candidate = DuplicateCandidate.objects.create(
                person_a_id=a,
                person_b_id=b,
                reasons=match.reasons,
                score=match.score,
                found_by=by if by is not None and by.pk else None,
            )
        shown.append(
            {
                "candidate_id": candidate.pk,
                "reasons": match.reasons,
                "score": match.score,
                "where": selectors.contact_points(match.person_id),
            }
        )
    if matches:
        log_access(
            by,
            persons=[m.person_id for m in matches],
            operation="duplicate_check",
            activity=ProcessingActivity.DUPLICATE_CHECK,
            categories=("identity",),
        )
    return shown


@transaction.atomic
def duplicate_decide(
    *, candidate: DuplicateCandidate, by: User, same: bool, note: str = ""
) -> DuplicateCandidate:
    """Record the verdict. 'Same person' links the two records (neither is changed); 'different
    person' stops the pair from being proposed again."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != DuplicateCandidate.Status.OPEN:
        raise ValidationError(_("Over dit paar is al beslist; maak de koppeling eerst ongedaan."))
    candidate.status = (
        DuplicateCandidate.Status.SAME if same else DuplicateCandidate.Status.DIFFERENT
    )
    candidate.decided_by, candidate.decided_at = by, timezone.now()
    candidate.decision_note = note.strip()
    candidate.save()
    if same:
        PersonLink.objects.create(
            candidate=candidate,
            person_a_id=candidate.person_a_id,
            person_b_id=candidate.person_b_id,
            linked_by=by,
        )
    return candidate


@transaction.atomic
def person_link_undo(*, link: PersonLink, by: User, reason: str) -> PersonLink:
    """Undo a link: both records stay as they were; the pair is open for a new verdict."""
    if not reason.strip():
        raise ValidationError({"reason": _("Geef aan waarom de koppeling wordt losgemaakt.")})
    link = PersonLink.objects.select_for_update().get(pk=link.pk)
    if link.undone_at is not None:
        raise ValidationError(_("Deze koppeling is al losgemaakt."))
    link.undone_at, link.undone_by, link.undo_reason = timezone.now(), by, reason.strip()
    link.save()
    DuplicateCandidate.objects.filter(pk=link.candidate_id).update(
        status=DuplicateCandidate.Status.OPEN, decided_by=None, decided_at=None
    )
    return link


# Intake ------------------------------------------------------------------------------------------

MEDICAL_PERFORMER_KINDS: dict[str, set[str]] = {
    Policy.MedicalIntakeBy.GGD: {Organisation.Kind.GGD},
    Policy.MedicalIntakeBy.NURSE: {Organisation.Kind.GGD, Organisation.Kind.NGO},
    Policy.MedicalIntakeBy.NGO: {Organisation.Kind.NGO, Organisation.Kind.GGD},
}


@transaction.atomic
def identity_investigation_record(
    *, stay: Stay, by: User, result: str, concluded_on: dt.date, note: str = ""
) -> IdentityInvestigation:
    if not _policy(stay.lvv).avim_identity_check:
        raise ValidationError(
            _("{lvv} laat geen identiteitsonderzoek door AVIM doen.").format(lvv=stay.lvv.name)
        )
    if _org_kind(by) != Organisation.Kind.AVIM:
        raise ValidationError(_("Alleen AVIM legt het identiteitsonderzoek vast."))
    if result not in IdentityInvestigation.Result.values:
        raise ValidationError({"result": _("Kies de uitkomst van het onderzoek.")})
    _check_not_in_future("concluded_on", concluded_on)
    return IdentityInvestigation.objects.create(
        stay=stay, result=result, concluded_on=concluded_on, note=note.strip(), recorded_by=by
    )


@transaction.atomic
def medical_intake_record(
    *, stay: Stay, by: User, held_on: dt.date, shelter_advice: str, note: str = ""
) -> MedicalIntake:
    policy = _policy(stay.lvv)
    allowed = MEDICAL_PERFORMER_KINDS.get(policy.medical_intake_by)
    if not allowed:
        raise ValidationError(_("{lvv} heeft geen medische intake.").format(lvv=stay.lvv.name))
    if _org_kind(by) not in allowed:
        raise ValidationError(
            _("In {lvv} doet {who} de medische intake.").format(
                lvv=stay.lvv.name, who=policy.get_medical_intake_by_display()
            )
        )
    if shelter_advice not in MedicalIntake.ShelterAdvice.values:
        raise ValidationError({"shelter_advice": _("Kies een advies over de soort opvang.")})
    _check_not_in_future("held_on", held_on)
    return MedicalIntake.objects.create(
        stay=stay,
        performed_by_kind=policy.medical_intake_by,
        held_on=held_on,
        shelter_advice=shelter_advice,
        note=note.strip(),
        recorded_by=by,
    )


@transaction.atomic
def legal_check_open(*, stay: Stay, by: User, on: dt.date) -> LegalCheck:
    """Start the joint legal check: one empty section per party; due within the LVV's norm."""
    if LegalCheck.objects.filter(stay=stay).exists():
        raise ValidationError(_("Voor dit verblijf loopt al een juridische check."))
    norm = _policy(stay.lvv).legal_check_norm_days
    check = LegalCheck.objects.create(
        stay=stay, opened_on=on, due_on=on + dt.timedelta(days=norm), opened_by=by
    )
    LegalCheckSection.objects.bulk_create(
        [LegalCheckSection(legal_check=check, party=p) for p in Party.values]
    )
    return check


PARTY_OF_KIND: dict[str, str] = {
    Organisation.Kind.IND: Party.IND,
    Organisation.Kind.DTV: Party.DTV,
    Organisation.Kind.NGO: Party.NGO,
}


def party_of(user: User) -> str | None:
    return PARTY_OF_KIND.get(_org_kind(user))


@transaction.atomic
def legal_check_answer(
    *, section: LegalCheckSection, by: User, answers: dict[str, str]
) -> LegalCheckSection:
    """Fill in one party's own section. Only that row is written, so the parties can work at the
    same time; a party cannot write another party's section."""
    if party_of(by) != section.party:
        raise ValidationError(
            _("Alleen {party} vult dit onderdeel in.").format(party=section.get_party_display())
        )
    fields = [name for name, _label in SECTION_FIELDS[section.party]]
    errors = {
        name: _("Vul dit in (schrijf 'geen' als er niets te melden is).")
        for name in fields
        if not (answers.get(name) or "").strip()
    }
    if errors:
        raise ValidationError(errors)
    locked = LegalCheckSection.objects.select_for_update().get(pk=section.pk)
    for name in fields:
        setattr(locked, name, answers[name].strip())
    locked.answered_by, locked.organisation, locked.answered_at = (
        by,
        by.organisation,
        timezone.now(),
    )
    locked.save(update_fields=[*fields, "answered_by", "organisation", "answered_at"])
    return locked


# Meetings and decisions --------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    lvv: LVV,
    by: User,
    kind: str,
    held_on: dt.date,
    title: str = "",
    scope_organisation: Organisation | None = None,
    participants: Iterable[Organisation] = (),
    propose_agenda: bool = True,
) -> Meeting:
    if kind not in Meeting.Kind.values:
        raise ValidationError({"kind": _("Kies de soort overleg.")})
    if kind in (Meeting.Kind.NGO, Meeting.Kind.CLUSTER) and scope_organisation is None:
        raise ValidationError(
            {"scope_organisation": _("Kies de organisatie of het cluster waarvoor dit overleg is.")}
        )
    meeting = Meeting.objects.create(
        lvv=lvv,
        kind=kind,
        held_on=held_on,
        title=title.strip(),
        scope_organisation=scope_organisation,
        created_by=by,
    )
    for org in participants:
        MeetingParticipant.objects.get_or_create(meeting=meeting, organisation=org)
    if propose_agenda:
        meeting_apply_agenda(meeting=meeting)
    return meeting


@transaction.atomic
def meeting_apply_agenda(*, meeting: Meeting) -> list[AgendaItem]:
    """Put the system's proposal on the agenda (cases already on it keep their place)."""
    existing = set(meeting.agenda.values_list("stay_id", flat=True))
    position = meeting.agenda.count()
    created = []
    for stay, reasons in selectors.agenda_proposal(meeting):
        if stay.pk in existing:
            continue
        position += 1
        created.append(
            AgendaItem.objects.create(
                meeting=meeting, stay=stay, reasons=reasons, position=position
            )
        )
    return created


@transaction.atomic
def agenda_add(*, meeting: Meeting, stay: Stay) -> AgendaItem:
    if stay.lvv_id != meeting.lvv_id:
        raise ValidationError(_("Dit verblijf hoort niet bij de LVV van dit overleg."))
    item, _created = AgendaItem.objects.get_or_create(
        meeting=meeting,
        stay=stay,
        defaults={"reasons": [AgendaItem.Reason.MANUAL], "position": meeting.agenda.count() + 1},
    )
    return item


def _check_decision_source(stay: Stay, meeting: Meeting | None, decider: str) -> None:
    if meeting is None and not decider.strip():
        raise ValidationError(
            _(
                "Een besluit heeft een overleg of een beslisser nodig. Kies het overleg of vul in wie besloot."
            )
        )
    if meeting is not None and meeting.lvv_id != stay.lvv_id:
        raise ValidationError({"meeting": _("Dit overleg hoort niet bij de LVV van dit verblijf.")})


@transaction.atomic
def decision_record(
    *,
    stay: Stay,
    by: User,
    kind: str,
    decided_on: dt.date,
    meeting: Meeting | None = None,
    decider: str = "",
    scenario: str = "",
    text: str = "",
    expected_version: int | None = None,
) -> Decision:
    """Record a decision on one case. A scenario decision sets the stay's scenario (an event) and
    records whether it was taken in the LSO or by a party alone."""
    _check_decision_source(stay, meeting, decider)
    if kind not in Decision.Kind.values:
        raise ValidationError({"kind": _("Kies de soort besluit.")})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("Een besluit kan niet in de toekomst liggen.")})
    event = None
    if kind == Decision.Kind.SCENARIO:
        if scenario not in Scenario.values:
            raise ValidationError({"scenario": _("Kies het begeleidingsscenario.")})
        in_lso = meeting is not None and meeting.kind in (
            Meeting.Kind.LSO,
            Meeting.Kind.NGO,
            Meeting.Kind.CLUSTER,
        )
        event = registry.stay_set_scenario(
            stay=stay,
            scenario=scenario,
            on=decided_on,
            by=by,
            discussed_in_lso=in_lso,
            expected_version=expected_version,
            source_ref=f"overleg {meeting.pk}" if meeting else "",
            data={
                **({"meeting_id": meeting.pk} if meeting else {}),
                **({"decider": decider.strip()} if decider.strip() else {}),
            },
        )
    elif not text.strip():
        raise ValidationError({"text": _("Beschrijf het besluit.")})
    decision = Decision.objects.create(
        stay=stay,
        meeting=meeting,
        decider="" if meeting else decider.strip(),
        kind=kind,
        scenario=scenario if kind == Decision.Kind.SCENARIO else "",
        text=text.strip(),
        decided_on=decided_on,
        event=event,
        recorded_by=by,
    )
    if meeting is not None:
        AgendaItem.objects.filter(meeting=meeting, stay=stay).update(discussed=True)
    return decision


# Actions -----------------------------------------------------------------------------------------


def _check_deadline(due_on: dt.date | None, reason: str) -> None:
    if due_on is None:
        raise ValidationError({"due_on": _("Geef een deadline.")})
    if due_on < timezone.localdate() and not reason.strip():
        raise ValidationError(
            {
                "due_on": _(
                    "Deze deadline ligt in het verleden. Kies een latere datum of geef een reden."
                )
            }
        )


@transaction.atomic
def action_create(
    *,
    stay: Stay,
    by: User,
    description: str,
    responsible_organisation: Organisation,
    due_on: dt.date,
    responsible_user: User | None = None,
    meeting: Meeting | None = None,
    reason: str = "",
) -> Action:
    if not description.strip():
        raise ValidationError({"description": _("Beschrijf de actie.")})
    _check_deadline(due_on, reason)
    if (
        responsible_user is not None
        and responsible_user.organisation_id != responsible_organisation.pk
    ):
        raise ValidationError(
            {"responsible_user": _("Deze medewerker hoort niet bij de gekozen organisatie.")}
        )
    action = Action.objects.create(
        stay=stay,
        description=description.strip(),
        responsible_organisation=responsible_organisation,
        responsible_user=responsible_user,
        due_on=due_on,
        meeting=meeting,
        created_by=by,
    )
    ActionDeadlineChange.objects.create(
        action=action, old_due_on=None, new_due_on=due_on, reason=reason.strip(), changed_by=by
    )
    if meeting is not None:
        Decision.objects.create(
            stay=stay,
            meeting=meeting,
            kind=Decision.Kind.ACTION,
            text=f"{action.description} (uiterlijk {due_on:%d-%m-%Y})",
            decided_on=meeting.held_on,
            recorded_by=by,
        )
    return action


@transaction.atomic
def action_reset_deadline(*, action: Action, by: User, new_due_on: dt.date, reason: str) -> Action:
    """Set a new deadline: always with a reason (the trail of what was promised)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Geef de reden waarom de deadline verandert.")})
    _check_deadline(new_due_on, reason)
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status != Action.Status.OPEN:
        raise ValidationError(_("Deze actie is al afgerond of vervallen."))
    ActionDeadlineChange.objects.create(
        action=action,
        old_due_on=action.due_on,
        new_due_on=new_due_on,
        reason=reason.strip(),
        changed_by=by,
    )
    action.due_on = new_due_on
    action.save(update_fields=["due_on"])
    return action


@transaction.atomic
def action_complete(*, action: Action, by: User, on: dt.date, cancelled: bool = False) -> Action:
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status != Action.Status.OPEN:
        raise ValidationError(_("Deze actie is al afgerond of vervallen."))
    _check_not_in_future("on", on)
    action.status = Action.Status.CANCELLED if cancelled else Action.Status.DONE
    action.completed_on = on
    action.save(update_fields=["status", "completed_on"])
    return action


# Maximum stay and extensions ---------------------------------------------------------------------

EXTENSION_REASON_LABELS = {
    "medical": _("Medische redenen"),
    "documents": _("Verzamelen van documenten"),
    "procedure": _("Lopende procedure"),
}


@transaction.atomic
def stay_extend(
    *,
    stay: Stay,
    by: User,
    on: dt.date,
    reason: str,
    durable_prospect: bool,
    meeting: Meeting | None = None,
    decider: str = "",
    note: str = "",
) -> Event:
    """Extend a stay under the LVV's policy: allowed reasons, a durable prospect where required,
    never beyond the absolute maximum. Appends a `stay_extended` event (until, reason, meeting)."""
    _check_decision_source(stay, meeting, decider)
    policy = _policy(stay.lvv)
    if stay.status != "admitted":
        raise ValidationError(_("Alleen een lopend verblijf kan worden verlengd."))
    if not policy.max_stay_days:
        raise ValidationError(
            _("{lvv} kent geen maximale verblijfsduur.").format(lvv=stay.lvv.name)
        )
    if not policy.extension_reasons or not policy.extension_days:
        raise ValidationError(
            _("In {lvv} kan een verblijf niet worden verlengd.").format(lvv=stay.lvv.name)
        )
    if reason not in policy.extension_reasons:
        allowed = ", ".join(
            str(EXTENSION_REASON_LABELS.get(r, r)) for r in policy.extension_reasons
        )
        raise ValidationError(
            {
                "reason": _("Kies een reden die {lvv} toestaat: {allowed}.").format(
                    lvv=stay.lvv.name, allowed=allowed
                )
            }
        )
    if policy.extension_requires_durable_prospect and not durable_prospect:
        raise ValidationError(
            {
                "durable_prospect": _(
                    "In {lvv} wordt alleen verlengd als het LSO een bestendige oplossing verwacht."
                ).format(lvv=stay.lvv.name)
            }
        )
    current_end = selectors.stay_end_date(stay)
    if current_end is None:  # an admitted stay without its admission date
        raise ValidationError(_("Alleen een lopend verblijf kan worden verlengd."))
    until = current_end + dt.timedelta(days=policy.extension_days)
    absolute = selectors.stay_absolute_end(stay)
    if absolute is not None:
        if current_end >= absolute:
            raise ValidationError(
                _(
                    "Het absolute maximum van {lvv} ({date}) is bereikt; verlengen kan niet meer."
                ).format(lvv=stay.lvv.name, date=absolute.strftime("%d-%m-%Y"))
            )
        until = min(until, absolute)
    event = registry._stay_event(
        stay=stay,
        kind=EventKind.STAY_EXTENDED,
        on=on,
        by=by,
        data={
            "until": until.isoformat(),
            "reason": reason,
            "durable_prospect": durable_prospect,
            **({"meeting_id": meeting.pk} if meeting else {"decider": decider.strip()}),
        },
        source_ref=f"overleg {meeting.pk}" if meeting else "",
    )
    Decision.objects.create(
        stay=stay,
        meeting=meeting,
        decider="" if meeting else decider.strip(),
        kind=Decision.Kind.EXTENSION,
        text=f"Verlengd tot {until:%d-%m-%Y} ({EXTENSION_REASON_LABELS.get(reason, reason)}). {note}".strip(),
        decided_on=on,
        event=event,
        recorded_by=by,
    )
    return event


# Escalation --------------------------------------------------------------------------------------


@transaction.atomic
def escalation_propose(
    *,
    stay: Stay,
    by: User,
    level: str,
    question: str,
    positions: dict[str, str],
    on: dt.date,
    meeting: Meeting | None = None,
    decider: str = "",
) -> Escalation:
    """Escalate a case; the dossier is assembled from the case as it is now."""
    _check_decision_source(stay, meeting, decider)
    if level not in Escalation.Level.values:
        raise ValidationError({"level": _("Kies naar wie wordt opgeschaald.")})
    if not question.strip():
        raise ValidationError({"question": _("Formuleer de vraag aan het gremium.")})
    clean = {k: v.strip() for k, v in positions.items() if v and v.strip()}
    if len(clean) < 2:
        raise ValidationError(
            {
                "positions": _(
                    "Geef de standpunten van ten minste twee partijen: waar verschillen ze?"
                )
            }
        )
    escalation = Escalation(
        stay=stay,
        level=level,
        question=question.strip(),
        positions=clean,
        proposed_on=on,
        meeting=meeting,
        created_by=by,
    )
    escalation.dossier = selectors.escalation_dossier(stay, escalation=escalation)
    escalation.save()
    Decision.objects.create(
        stay=stay,
        meeting=meeting,
        decider="" if meeting else decider.strip(),
        kind=Decision.Kind.ESCALATION,
        text=f"Opgeschaald naar {escalation.get_level_display()}: {escalation.question}",
        decided_on=on,
        recorded_by=by,
    )
    return escalation


@transaction.atomic
def escalation_submit(*, escalation: Escalation, by: User, on: dt.date) -> Escalation:
    if escalation.status != Escalation.Status.PROPOSED:
        raise ValidationError(_("Deze opschaling is al ingediend."))
    escalation.dossier = selectors.escalation_dossier(escalation.stay, escalation=escalation)
    escalation.status, escalation.submitted_on = Escalation.Status.SUBMITTED, on
    escalation.save()
    return escalation


@transaction.atomic
def escalation_record_advice(
    *, escalation: Escalation, by: User, advice: str, advised_on: dt.date, follow_up: str = ""
) -> Escalation:
    if not advice.strip():
        raise ValidationError({"advice": _("Vul het advies in.")})
    _check_not_in_future("advised_on", advised_on)
    if escalation.submitted_on and advised_on < escalation.submitted_on:
        raise ValidationError({"advised_on": _("Het advies ligt vóór de indiening.")})
    escalation.advice, escalation.advised_on = advice.strip(), advised_on
    escalation.follow_up = follow_up.strip()
    escalation.status = Escalation.Status.CLOSED if follow_up.strip() else Escalation.Status.ADVISED
    if escalation.submitted_on is None:
        escalation.submitted_on = advised_on
    escalation.save()
    return escalation


# Outflow and moving to another LVV -------------------------------------------------------------


@transaction.atomic
def outflow_register(
    *,
    stay: Stay,
    by: User,
    kind: str,
    on: dt.date,
    follow_up: str = "",
    follow_up_on: dt.date | None = None,
    note: str = "",
) -> Event:
    if on > timezone.localdate():
        raise ValidationError({"on": _("De datum van uitstroom ligt in de toekomst.")})
    event = registry.stay_register_outflow(
        stay=stay, kind=kind, on=on, by=by, data={"note": note.strip()} if note.strip() else {}
    )
    if follow_up:
        registry.stay_register_follow_up(stay=stay, follow_up=follow_up, on=follow_up_on, by=by)
    return event


@transaction.atomic
def follow_up_register(*, stay: Stay, by: User, follow_up: str, on: dt.date | None) -> Event:
    if follow_up not in FollowUp.values:
        raise ValidationError({"follow_up": _("Kies het vervolg.")})
    return registry.stay_register_follow_up(stay=stay, follow_up=follow_up, on=on, by=by)


@transaction.atomic
def stay_transfer(
    *,
    previous: Stay,
    to_lvv: LVV,
    by: User,
    on: dt.date,
    organisation: Organisation | None = None,
) -> Stay:
    """Register the person at another LVV after an outflow 'LVV in andere gemeente': the new stay
    points to the previous one, so the receiving LVV sees where the person came from."""
    if previous.status != "left" or previous.outflow_type != OutflowType.OTHER_LVV:
        raise ValidationError(
            _("Registreer eerst de uitstroom 'LVV in andere gemeente' bij het vorige verblijf.")
        )
    if to_lvv.pk == previous.lvv_id:
        raise ValidationError({"to_lvv": _("Kies een andere LVV.")})
    if previous.outflow_date and on < previous.outflow_date:
        raise ValidationError({"on": _("De aanmelding ligt vóór de uitstroom uit de vorige LVV.")})
    stay = registry.stay_register(
        person=previous.person,
        lvv=to_lvv,
        registration_date=on,
        by=by,
        organisation=organisation,
        previous_stay=previous,
    )
    AdmissionCheck.objects.create(
        stay=stay,
        channel=AdmissionCheck.Channel.REFERRAL,
        referred_by=previous.lvv.municipality,
        recorded_by=by,
    )
    return stay


def _may_link(stay: Stay, by: User) -> None:
    """Linking and undoing a link take what changing the stay takes (the gate's rule); the view
    reached the stay through the gate already, this keeps every other caller to the same rule."""
    if not gate.can_change_stay(by, stay):
        raise PermissionDenied(_("Uw rol mag de koppeling van dit verblijf niet wijzigen."))


@transaction.atomic
def stay_link_previous(*, stay: Stay, previous_stay_id: uuid.UUID, by: User) -> Stay:
    """The receiving LVV links a new registration to the person's stay in another LVV, found
    through the national duplicate check (and confirmed as the same person) or of the same
    record: open, or closed within `selectors.TRANSFER_RECENT_DAYS`. `Stay.previous_stay` is a
    structural link outside the event fold, set while empty (ADR 0055); a `StayLink` row records
    who linked it and when (ADR 0106). The stay's version increases, so that someone holding the
    page gets a conflict instead of undoing a link they never saw. The sending LVV then sees where
    the person went, and the receiving LVV what its role and consent allow of the earlier stay."""
    _may_link(stay, by)
    stay = Stay.objects.select_for_update().get(pk=stay.pk)
    if stay.previous_stay_id:
        raise ValidationError(_("Dit verblijf is al gekoppeld aan een vorig verblijf."))
    sources = {s["stay_id"]: s for s in selectors.transfer_sources(stay)}
    if previous_stay_id not in sources:
        raise ValidationError(
            _(
                "Dat verblijf komt niet in aanmerking: koppel alleen een lopend of recent "
                "afgesloten verblijf in een andere LVV van dezelfde persoon (eerst bevestigd als "
                "dezelfde persoon bij de dubbele registraties)."
            )
        )
    Stay.objects.filter(pk=stay.pk, previous_stay__isnull=True).update(
        previous_stay_id=previous_stay_id, version=F("version") + 1, updated_at=timezone.now()
    )
    StayLink.objects.create(stay=stay, previous_stay_id=previous_stay_id, linked_by=by)
    previous = Stay.objects.get(pk=previous_stay_id)
    log_access(
        by,
        persons=sorted({stay.person_id, previous.person_id}, key=str),
        stay_id=stay.pk,
        operation="link_previous_stay",
        activity=ProcessingActivity.REGISTRATION,
        categories=("identity",),
    )
    stay.refresh_from_db()
    return stay


@transaction.atomic
def stay_link_undo(
    *, stay: Stay, by: User, reason: str, expected_version: int | None = None
) -> StayLink:
    """Undo the case page's link to a previous stay (ADR 0106): `Stay.previous_stay` is cleared,
    so the sending LVV no longer sees "Doorgestroomd naar" and every consumer follows; the
    `StayLink` row keeps who linked and who undid it, when and why. Afterwards the stay can be
    linked again, to the same or another stay. With `expected_version` (the case page sends the
    version it showed) a change made meanwhile is a ConflictError, never a lost update. A link
    made at registration by the sending LVV (`stay_transfer`) is part of that registration and is
    refused here."""
    _may_link(stay, by)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Geef aan waarom de koppeling wordt losgemaakt.")})
    stay = Stay.objects.select_for_update().get(pk=stay.pk)
    if expected_version is not None and stay.version != expected_version:
        raise ConflictError()
    if stay.previous_stay_id is None:
        raise ValidationError(_("Dit verblijf is niet (meer) gekoppeld aan een vorig verblijf."))
    link = (
        StayLink.objects.select_for_update()
        .filter(stay=stay, undone_at__isnull=True, previous_stay_id=stay.previous_stay_id)
        .first()
    )
    if link is None:
        raise ValidationError(
            _(
                "Deze koppeling is gemaakt bij de aanmelding vanuit de vorige LVV (overplaatsing) "
                "en hoort bij die aanmelding; ze kan hier niet worden losgemaakt. Neem contact op "
                "met die LVV als de overplaatsing niet klopt."
            )
        )
    Stay.objects.filter(pk=stay.pk, previous_stay_id=link.previous_stay_id).update(
        previous_stay=None, version=F("version") + 1, updated_at=timezone.now()
    )
    link.undone_at, link.undone_by, link.undo_reason = timezone.now(), by, reason
    link.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    previous_person = Stay.objects.filter(pk=link.previous_stay_id).values_list(
        "person_id", flat=True
    )[0]
    log_access(
        by,
        persons=sorted({stay.person_id, previous_person}, key=str),
        stay_id=stay.pk,
        operation="unlink_previous_stay",
        activity=ProcessingActivity.REGISTRATION,
        categories=("identity",),
    )
    return link


# Documents ---------------------------------------------------------------------------------------

MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSION_FOR = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniff_content_type(head: bytes) -> str | None:
    for content_type, signatures in MAGIC.items():
        if any(head.startswith(sig) for sig in signatures):
            return content_type
    return None


@transaction.atomic
def document_upload(*, stay: Stay, by: User, kind: str, title: str, upload: Any) -> Document:
    """Store an uploaded file encrypted, after checking its real type (magic bytes, not the
    name) and its size. Where the signed intake form is the moment of admission, a form for a
    person not yet admitted is registered at the admission (it admits), not here."""
    if (
        kind == Document.Kind.INTAKE_FORM
        and stay.status in ("registered", "waiting")
        and _policy(stay.lvv).admission_by_signed_intake_form
    ):
        raise ValidationError(
            {
                "kind": _(
                    "In {lvv} is het ondertekende intakeformulier de toelating. Registreer het "
                    "bij 'Aanmelding en toelating' (Ondertekend intakeformulier registreren)."
                ).format(lvv=stay.lvv.name)
            }
        )
    return _document_store(stay=stay, by=by, kind=kind, title=title, upload=upload)


def _document_store(*, stay: Stay, by: User, kind: str, title: str, upload: Any) -> Document:
    max_bytes = getattr(settings, "LVV_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
    if kind not in Document.Kind.values:
        raise ValidationError({"kind": _("Kies de soort document.")})
    if not title.strip():
        raise ValidationError({"title": _("Geef een korte omschrijving.")})
    if upload is None:
        raise ValidationError({"upload": _("Kies een bestand.")})
    if upload.size > max_bytes:
        raise ValidationError(
            {
                "upload": _("Het bestand is te groot ({size} MB); het maximum is {max} MB.").format(
                    size=round(upload.size / 1048576, 1), max=round(max_bytes / 1048576, 1)
                )
            }
        )
    data = upload.read()
    content_type = sniff_content_type(data[:16])
    if content_type is None:
        raise ValidationError(
            {
                "upload": _(
                    "Alleen PDF-, JPEG- en PNG-bestanden zijn toegestaan. Dit bestand is dat niet."
                )
            }
        )
    if not data:
        raise ValidationError({"upload": _("Het bestand is leeg.")})
    base = (getattr(upload, "name", "") or "document").rsplit("/", 1)[-1][:150]
    return Document.objects.create(
        stay=stay,
        kind=kind,
        title=title.strip(),
        filename=base,
        content_type=content_type,
        size=len(data),
        content=field_fernet().encrypt(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=by,
    )


def document_read(*, document: Document, by: User, channel: str = "web") -> bytes:
    """The decrypted content; every read is recorded in the access log."""
    data = field_fernet().decrypt(bytes(document.content))
    log_access(
        by,
        persons=[document.stay.person_id],
        stay_id=document.stay_id,
        operation="download",
        activity=ProcessingActivity.CASE_MANAGEMENT,
        channel=channel,
        categories=document.categories,
    )
    return data


# Activation and daily life -----------------------------------------------------------------------


@transaction.atomic
def activity_create(
    *,
    stay: Stay,
    by: User,
    kind: str,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    portfolio: str = "",
) -> Activity:
    if kind not in Activity.Kind.values:
        raise ValidationError({"kind": _("Kies de soort activiteit.")})
    if not title.strip():
        raise ValidationError({"title": _("Geef een omschrijving.")})
    if ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("Het einde ligt vóór de start.")})
    return Activity.objects.create(
        stay=stay,
        kind=kind,
        title=title.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        portfolio=portfolio.strip(),
        recorded_by=by,
    )


@transaction.atomic
def attendance_record(*, activity: Activity, by: User, on: dt.date, present: bool) -> Attendance:
    _check_not_in_future("on", on)
    if on < activity.starts_on or (activity.ends_on and on > activity.ends_on):
        raise ValidationError({"on": _("Deze datum valt buiten de periode van de activiteit.")})
    row, _created = Attendance.objects.update_or_create(
        activity=activity, on=on, defaults={"present": present}
    )
    return row


@transaction.atomic
def allowance_record(
    *, stay: Stay, by: User, period_start: dt.date, amount_cents: int, paid_on: dt.date
) -> LivingAllowancePayment:
    if not _policy(stay.lvv).pays_living_allowance:
        raise ValidationError(_("{lvv} verstrekt geen leefgeld.").format(lvv=stay.lvv.name))
    if amount_cents <= 0:
        raise ValidationError({"amount": _("Geef een bedrag groter dan nul.")})
    if LivingAllowancePayment.objects.filter(stay=stay, period_start=period_start).exists():
        raise ValidationError({"period_start": _("Voor deze periode is al leefgeld vastgelegd.")})
    return LivingAllowancePayment.objects.create(
        stay=stay,
        period_start=period_start,
        amount_cents=amount_cents,
        paid_on=paid_on,
        recorded_by=by,
    )


# Forced departure safeguard --------------------------------------------------------------------


@transaction.atomic
def forced_departure_ngo_check(
    *, stay: Stay, by: User, asked_on: dt.date, no_objection: bool, ngo_answer: str = ""
) -> ForcedDepartureCheck:
    """DT&V records that the guiding NGO was asked and what it answered."""
    if _org_kind(by) != Organisation.Kind.DTV:
        raise ValidationError(_("Alleen DT&V legt de navraag bij de organisatie vast."))
    if stay.organisation_id is None:
        raise ValidationError(_("Dit verblijf heeft geen begeleidende organisatie om te vragen."))
    _check_not_in_future("asked_on", asked_on)
    return ForcedDepartureCheck.objects.create(
        stay=stay,
        ngo_id=stay.organisation_id,
        asked_on=asked_on,
        no_objection=no_objection,
        ngo_answer=ngo_answer.strip(),
        recorded_by=by,
    )


@transaction.atomic
def forced_departure_start(*, stay: Stay, by: User, on: dt.date) -> ForcedDepartureCheck:
    """Set forced departure in motion. Where the LVV's policy requires it, only after the guiding
    NGO was asked and had no objection."""
    if _org_kind(by) != Organisation.Kind.DTV:
        raise ValidationError(_("Alleen DT&V zet gedwongen vertrek in gang."))
    if _policy(stay.lvv).forced_departure_requires_ngo_check:
        check = (
            ForcedDepartureCheck.objects.filter(stay=stay, asked_on__isnull=False)
            .order_by("-recorded_at")
            .first()
        )
        if check is None:
            raise ValidationError(
                _("Vraag eerst de begeleidende organisatie of zij bezwaar heeft ({lvv}).").format(
                    lvv=stay.lvv.name
                )
            )
        if not check.no_objection:
            raise ValidationError(
                _(
                    "De begeleidende organisatie heeft bezwaar; gedwongen vertrek kan niet in gang worden gezet."
                )
            )
        check.started_on = on
        check.save(update_fields=["started_on"])
        return check
    return ForcedDepartureCheck.objects.create(stay=stay, started_on=on, recorded_by=by)
