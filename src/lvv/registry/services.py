"""Writes to the register. Every change appends an event in the same transaction and re-derives the
current state from the events (lvv.registry.history); invariants are checked on that derived state,
so an event that would make a stay impossible is refused and nothing is written.

Callers (views, API, imports) reach persons and stays through lvv.access first; these functions
assume the caller may act."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lvv.accounts.models import Organisation, User
from lvv.registry.history import PersonState, StayState, person_state, stay_state
from lvv.registry.models import LVV, Event, EventKind, Location, Person, PersonAlias, Stay
from lvv.registry.models.stay import OPEN_STATUSES
from lvv.registry.taxonomy import (
    FOLLOW_UPS_FOR,
    FollowUp,
    Gender,
    OutflowType,
    Scenario,
    TargetGroup,
)

PERSON_FIELDS = tuple(PersonState.__dataclass_fields__)

# The Stay columns that are a projection of its events (rebuilt by `stay_rebuild`; the bulk import
# writes the same columns).
STAY_PROJECTION = (
    "status",
    "target_group",
    "correspondence_number",
    "reported_municipality",
    "registration_date",
    "admission_date",
    "scenario",
    "scenario_date",
    "scenario_discussed_in_lso",
    "organisation_id",
    "location_id",
    "outflow_date",
    "outflow_type",
    "follow_up",
    "follow_up_date",
    "last_valid_on",
)


class ConflictError(Exception):
    """Someone else changed the case since the editor loaded it."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Dit dossier is intussen door iemand anders gewijzigd. Laad de pagina opnieuw en controleer de wijziging."
            )
        )


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


class _Provenance(TypedDict):
    """Who recorded events, from where and when: the same for every event of one change."""

    by: User | None
    source: str
    source_ref: str
    recorded_at: dt.datetime | None


def _append(
    *,
    person: Person,
    stay: Stay | None,
    kind: str,
    valid_on: dt.date | None,
    by: User | None,
    source: str,
    source_ref: str = "",
    data: dict[str, Any] | None = None,
    supersedes: Event | None = None,
    recorded_at: dt.datetime | None = None,
) -> Event:
    return Event.objects.create(
        person=person,
        stay=stay,
        kind=kind,
        valid_on=valid_on,
        recorded_at=recorded_at or timezone.now(),
        recorded_by=by if by is not None and by.pk else None,
        organisation=getattr(by, "organisation", None),
        source=source,
        source_ref=source_ref,
        data={k: _json(v) for k, v in (data or {}).items()},
        supersedes=supersedes,
    )


# Persons -----------------------------------------------------------------------------------------


def _validate_person(state: PersonState) -> None:
    errors: dict[str, str] = {}
    if state.v_number and not (len(state.v_number) == 10 and state.v_number.isdigit()):
        errors["v_number"] = _("Een V-nummer bestaat uit precies 10 cijfers.")
    if state.birth_date and state.birth_year and state.birth_date.year != state.birth_year:
        errors["birth_year"] = _("Het geboortejaar past niet bij de geboortedatum.")
    if state.birth_date and state.birth_date > timezone.localdate():
        errors["birth_date"] = _("De geboortedatum ligt in de toekomst.")
    if state.birth_year is not None and not 1900 <= state.birth_year <= timezone.localdate().year:
        errors["birth_year"] = _("Geef een geboortejaar tussen 1900 en dit jaar.")
    if state.gender not in Gender.values:
        errors["gender"] = _("Onbekend geslacht.")
    if errors:
        raise ValidationError(errors)


def person_rebuild(person: Person) -> Person:
    state = person_state(person.events.all())
    _validate_person(state)
    for attr in PERSON_FIELDS:
        setattr(person, attr, getattr(state, attr))
    if person.birth_date and not person.birth_year:
        person.birth_year = person.birth_date.year
    person.save()
    return person


