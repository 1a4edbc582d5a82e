"""A new stay's projection read off its row equals the register's fold of its events
(hypothesis): the import writes `_new_stay_state(row)` instead of folding every new stay."""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from lvv.exchange.services import (
    PersonRow,
    _Ev,
    _new_stay_event_specs,
    _new_stay_state,
)
from lvv.registry.history import stay_state
from lvv.registry.services import STAY_PROJECTION
from lvv.registry.taxonomy import FOLLOW_UPS_FOR, OutflowType, Scenario, TargetGroup

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2026, 11, 1))


@st.composite
def person_rows(draw) -> PersonRow:
    admission = draw(dates)
    registration = draw(st.none() | st.dates(max_value=admission, min_value=dt.date(2014, 1, 1)))
    outflow_date = draw(st.none() | st.dates(min_value=admission, max_value=dt.date(2026, 11, 20)))
    outflow_type = draw(st.sampled_from(OutflowType.values)) if outflow_date else ""
    follow_up, follow_up_date = "", None
    if outflow_date and FOLLOW_UPS_FOR.get(outflow_type) and draw(st.booleans()):
        follow_up = draw(st.sampled_from(sorted(FOLLOW_UPS_FOR[outflow_type])))
        follow_up_date = draw(
            st.none() | st.dates(min_value=outflow_date, max_value=dt.date(2026, 11, 22))
        )
    scenario_given = draw(st.booleans())
    return PersonRow(
        row=2,
        lvv_key="amsterdam",
        corr=draw(st.text(min_size=1, max_size=12)),
        person=draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "v_number": st.sampled_from(["", "1234567890"]),
                    "birth_year": st.none() | st.integers(1950, 2006),
                    "gender": st.sampled_from(["male", "female", "unknown"]),
                    "country": st.sampled_from(["", "IRN", "XXA"]),
                },
            )
        ),
        target_group=draw(st.sampled_from(TargetGroup.values)),
        registration_date=registration,
        admission_date=admission,
        scenario=draw(st.sampled_from(Scenario.values)) if scenario_given else "not_yet_determined",
        scenario_given=scenario_given,
        discussed=draw(st.booleans()),
        outflow_date=outflow_date,
        outflow_type=outflow_type,
        follow_up=follow_up,
        follow_up_date=follow_up_date,
        organisation_id=draw(st.none() | st.integers(1, 50)),
    )


def _fold(row: PersonRow):
    person_id, stay_id = uuid.uuid4(), uuid.uuid4()
    events = [
        _Ev(i, kind, valid_on, NOW, data, None, person_id, stay_id if of_stay else None)
        for i, (kind, valid_on, data, of_stay) in enumerate(_new_stay_event_specs(row), start=1)
    ]
    return stay_state([e for e in events if e.stay_id is not None])


@settings(max_examples=400)
@given(person_rows())
def test_new_stay_projection_equals_the_fold_of_its_events(row):
    direct, folded = _new_stay_state(row), _fold(row)
    assert direct == folded  # every attribute of the state, not only the stored ones
    assert {a: getattr(direct, a) for a in STAY_PROJECTION} == {
        a: getattr(folded, a) for a in STAY_PROJECTION
    }
