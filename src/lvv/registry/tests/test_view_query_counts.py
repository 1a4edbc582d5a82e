"""The person page and the persons list stay cheap at national scale (issue 8): a fixed number of
queries whatever a person's history holds, and a list count bounded by COUNT_BOUND."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections, router
from django.urls import reverse

from lvv.access import gate
from lvv.access.models import AccessRecord
from lvv.registry import services
from lvv.registry import views as registry_views
from lvv.registry.tests.factories import LocationFactory, PersonFactory, StayFactory
from lvv.registry.tests.test_views import person_url, world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _page_queries(client, url) -> int:
    from django.test.utils import CaptureQueriesContext

    log_connection = connections[router.db_for_write(AccessRecord) or "default"]
    with (
        CaptureQueriesContext(connections["default"]) as main,
        CaptureQueriesContext(log_connection) as log,
    ):
        response = client.get(url)
    assert response.status_code == 200
    if log_connection is connections["default"]:
        return len(main.captured_queries)
    return len(main.captured_queries) + len(log.captured_queries)


@pytest.mark.parametrize("user", ["coordinator", "case_worker_a"])
def test_person_page_queries_do_not_grow_with_the_history(client, world, user):  # noqa: F811
    stay = world["stay_a"]
    client.force_login(world[user])
    url = person_url(stay)
    locations = [LocationFactory(lvv=world["utrecht"]) for _ in range(3)]

    def move(times: int) -> None:
        for i in range(times):
            stay.refresh_from_db()
            services.stay_move_location(
                stay=stay, location=locations[i % 3], on=dt.date(2020, 2, 1 + i), by=None
            )

    move(1)  # one move: the timeline looks up location names (one query for all of them)
    client.get(url)
    before = _page_queries(client, url)
    move(12)
    assert _page_queries(client, url) == before


def test_person_page_asks_once_which_stays_can_be_changed(world, django_assert_num_queries):  # noqa: F811
    user = world["coordinator"]
    second = StayFactory(lvv=world["utrecht"], person=PersonFactory(), left=True)
    stays = [world["stay_a"], world["stay_b"], second]
    with django_assert_num_queries(1):
        ids = gate.changeable_stays(user, stays)
    assert ids == {s.pk for s in stays if gate.can_change_stay(user, s)}
    assert gate.changeable_stays(world["case_worker_a"], stays) == {world["stay_a"].pk}
    with django_assert_num_queries(0):
        assert gate.changeable_stays(world["administrator"], stays) == set()


def test_categories_of_an_accessed_person_are_not_asked_again(world, django_assert_num_queries):  # noqa: F811
    user = world["coordinator"]
    person = gate.access_person(user, world["stay_a"].person_id)
    with django_assert_num_queries(0):
        shown = gate.visible_categories(user, person)
    assert shown == gate.visible_categories(user, world["stay_a"].person_id)
    # Another user still goes through the reach check.
    assert gate.visible_categories(world["other_coordinator"], person) == set()


def test_list_count_is_bounded_and_paging_goes_on(client, world, monkeypatch):  # noqa: F811
    monkeypatch.setattr(registry_views, "COUNT_BOUND", 3)
    monkeypatch.setattr(registry_views, "PAGE_SIZE", 2)
    for i in range(5):
        StayFactory(lvv=world["utrecht"], person=PersonFactory(family_name=f"Extra{i}"))
    client.force_login(world["coordinator"])  # sees 7 stays
    url = reverse("registry:person_list")

    first = client.get(url)
    body = first.content.decode()
    assert "Meer dan 3 verblijven gevonden" in body
    assert "Pagina 1</span>" in body and "pagina=2" in body
    assert not first.context["page"].paginator.exact

    # Further on, the bound moves with the page asked for; at the end the count is exact again.
    last = client.get(url, {"pagina": 4})
    assert last.context["page"].paginator.exact
    assert "7 verblijven gevonden" in last.content.decode()
    assert len(last.context["rows"]) == 1
    names = [
        s.person.family_name
        for n in (1, 2, 3, 4)
        for s in client.get(url, {"pagina": n}).context["rows"]
    ]
    assert len(names) == len(set(names)) == 7

    # A small result is counted exactly, as before.
    exact = client.get(url, {"q": "Extra1"})
    assert "1 verblijf gevonden" in exact.content.decode()
    # Nonsense page numbers fall back to the first page.
    assert client.get(url, {"pagina": "x"}).context["page"].number == 1


def test_filter_pickers_list_the_users_lvvs_and_ngos_with_the_choice_selected(client, world):  # noqa: F811
    client.force_login(world["coordinator"])
    ngo = world["ngo_b"]
    body = client.get(reverse("registry:person_list"), {"organisation": ngo.pk}).content.decode()
    assert f'<option value="{ngo.pk}" selected>Stichting B</option>' in body
    assert f'<option value="{world["ngo_a"].pk}">Stichting A</option>' in body
    assert f'<option value="{world["utrecht"].pk}">Utrecht</option>' in body
    assert "Groningen</option>" not in body  # not the coordinator's LVV
    assert '<option value="" selected>Alle</option>' in body  # the LVV picker, nothing chosen