@transaction.atomic
def person_create(
    *,
    by: User | None,
    source: str = "web",
    source_ref: str = "",
    recorded_at: dt.datetime | None = None,
    aliases: Iterable[tuple[str, str]] = (),
    **attrs: Any,
) -> Person:
    """Record a new person. `attrs` are PersonState fields (v_number, given_names, ...)."""
    unknown = set(attrs) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown person attributes: {sorted(unknown)}")
    if attrs.get("birth_date") and not attrs.get("birth_year"):
        attrs["birth_year"] = attrs["birth_date"].year
    person = Person.objects.create()
    _append(
        person=person,
        stay=None,
        kind=EventKind.PERSON_RECORDED,
        valid_on=None,
        by=by,
        source=source,
        source_ref=source_ref,
        data={k: v for k, v in attrs.items() if v not in (None, "")},
        recorded_at=recorded_at,
    )
    for given, family in aliases:
        PersonAlias.objects.create(person=person, given_names=given, family_name=family)
    return person_rebuild(person)


@transaction.atomic
def person_correct(
    *,
    person: Person,
    by: User | None,
    changes: dict[str, Any],
    source: str = "web",
    source_ref: str = "",
    recorded_at: dt.datetime | None = None,
) -> Event | None:
    """Record changed attributes of a person; nothing is recorded when nothing changes."""
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown person attributes: {sorted(unknown)}")
    changed = {k: v for k, v in changes.items() if getattr(person, k) != v}
    if not changed:
        return None
    event = _append(
        person=person,
        stay=None,
        kind=EventKind.PERSON_CORRECTED,
        valid_on=None,
        by=by,
        source=source,
        source_ref=source_ref,
        data=changed,
        recorded_at=recorded_at,
    )
    person_rebuild(person)
    return event


# Stays -------------------------------------------------------------------------------------------


# The choices' values, computed once (TextChoices.values builds a new list on every access; the
# import validates 100,000 stays with this function).
_TARGET_GROUPS = frozenset(TargetGroup.values)
_SCENARIOS = frozenset(Scenario.values)
_OUTFLOW_TYPES = frozenset(OutflowType.values)


def _validate_stay(state: StayState) -> None:
    errors: dict[str, str] = {}
    if state.outflow_date is not None:
        if state.admission_date is None:
            errors["outflow_date"] = _("Uitstroom kan pas worden geregistreerd na toelating.")
        elif state.outflow_date < state.admission_date:
            errors["outflow_date"] = _(
                "De datum van uitstroom ligt vóór de datum van toelating ({date})."
            ).format(date=state.admission_date.strftime("%d-%m-%Y"))
    if state.follow_up:
        allowed = FOLLOW_UPS_FOR.get(state.outflow_type, frozenset())
        if state.follow_up not in allowed:
            errors["follow_up"] = _(
                "Vervolg '{follow}' past niet bij uitstroom '{outflow}'."
            ).format(
                follow=FollowUp(state.follow_up).label,
                outflow=OutflowType(state.outflow_type).label,
            )
        elif (
            state.follow_up_date
            and state.outflow_date
            and state.follow_up_date < state.outflow_date
        ):
            errors["follow_up_date"] = _("Het vervolg kan niet vóór de uitstroom liggen.")
    if state.target_group not in _TARGET_GROUPS:
        errors["target_group"] = _("Onbekende doelgroep.")
    if state.scenario not in _SCENARIOS:
        errors["scenario"] = _("Onbekend begeleidingsscenario.")
    if state.outflow_type and state.outflow_type not in _OUTFLOW_TYPES:
        errors["outflow_type"] = _("Onbekende wijze van uitstroom.")
    if errors:
        raise ValidationError(errors)


