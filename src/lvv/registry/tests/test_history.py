"""Current state is derived from events: valid time, record time, corrections and voids."""

import datetime as dt
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from lvv.registry.history import person_state, stay_state
from lvv.registry.models import EventKind
from lvv.registry.taxonomy import FollowUp, OutflowType, Scenario

T0 = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)


@dataclass
class Ev:
    id: int
    kind: str
    valid_on: dt.date | None
    recorded_at: dt.datetime
    data: dict = field(default_factory=dict)
    supersedes_id: int | None = None


def at(hours: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def base_events():
    return [
        Ev(1, EventKind.STAY_REGISTERED, dt.date(2020, 1, 1), at(0), {"target_group": "convenant"}),
        Ev(2, EventKind.STAY_ADMITTED, dt.date(2020, 1, 5), at(1)),
        Ev(
            3,
            EventKind.SCENARIO_SET,
            dt.date(2020, 2, 1),
            at(2),
            {"scenario": Scenario.LEGALISATION},
        ),
        Ev(
            4,
            EventKind.SCENARIO_SET,
            dt.date(2020, 6, 1),
            at(3),
            {"scenario": Scenario.RETURN, "discussed_in_lso": False},
        ),
        Ev(
            5,
            EventKind.OUTFLOW_REGISTERED,
            dt.date(2020, 9, 1),
            at(4),
            {"outflow_type": OutflowType.IMMIGRATION_DETENTION},
        ),
        Ev(
            6,
            EventKind.FOLLOW_UP_REGISTERED,
            dt.date(2020, 10, 1),
            at(5),
            {"follow_up": FollowUp.FORCED_DEPARTURE},
        ),
    ]


def test_state_on_each_date_follows_valid_time():
    events = base_events()
    assert stay_state(events, on=dt.date(2019, 12, 31)).status == "registered"
    assert stay_state(events, on=dt.date(2019, 12, 31)).admission_date is None
    on_admission = stay_state(events, on=dt.date(2020, 1, 5))
    assert on_admission.status == "admitted"  # an event on the date has happened by the end of it
    assert on_admission.scenario == Scenario.NOT_YET_DETERMINED
    assert stay_state(events, on=dt.date(2020, 3, 1)).scenario == Scenario.LEGALISATION
    june = stay_state(events, on=dt.date(2020, 6, 1))
    assert (june.scenario, june.scenario_discussed_in_lso) == (Scenario.RETURN, False)
    sept = stay_state(events, on=dt.date(2020, 9, 1))
    assert (sept.status, sept.outflow_type, sept.follow_up) == (
        "left",
        OutflowType.IMMIGRATION_DETENTION,
        "",
    )
    assert stay_state(events, on=dt.date(2020, 10, 1)).follow_up == FollowUp.FORCED_DEPARTURE
    assert stay_state(events).follow_up_date == dt.date(2020, 10, 1)


def test_record_time_reproduces_what_was_known():
    events = [
        *base_events(),
        Ev(
            7,
            EventKind.OUTFLOW_REGISTERED,
            dt.date(2020, 8, 15),
            at(100),
            {"outflow_type": OutflowType.RETURN},
        ),
    ]
    before = stay_state(events, known_at=at(50))
    after = stay_state(events, known_at=at(100))
    assert (before.outflow_type, before.outflow_date) == (
        OutflowType.IMMIGRATION_DETENTION,
        dt.date(2020, 9, 1),
    )
    assert (after.outflow_type, after.outflow_date) == (OutflowType.RETURN, dt.date(2020, 8, 15))


def test_void_removes_an_event_only_from_when_it_was_recorded():
    events = [
        *base_events(),
        Ev(8, EventKind.EVENT_VOIDED, None, at(200), {"reason": "fout"}, supersedes_id=5),
    ]
    assert stay_state(events, known_at=at(199)).status == "left"
    now = stay_state(events)
    assert now.status == "admitted"
    assert now.outflow_date is None
    assert now.follow_up == ""  # a follow-up without its outflow does not count


def test_scenario_correction_on_same_date_uses_latest_recorded():
    events = [
        *base_events(),
        Ev(
            9,
            EventKind.SCENARIO_SET,
            dt.date(2020, 2, 1),
            at(300),
            {"scenario": Scenario.ONWARD_MIGRATION},
        ),
    ]
    assert stay_state(events, on=dt.date(2020, 3, 1)).scenario == Scenario.ONWARD_MIGRATION
    assert (
        stay_state(events, on=dt.date(2020, 3, 1), known_at=at(10)).scenario
        == Scenario.LEGALISATION
    )


def test_follow_up_without_date_counts_from_outflow():
    events = [
        *base_events()[:5],
        Ev(
            6, EventKind.FOLLOW_UP_REGISTERED, None, at(5), {"follow_up": FollowUp.FORCED_DEPARTURE}
        ),
    ]
    assert stay_state(events, on=dt.date(2020, 9, 1)).follow_up == FollowUp.FORCED_DEPARTURE
    assert stay_state(events, on=dt.date(2020, 8, 31)).follow_up == ""


def test_person_state_applies_corrections_in_record_order():
    events = [
        Ev(1, EventKind.PERSON_RECORDED, None, at(0), {"birth_year": 1980, "country": "IRN"}),
        Ev(2, EventKind.PERSON_CORRECTED, None, at(5), {"birth_year": 1981}),
    ]
    assert person_state(events).birth_year == 1981
    assert person_state(events).country == "IRN"
    assert person_state(events, known_at=at(1)).birth_year == 1980


@settings(deadline=None)  # a pure function; a loaded CI machine must not fail it on time
@given(st.permutations(base_events()))
def test_state_does_not_depend_on_the_order_events_are_read(events):
    assert stay_state(events) == stay_state(base_events())
    assert stay_state(events, on=dt.date(2020, 7, 1)) == stay_state(
        base_events(), on=dt.date(2020, 7, 1)
    )
