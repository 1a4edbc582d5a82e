"""Beyond one machine: the monitor reads from a replica connection (MONITOR_DATABASE_URL -> the
"monitor" alias; docs/deployment.md). Here the replica is a second connection to the same test
database, which is what a streaming replica looks like to the application once it has caught up;
test_streaming_replica.py runs the commands against a real hot standby, lag included."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext

from lvv.monitor.figures import monitor_compute
from lvv.registry.models import CapacityRecord
from lvv.registry.tests.factories import LVVFactory, StayFactory

PEILDATUM = dt.date(2021, 12, 31)


@pytest.fixture
def replica(settings):
    """A "monitor" connection to the test database, made the way MONITOR_DATABASE_URL makes one
    (created dynamically, so the test framework lets it connect)."""
    connections.settings["monitor"] = dict(connections["default"].settings_dict)
    try:
        wrapper = connections.create_connection("monitor")
    finally:
        del connections.settings["monitor"]
    connections["monitor"] = wrapper
    settings.MONITOR_DATABASE_ALIAS = "monitor"
    yield wrapper
    wrapper.close()
    del connections["monitor"]


@pytest.mark.django_db(transaction=True)
def test_the_monitor_reads_only_from_the_replica_and_gets_the_same_figures(replica):
    lvv = LVVFactory(name="Zwolle", start_date=dt.date(2019, 1, 1))
    CapacityRecord.objects.create(lvv=lvv, valid_from=dt.date(2019, 1, 1), places=40)
    StayFactory(lvv=lvv, scenario="return")
    StayFactory(lvv=lvv, left=True)
    on_primary = monitor_compute(peildatum=PEILDATUM, using="default")
    assert on_primary["national"]["intake_total"] == 2

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as reads,
    ):
        from_replica = monitor_compute(peildatum=PEILDATUM)
    assert from_replica == on_primary
    assert len(reads.captured_queries) > 0
    assert primary.captured_queries == []

    out = io.StringIO()
    with CaptureQueriesContext(replica) as command_reads:
        call_command(
            "monitor", "--peildatum", PEILDATUM.isoformat(), "--format", "json", stdout=out
        )
    assert len(command_reads.captured_queries) > 0
    assert '"intake_total": 2' in out.getvalue()