def stays_fill_last_valid_on(connection) -> None:
    """Set `Stay.last_valid_on` of every stay from its events in one statement: the latest
    `valid_on` of its events that are not voided, as `history.stay_state` computes it (a void has
    no `valid_on`). For the migration that added the column and for bulk loads that write events
    without the services (bench/load.py); everything else keeps it up to date through
    `stay_rebuild` and the import's `stay_state`."""
    qn = connection.ops.quote_name
    stays, events = qn(Stay._meta.db_table), qn(Event._meta.db_table)
    # SQLite would walk the (stay, recorded_at) index and look up every row (three times slower
    # than scanning the table and sorting); PostgreSQL hashes the groups of a scan by itself.
    scan = f"{events} NOT INDEXED" if connection.vendor == "sqlite" else events
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {stays} SET last_valid_on = a.last FROM ("  # noqa: S608 (quoted names only)
            f" SELECT stay_id, max(valid_on) AS last FROM {scan}"
            " WHERE stay_id IS NOT NULL AND valid_on IS NOT NULL AND kind <> %s"
            f" AND id NOT IN (SELECT supersedes_id FROM {events}"
            "  WHERE kind = %s AND supersedes_id IS NOT NULL)"
            " GROUP BY stay_id"
            f") AS a WHERE {stays}.id = a.stay_id",
            [EventKind.EVENT_VOIDED, EventKind.EVENT_VOIDED],
        )


def stay_rebuild(stay: Stay, *, expected_version: int | None = None) -> Stay:
    """Re-derive the stay's columns from its events, check the invariants and bump its version.

    With `expected_version`, raise ConflictError when the stay changed since that version."""
    state = stay_state(stay.events.all())
    _validate_stay(state)
    if expected_version is not None:
        if not Stay.objects.filter(pk=stay.pk, version=expected_version).update(
            version=F("version") + 1
        ):
            raise ConflictError()
        stay.version = expected_version + 1
    else:
        stay.version += 1
    for attr in STAY_PROJECTION:
        setattr(stay, attr, getattr(state, attr))
    try:
        with transaction.atomic():
            stay.save()
    except IntegrityError as exc:
        message = str(exc)
        if "correspondence" in message:
            raise ValidationError(
                {
                    "correspondence_number": _(
                        "Dit correspondentienummer is in deze LVV al in gebruik."
                    )
                }
            ) from exc
        if "open_stay" in message or "UNIQUE" in message.upper():
            raise ValidationError(
                _("Deze persoon heeft al een lopend verblijf in deze LVV.")
            ) from exc
        raise
    return stay


def _check_guiding_organisation(organisation: Organisation) -> None:
    """The organisation that guides a stay is an NGO (a maatschappelijke organisatie)."""
    if organisation.kind != Organisation.Kind.NGO:
        raise ValidationError(
            {
                "organisation": _(
                    "De begeleidende organisatie moet een maatschappelijke organisatie zijn."
                )
            }
        )


def _locked(stay: Stay) -> Stay:
    """Lock the stay's row for the rest of the transaction (PostgreSQL) so writers queue."""
    return Stay.objects.select_for_update().get(pk=stay.pk)


def _stay_event(
    *,
    stay: Stay,
    kind: str,
    on: dt.date | None,
    by: User | None,
    data: dict[str, Any] | None = None,
    source: str = "web",
    source_ref: str = "",
    expected_version: int | None = None,
    recorded_at: dt.datetime | None = None,
    supersedes: Event | None = None,
) -> Event:
    current = _locked(stay)
    event = _append(
        person=current.person,
        stay=current,
        kind=kind,
        valid_on=on,
        by=by,
        source=source,
        source_ref=source_ref,
        data=data,
        recorded_at=recorded_at,
        supersedes=supersedes,
    )
    stay_rebuild(current, expected_version=expected_version)
    stay.refresh_from_db()
    return event


