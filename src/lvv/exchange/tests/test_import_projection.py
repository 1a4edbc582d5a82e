"""A new stay's projection read off its row equals the register's fold of its events
(hypothesis): the import writes `_new_stay_state(row)` instead of folding every new stay, and
writes the rows `_NewRows` builds instead of going through model instances."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from lvv.exchange.services import (
    PersonRow,
    _Ev,
    _EventSink,
    _json_flat,
    _new_stay_event_specs,
    _new_stay_state,
    _NewRows,
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


# The rows the import writes for a new stay (`_NewRows`) are those events, that state and that
# person, as the database gets them (ADR 0095).


def _adapted_date(value):
    from django.db import connection

    return connection.ops.adapt_datefield_value(value)


@settings(max_examples=300)
@given(person_rows())
def test_new_rows_are_the_events_state_and_person_of_the_row(row):
    from django.db import connection

    new = _NewRows(connection, now=NOW, by_id=7, org_id=None, source="import", source_ref="f.csv")
    person_id, stay_id = uuid.uuid4(), uuid.uuid4()
    state = _new_stay_state(row)
    new.add(row, state, person_id=person_id, stay_id=stay_id, lvv_id=3)
    persons, stays, events = new.take()
    assert new.take() == ([], [], [])
    as_db = (lambda v: v) if connection.features.has_native_uuid_field else (lambda v: v.hex)
    pid, sid = as_db(person_id), as_db(stay_id)
    specs = _new_stay_event_specs(row)
    assert len(events) == len(specs)
    recorded_at = connection.ops.adapt_datetimefield_value(NOW)
    for event, (kind, valid_on, data, of_stay) in zip(events, specs, strict=True):
        values = dict(zip(_EventSink.ROW_FIELDS, event, strict=True))
        assert values == {
            "person_id": pid,
            "stay_id": sid if of_stay else None,
            "kind": kind,
            "valid_on": _adapted_date(valid_on),
            "recorded_at": recorded_at,
            "recorded_by_id": 7,
            "organisation_id": None,
            "source": "import",
            "source_ref": "f.csv",
            # the same text the JSONField's encoder writes
            "data": json.JSONEncoder().encode(data),
            "supersedes_id": None,
        }
        assert type(values["kind"]) is str
    (stay_row,) = stays
    stay = dict(zip(new.stay_columns, stay_row, strict=True))
    assert stay["id"] == sid and stay["person_id"] == pid and stay["lvv_id"] == 3
    assert stay["version"] == sum(
        1 for kind, _, _, of_stay in specs if of_stay and kind != "organisation_set"
    )
    for attr in STAY_PROJECTION:
        value = getattr(state, attr)
        assert stay[attr] == (_adapted_date(value) if isinstance(value, dt.date) else value)
    (person_row,) = persons
    person = dict(zip(new.person_columns, person_row, strict=True))
    assert person["id"] == pid
    for attr, value in row.person.items():
        assert person[attr] == value


json_values = st.none() | st.booleans() | st.integers() | st.text()


@given(st.dictionaries(st.text(), json_values))
def test_json_flat_writes_what_the_encoder_writes(data):
    assert _json_flat(data) == json.dumps(data)


def test_json_flat_hands_other_values_to_the_encoder():
    assert _json_flat({"x": 1.5, "y": [1]}) == json.dumps({"x": 1.5, "y": [1]})
