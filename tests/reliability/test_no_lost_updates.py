"""No lost updates: two people editing one case at once get a conflict, never a silent overwrite."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from lvv.registry import services
from lvv.registry.models import EventKind, Stay
from lvv.registry.tests.factories import LVVFactory, StayFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transactions_one_wins_the_other_conflicts():
    if connection.vendor != "postgresql":
        # The in-memory, shared-cache SQLite test database answers a second writer with "table is
        # locked" instead of queueing it as the file database (WAL, IMMEDIATE, busy timeout) does.
        pytest.skip("real concurrent transactions need PostgreSQL")
    stay = StayFactory()
    loaded = Stay.objects.get(pk=stay.pk).version  # both editors loaded the case at this version
    before = stay.events.filter(kind=EventKind.SCENARIO_SET).count()
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def edit(scenario: str) -> None:
        try:
            mine = Stay.objects.get(pk=stay.pk)
            barrier.wait(timeout=10)  # both transactions start together
            services.stay_set_scenario(
                stay=mine,
                scenario=scenario,
                on=dt.date(2020, 3, 1),
                by=None,
                expected_version=loaded,
            )
            outcomes[scenario] = "saved"
        except services.ConflictError:
            outcomes[scenario] = "conflict"
        except Exception as exc:  # pragma: no cover - shown in the assertion
            outcomes[scenario] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(s,)) for s in ("return", "legalisation")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes.values()) == ["conflict", "saved"], outcomes
    winner = next(s for s, o in outcomes.items() if o == "saved")
    stay.refresh_from_db()
    assert stay.scenario == winner
    assert stay.version == loaded + 1
    assert stay.events.filter(kind=EventKind.SCENARIO_SET).count() == before + 1


def _version_in(html: str) -> str:
    return re.search(r'name="expected_version" value="(\d+)"', html).group(1)


@pytest.mark.django_db
def test_two_browsers_posting_the_same_stale_version_get_one_save_and_one_conflict():
    stay = StayFactory(lvv=LVVFactory(name="Tilburg"))
    url = reverse("registry:stay_scenario", kwargs={"stay_id": stay.pk})
    first, second = Client(), Client()
    first.force_login(UserFactory(username="anna", lvvs=[stay.lvv]))
    second.force_login(UserFactory(username="bram", lvvs=[stay.lvv]))
    version_a = _version_in(first.get(url).content.decode())
    version_b = _version_in(second.get(url).content.decode())
    assert version_a == version_b
    form = {"on": "2020-03-01", "discussed_in_lso": "ja"}
    saved = first.post(url, {**form, "scenario": "return", "expected_version": version_a})
    assert saved.status_code == 302
    stale = second.post(url, {**form, "scenario": "legalisation", "expected_version": version_b})
    assert stale.status_code == 409
    assert "intussen door iemand anders gewijzigd" in stale.content.decode()
    stay.refresh_from_db()
    assert stay.scenario == "return"
    assert stay.events.filter(kind=EventKind.SCENARIO_SET).count() == 1