@transaction.atomic
def stay_register(
    *,
    person: Person,
    lvv: LVV,
    registration_date: dt.date,
    by: User | None,
    target_group: str = TargetGroup.CONVENANT,
    organisation: Organisation | None = None,
    correspondence_number: str = "",
    reported_municipality: str = "",
    previous_stay: Stay | None = None,
    source: str = "web",
    source_ref: str = "",
    recorded_at: dt.datetime | None = None,
) -> Stay:
    """Register a person at an LVV: the start of a stay (not yet admitted)."""
    if Stay.objects.filter(person=person, lvv=lvv, status__in=OPEN_STATUSES).exists():
        raise ValidationError(
            _("Deze persoon heeft al een lopend verblijf in {lvv}.").format(lvv=lvv.name)
        )
    if organisation is not None:
        _check_guiding_organisation(organisation)
    stay = Stay.objects.create(person=person, lvv=lvv, previous_stay=previous_stay)
    common: _Provenance = {
        "by": by,
        "source": source,
        "source_ref": source_ref,
        "recorded_at": recorded_at,
    }
    _append(
        person=person,
        stay=stay,
        kind=EventKind.STAY_REGISTERED,
        valid_on=registration_date,
        data={
            "target_group": target_group,
            "correspondence_number": correspondence_number,
            "reported_municipality": reported_municipality,
            **({"previous_stay_id": str(previous_stay.pk)} if previous_stay else {}),
        },
        **common,
    )
    if organisation is not None:
        _append(
            person=person,
            stay=stay,
            kind=EventKind.ORGANISATION_SET,
            valid_on=registration_date,
            data={"organisation_id": organisation.pk},
            **common,
        )
    return stay_rebuild(stay)


@transaction.atomic
def stay_admit(
    *, stay: Stay, on: dt.date, by: User | None, expected_version: int | None = None, **kw: Any
) -> Event:
    if stay.status in ("left",):
        raise ValidationError(_("Dit verblijf is al beëindigd; registreer een nieuwe aanmelding."))
    if stay.registration_date and on < stay.registration_date:
        raise ValidationError(
            {
                "on": _("De toelating ligt vóór de aanmelding ({date}).").format(
                    date=stay.registration_date.strftime("%d-%m-%Y")
                )
            }
        )
    return _stay_event(
        stay=stay,
        kind=EventKind.STAY_ADMITTED,
        on=on,
        by=by,
        expected_version=expected_version,
        **kw,
    )


@transaction.atomic
def stay_waitlist(
    *, stay: Stay, on: dt.date, by: User | None, expected_version: int | None = None, **kw: Any
) -> Event:
    if stay.status != "registered":
        raise ValidationError(
            _("Alleen een aangemelde persoon die nog niet is toegelaten kan op de wachtlijst.")
        )
    return _stay_event(
        stay=stay,
        kind=EventKind.STAY_WAITLISTED,
        on=on,
        by=by,
        expected_version=expected_version,
        **kw,
    )


