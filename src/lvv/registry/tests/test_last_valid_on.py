"""`Stay.last_valid_on` (ADR 76): kept by the projection code path and filled from the events by
`stays_fill_last_valid_on` (migration 0005, bench loader) with the same definition."""

import datetime as dt

import pytest
from django.db import connection

from lvv.registry import services
from lvv.registry.history import stay_state
from lvv.registry.models import Stay
from lvv.registry.taxonomy import OutflowType
from lvv.registry.tests.factories import StayFactory

pytestmark = pytest.mark.django_db
D = dt.date


def test_rebuild_keeps_the_latest_valid_date_of_the_effective_events():
    stay = StayFactory(registration_date=D(2020, 1, 1), admission_date=D(2020, 1, 6))
    assert stay.last_valid_on == D(2020, 1, 6)
    outflow = services.stay_register_outflow(
        stay=stay, kind=OutflowType.RETURN, on=D(2020, 9, 1), by=None
    )
    stay.refresh_from_db()
    assert stay.last_valid_on == D(2020, 9, 1)
    # A void has no date and takes its event's date out.
    services.event_void(event=outflow, by=None, reason="test")
    stay.refresh_from_db()
    assert stay.last_valid_on == D(2020, 1, 6)
    assert stay.last_valid_on == stay_state(stay.events.all()).last_valid_on


def test_the_fill_statement_gives_what_the_fold_gives():
    a = StayFactory(registration_date=D(2020, 1, 1), admission_date=D(2020, 1, 6))
    b = StayFactory(
        registration_date=D(2020, 2, 1),
        admission_date=D(2020, 2, 3),
        outflow_type=OutflowType.RETURN,
        outflow_date=D(2021, 5, 1),
    )
    late = services.stay_set_scenario(stay=a, scenario="return", on=D(2022, 1, 1), by=None)
    services.event_void(event=late, by=None, reason="test")
    registered_only = StayFactory(registration_date=D(2020, 3, 1), admission_date=None)
    Stay.objects.update(last_valid_on=None)
    services.stays_fill_last_valid_on(connection)
    for stay in (a, b, registered_only):
        stay.refresh_from_db()
        assert stay.last_valid_on == stay_state(stay.events.all()).last_valid_on
    assert (a.last_valid_on, b.last_valid_on, registered_only.last_valid_on) == (
        D(2020, 1, 6),
        D(2021, 5, 1),
        D(2020, 3, 1),
    )
