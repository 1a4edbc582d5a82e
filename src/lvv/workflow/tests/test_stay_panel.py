"""The workflow panel under each stay of the person page (issue 8): its end date equals
`selectors.stay_end_date` and the page's query count does not grow with the number of stays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory

from lvv.registry import services as registry
from lvv.registry.models import EventKind, Policy, Stay
from lvv.registry.tests.factories import PersonFactory, StayFactory
from lvv.registry.tests.test_view_query_counts import _page_queries
from lvv.registry.tests.test_views import person_url, world  # noqa: F401 (a fixture)
from lvv.workflow import selectors
from lvv.workflow.views import stay_panel_context

pytestmark = pytest.mark.django_db


def _extend(stay: Stay, until: dt.date):
    return registry._stay_event(
        stay=stay,
        kind=EventKind.STAY_EXTENDED,
        on=until - dt.timedelta(days=30),
        by=None,
        data={"until": until.isoformat(), "reason": "medical", "durable_prospect": True},
    )


def test_bulk_end_dates_equal_the_per_stay_fold(world):  # noqa: F811
    Policy.objects.update_or_create(
        lvv=world["utrecht"], defaults={"max_stay_days": 90, "max_total_stay_days": 600}
    )
    person = PersonFactory()
    plain = StayFactory(lvv=world["utrecht"], person=person, left=True)
    extended = StayFactory(lvv=world["utrecht"], person=person, left=True)
    voided = StayFactory(lvv=world["utrecht"], person=person, left=True)
    capped = StayFactory(lvv=world["utrecht"], person=person, left=True)
    _extend(extended, dt.date(2021, 3, 1))
    _extend(voided, dt.date(2021, 4, 1))
    registry.event_void(event=_extend(voided, dt.date(2021, 5, 1)), by=None, reason="vergissing")
    _extend(capped, dt.date(2030, 1, 1))  # beyond the absolute maximum
    stays = [plain, extended, voided, capped]
    request = RequestFactory().get("/")
    request.user = world["coordinator"]
    for stay in stays:
        stay = Stay.objects.select_related("lvv").get(pk=stay.pk)
        assert stay_panel_context(request, stay)["wf_end"] == selectors.stay_end_date(stay)
    assert selectors.stay_end_date(Stay.objects.get(pk=voided.pk)) == dt.date(2021, 4, 1)


def test_person_page_queries_do_not_grow_with_stays(client, world):  # noqa: F811
    Policy.objects.update_or_create(lvv=world["utrecht"], defaults={"max_stay_days": 90})
    stay = StayFactory(lvv=world["utrecht"], person=PersonFactory(), left=True)
    client.force_login(world["coordinator"])
    url = person_url(stay)
    client.get(url)
    one = _page_queries(client, url)
    for _ in range(3):
        _extend(
            StayFactory(lvv=world["utrecht"], person=stay.person, left=True), dt.date(2021, 3, 1)
        )
    body = client.get(url).content.decode()
    assert body.count("einde verblijf volgens beleid") == 4
    assert _page_queries(client, url) == one


def test_end_dates_from_the_page_equal_the_fold_without_a_query(world, django_assert_num_queries):  # noqa: F811
    """On the person page each stay comes with its LVV's policy and its events
    (`stay.page_events`): the panel's end date is the same, and costs no query."""
    from lvv.access import gate
    from lvv.registry.models import Event

    Policy.objects.update_or_create(
        lvv=world["utrecht"], defaults={"max_stay_days": 90, "max_total_stay_days": 600}
    )
    person = PersonFactory()
    plain = StayFactory(lvv=world["utrecht"], person=person, left=True)
    extended = StayFactory(lvv=world["utrecht"], person=person, left=True)
    voided = StayFactory(lvv=world["utrecht"], person=person, left=True)
    _extend(extended, dt.date(2021, 3, 1))
    _extend(voided, dt.date(2021, 4, 1))
    registry.event_void(event=_extend(voided, dt.date(2021, 5, 1)), by=None, reason="vergissing")
    request = RequestFactory().get("/")
    coordinator = world["coordinator"]
    request.user = coordinator
    stays = gate.visible_stays_of(coordinator, person, select_related=("lvv__policy",))
    assert {s.pk for s in stays} == {plain.pk, extended.pk, voided.pk}
    for stay in stays:
        stay.page_events = list(Event.objects.filter(stay=stay))
    with django_assert_num_queries(0):
        ends = {stay.pk: stay_panel_context(request, stay)["wf_end"] for stay in stays}
    for stay in stays:
        assert ends[stay.pk] == selectors.stay_end_date(Stay.objects.get(pk=stay.pk))
    assert ends[voided.pk] == dt.date(2021, 4, 1)
