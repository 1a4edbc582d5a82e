"""Deriving state from events: the one definition of "what was true on date D, as known at T".

Rules (docs/adr/0002-event-history.md):
- Events recorded after `known_at` do not exist yet; an `event_voided` event removes the event it
  supersedes (if the void itself is known).
- Single-valued facts (registration, admission, refusal, target group, correspondence number,
  outflow, follow-up): the most recently *recorded* event of that kind holds; the fact is true on D
  when its `valid_on` is on or before D.
- Time series (scenario, guiding organisation, location): the value on D comes from the event with
  the latest `valid_on` on or before D, ties broken by record order.
- `StayState.last_valid_on` is the latest `valid_on` among the stay's effective events, whatever
  D: on every date on or after it the state equals the state with D = None (every rule above only
  compares a `valid_on` with D). The monitor uses it to read the stored projection instead of
  folding when the peildatum is on or after it (docs/adr/0076).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from lvv.registry.models.event import EventKind
from lvv.registry.taxonomy import Gender, Scenario, TargetGroup


class EventLike(Protocol):
    id: int
    kind: str
    valid_on: dt.date | None
    recorded_at: dt.datetime
    data: dict[str, Any]
    supersedes_id: int | None


@dataclass
class StayState:
    status: str = "registered"
    target_group: str = TargetGroup.CONVENANT
    correspondence_number: str = ""
    reported_municipality: str = ""
    registration_date: dt.date | None = None
    admission_date: dt.date | None = None
    refusal_date: dt.date | None = None
    waitlisted_on: dt.date | None = None
    scenario: str = Scenario.NOT_YET_DETERMINED
    scenario_date: dt.date | None = None
    scenario_discussed_in_lso: bool = True
    organisation_id: int | None = None
    location_id: int | None = None
    outflow_date: dt.date | None = None
    outflow_type: str = ""
    follow_up: str = ""
    follow_up_date: dt.date | None = None
    extended_until: dt.date | None = None
    last_valid_on: dt.date | None = None


@dataclass
class PersonState:
    v_number: str = ""
    given_names: str = ""
    family_name: str = ""
    birth_date: dt.date | None = None
    birth_year: int | None = None
    gender: str = Gender.UNKNOWN
    country: str = ""
    first_ind_application_date: dt.date | None = None
    ind_status: str = ""


PERSON_DATE_FIELDS = {"birth_date", "first_ind_application_date"}


E = TypeVar("E", bound=EventLike)


def effective_events(events: Iterable[E], *, known_at: dt.datetime | None = None) -> list[E]:
    """The events known at `known_at` (all when None), without voided ones, in record order."""
    known = [e for e in events if known_at is None or e.recorded_at <= known_at]
    voided = {e.supersedes_id for e in known if e.kind == EventKind.EVENT_VOIDED}
    return sorted(
        (e for e in known if e.id not in voided and e.kind != EventKind.EVENT_VOIDED),
        key=lambda e: (e.recorded_at, e.id),
    )


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def stay_state(
    events: Iterable[EventLike], *, on: dt.date | None = None, known_at: dt.datetime | None = None
) -> StayState:
    """The state of one stay on date `on` (end of day; None = everything valid so far) as the
    register knew it at `known_at` (None = now)."""
    state = StayState()
    series: dict[str, tuple[dt.date, dt.datetime, int, EventLike]] = {}
    latest: dict[str, EventLike] = {}
    for e in effective_events(events, known_at=known_at):
        if e.valid_on is not None and (
            state.last_valid_on is None or e.valid_on > state.last_valid_on
        ):
            state.last_valid_on = e.valid_on
        if e.kind in (EventKind.SCENARIO_SET, EventKind.ORGANISATION_SET, EventKind.LOCATION_SET):
            if e.valid_on is None or (on is not None and e.valid_on > on):
                continue
            key = (e.valid_on, e.recorded_at, e.id)
            if e.kind not in series or key >= series[e.kind][:3]:
                series[e.kind] = (*key, e)
        else:
            latest[e.kind] = e  # record order: the last one seen is the latest recorded

    def holds(kind: str) -> EventLike | None:
        e = latest.get(kind)
        if e is None:
            return None
        if on is not None and e.valid_on is not None and e.valid_on > on:
            return None
        return e

    if reg := latest.get(EventKind.STAY_REGISTERED):
        state.registration_date = reg.valid_on
        state.target_group = reg.data.get("target_group", TargetGroup.CONVENANT)
        state.correspondence_number = reg.data.get("correspondence_number", "")
        state.reported_municipality = reg.data.get("reported_municipality", "")
    if details := latest.get(EventKind.STAY_DETAILS_CORRECTED):
        for attr in ("target_group", "correspondence_number", "reported_municipality"):
            if attr in details.data:
                setattr(state, attr, details.data[attr])
    if waiting := holds(EventKind.STAY_WAITLISTED):
        state.waitlisted_on = waiting.valid_on
        state.status = "waiting"
    if refused := holds(EventKind.STAY_REFUSED):
        state.refusal_date = refused.valid_on
        state.status = "refused"
    if admitted := holds(EventKind.STAY_ADMITTED):
        state.admission_date = admitted.valid_on
        state.status = "admitted"
    if "scenario_set" in series:
        e = series["scenario_set"][3]
        state.scenario = e.data["scenario"]
        state.scenario_date = e.valid_on
        state.scenario_discussed_in_lso = e.data.get("discussed_in_lso", True)
    if "organisation_set" in series:
        state.organisation_id = series["organisation_set"][3].data.get("organisation_id")
    if "location_set" in series:
        state.location_id = series["location_set"][3].data.get("location_id")
    if ext := holds(EventKind.STAY_EXTENDED):
        state.extended_until = _date(ext.data.get("until"))
    if out := holds(EventKind.OUTFLOW_REGISTERED):
        state.outflow_date = out.valid_on
        state.outflow_type = out.data["outflow_type"]
        state.status = "left"
        follow = latest.get(EventKind.FOLLOW_UP_REGISTERED)
        follow_on = None if follow is None else (follow.valid_on or out.valid_on)
        if follow is not None and (on is None or (follow_on is not None and follow_on <= on)):
            state.follow_up = follow.data["follow_up"]
            state.follow_up_date = follow.valid_on
    return state


def person_state(
    events: Iterable[EventLike], *, known_at: dt.datetime | None = None
) -> PersonState:
    """A person's attributes as the register knew them at `known_at` (None = now)."""
    state = PersonState()
    for e in effective_events(events, known_at=known_at):
        if e.kind not in (EventKind.PERSON_RECORDED, EventKind.PERSON_CORRECTED):
            continue
        for attr, value in e.data.items():
            if hasattr(state, attr):
                setattr(state, attr, _date(value) if attr in PERSON_DATE_FIELDS else value)
    return state