@transaction.atomic
def stay_refuse(
    *,
    stay: Stay,
    on: dt.date,
    reason: str,
    by: User | None,
    expected_version: int | None = None,
    **kw: Any,
) -> Event:
    if stay.status not in ("registered", "waiting"):
        raise ValidationError(
            _("Alleen een aanmelding die nog niet is toegelaten kan worden afgewezen.")
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Geef de reden van de afwijzing.")})
    return _stay_event(
        stay=stay,
        kind=EventKind.STAY_REFUSED,
        on=on,
        by=by,
        data={"reason": reason.strip()},
        expected_version=expected_version,
        **kw,
    )


@transaction.atomic
def stay_set_scenario(
    *,
    stay: Stay,
    scenario: str,
    on: dt.date,
    by: User | None,
    discussed_in_lso: bool = True,
    expected_version: int | None = None,
    **kw: Any,
) -> Event:
    if scenario not in Scenario.values:
        raise ValidationError({"scenario": _("Onbekend begeleidingsscenario.")})
    return _stay_event(
        stay=stay,
        kind=EventKind.SCENARIO_SET,
        on=on,
        by=by,
        data={"scenario": scenario, "discussed_in_lso": discussed_in_lso, **kw.pop("data", {})},
        expected_version=expected_version,
        **kw,
    )


@transaction.atomic
def stay_set_organisation(
    *,
    stay: Stay,
    organisation: Organisation,
    on: dt.date,
    by: User | None,
    expected_version: int | None = None,
    **kw: Any,
) -> Event:
    _check_guiding_organisation(organisation)
    return _stay_event(
        stay=stay,
        kind=EventKind.ORGANISATION_SET,
        on=on,
        by=by,
        data={"organisation_id": organisation.pk},
        expected_version=expected_version,
        **kw,
    )


@transaction.atomic
def stay_move_location(
    *,
    stay: Stay,
    location: Location,
    on: dt.date,
    by: User | None,
    expected_version: int | None = None,
    **kw: Any,
) -> Event:
    if location.lvv_id != stay.lvv_id:
        raise ValidationError(
            {"location": _("Deze locatie hoort niet bij de LVV van dit verblijf.")}
        )
    return _stay_event(
        stay=stay,
        kind=EventKind.LOCATION_SET,
        on=on,
        by=by,
        data={"location_id": location.pk},
        expected_version=expected_version,
        **kw,
    )


@transaction.atomic
def stay_correct_details(
    *,
    stay: Stay,
    changes: dict[str, Any],
    by: User | None,
    expected_version: int | None = None,
    **kw: Any,
) -> Event | None:
    """Correct target group, correspondence number or municipality of registration."""
    allowed = {"target_group", "correspondence_number", "reported_municipality"}
    if set(changes) - allowed:
        raise TypeError(f"only {sorted(allowed)} can be corrected this way")
    changed = {k: v for k, v in changes.items() if getattr(stay, k) != v}
    if not changed:
        return None
    return _stay_event(
        stay=stay,
        kind=EventKind.STAY_DETAILS_CORRECTED,
        on=None,
        by=by,
        data=changed,
        expected_version=expected_version,
        **kw,
    )


@transaction.atomic
def stay_register_outflow(
    *,
    stay: Stay,
    kind: str,
    on: dt.date,
    by: User | None,
    expected_version: int | None = None,
    **kw: Any,
) -> Event:
    if kind not in OutflowType.values:
        raise ValidationError({"outflow_type": _("Onbekende wijze van uitstroom.")})
    if stay.status == "left":
        raise ValidationError(_("Voor dit verblijf is al uitstroom geregistreerd."))
    return _stay_event(
        stay=stay,
        kind=EventKind.OUTFLOW_REGISTERED,
        on=on,
        by=by,
        data={"outflow_type": kind, **kw.pop("data", {})},
        expected_version=expected_version,
        **kw,
    )


@transaction.atomic
def stay_register_follow_up(
    *,
    stay: Stay,
    follow_up: str,
    on: dt.date | None,
    by: User | None,
    expected_version: int | None = None,
    **kw: Any,
) -> Event:
    if stay.status != "left":
        raise ValidationError(_("Een vervolg kan pas worden geregistreerd na uitstroom."))
    if follow_up not in FollowUp.values:
        raise ValidationError({"follow_up": _("Onbekend vervolg.")})
    return _stay_event(
        stay=stay,
        kind=EventKind.FOLLOW_UP_REGISTERED,
        on=on,
        by=by,
        data={"follow_up": follow_up},
        expected_version=expected_version,
        **kw,
    )


@transaction.atomic
def event_void(*, event: Event, by: User | None, reason: str, **kw: Any) -> Event:
    """Withdraw an event recorded in error; the event itself stays in the history."""
    if event.kind == EventKind.EVENT_VOIDED:
        raise ValidationError(
            _("Een intrekking kan niet zelf worden ingetrokken; registreer het feit opnieuw.")
        )
    if event.kind in (EventKind.PERSON_RECORDED, EventKind.STAY_REGISTERED):
        raise ValidationError(_("De registratie zelf kan niet worden ingetrokken."))
    if not reason.strip():
        raise ValidationError({"reason": _("Geef aan waarom deze registratie wordt ingetrokken.")})
    data = {"reason": reason.strip(), "voided_kind": event.kind}
    if (stay := event.stay) is not None:
        return _stay_event(
            stay=stay,
            kind=EventKind.EVENT_VOIDED,
            on=None,
            by=by,
            data=data,
            supersedes=event,
            **kw,
        )
    void = _append(
        person=event.person,
        stay=None,
        kind=EventKind.EVENT_VOIDED,
        valid_on=None,
        by=by,
        source=kw.get("source", "web"),
        data=data,
        supersedes=event,
    )
    person_rebuild(event.person)
    return void
