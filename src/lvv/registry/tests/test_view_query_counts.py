"""The person page and the persons list stay cheap at national scale (issue 8): a fixed number of
queries whatever a person's history holds, and a list count bounded by COUNT_BOUND."""

from __future__ import annotations

import contextlib
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


def test_list_pages_equal_the_whole_list_in_name_order(client, world, monkeypatch):  # noqa: F811
    """A page of a large result (read in two steps on SQLite, ADR 0063) holds the same rows as
    the same slice of the whole list sorted by name, id and latest registration: persons with
    several stays, equal names, filters and search."""
    monkeypatch.setattr(registry_views, "COUNT_BOUND", 2)
    monkeypatch.setattr(registry_views, "PAGE_SIZE", 3)
    utrecht = world["utrecht"]
    for i, (family, given) in enumerate(
        [
            ("Zeta", "Ali"),
            ("Alfa", "Bo"),
            ("Alfa", "Bo"),
            ("Mu", ""),
            ("Alfa", "Ab"),
            ("Kappa", "X"),
        ]
    ):
        person = PersonFactory(family_name=family, given_names=given)
        for n in reversed(range(i % 3 + 1)):  # the open stay last
            StayFactory(
                lvv=utrecht,
                person=person,
                left=n > 0,
                registration_date=dt.date(2019, 1 + i, 1 + n),
            )
    user = world["coordinator"]
    client.force_login(user)
    url = reverse("registry:person_list")
    for params in ({}, {"status": "out"}, {"q": "alfa"}, {"organisation": world["ngo_a"].pk}):
        whole = [
            s.pk
            for s in registry_views._filtered_stays(
                user,
                registry_views.registry_forms.PersonFilterForm(params, lvvs=gate.lvvs_of(user)),
            ).order_by(*registry_views.LIST_ORDER, "pk")
        ]
        paged, number = [], 1
        while True:
            response = client.get(url, {**params, "pagina": number})
            assert response.status_code == 200
            rows = response.context["rows"]
            if response.context["page"].number != number or not rows:
                break
            paged += [s.pk for s in rows]
            number += 1
        # Stays of one person with the same registration date may come in either order.
        assert sorted(paged) == sorted(whole), params
        assert [registry_views.Stay.objects.get(pk=pk).person_id for pk in paged] == [
            registry_views.Stay.objects.get(pk=pk).person_id for pk in whole
        ], params


# The person page of a coordinator, one stay: session and user (the test client's login needs no
# two-factor device), the person (reach), the stays with LVV, policy, organisation and location,
# the aliases, the events, the names of organisations and locations the events name, and the
# consent panel (state, the LVV's consent mode, history). Which stays can be changed, whether the
# user may register and the workflow panel's end date cost no query (`gate.visible_stays_of`,
# `stay.page_events`; they were 4 queries before, 15 in all). On the access log's connection: the
# audit record and the line.
PERSON_PAGE_QUERIES = 11
PERSON_PAGE_LOG_QUERIES = 2


def test_person_page_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries):  # noqa: F811
    from lvv.registry.models import Policy

    Policy.objects.update_or_create(lvv=world["utrecht"], defaults={"max_stay_days": 90})
    stay = world["stay_a"]
    services.stay_move_location(
        stay=stay, location=LocationFactory(lvv=world["utrecht"]), on=dt.date(2020, 2, 1), by=None
    )
    client.force_login(world["coordinator"])
    url = person_url(stay)
    log_connection = connections[router.db_for_write(AccessRecord) or "default"]
    with contextlib.ExitStack() as stack:
        if log_connection is connections["default"]:
            stack.enter_context(
                django_assert_num_queries(PERSON_PAGE_QUERIES + PERSON_PAGE_LOG_QUERIES)
            )
        else:
            stack.enter_context(django_assert_num_queries(PERSON_PAGE_QUERIES))
            stack.enter_context(
                django_assert_num_queries(PERSON_PAGE_LOG_QUERIES, connection=log_connection)
            )
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "einde verblijf volgens beleid" in body
    assert "Aanmelden bij een LVV" in body
    assert "Uitstroom registreren" in body


def test_stays_read_for_the_page_are_changeable_without_a_query(world, django_assert_num_queries):  # noqa: F811
    person = world["stay_a"].person
    StayFactory(lvv=world["groningen"], person=person, left=True)  # not the coordinator's LVV
    for user in (world["coordinator"], world["case_worker_a"], world["other_coordinator"]):
        stays = gate.visible_stays_of(user, person)
        with django_assert_num_queries(0):
            ids = gate.changeable_stays(user, stays)
            may_register = gate.can_register_anywhere(user, shown=stays)
        assert ids == {s.pk for s in stays if gate.can_change_stay(user, s)}
        assert may_register == (bool(stays) and gate.registrable_lvvs(user).exists())
    # Stays from anywhere else are still asked about.
    with django_assert_num_queries(1):
        gate.changeable_stays(world["coordinator"], [world["stay_a"]])
    assert not gate.can_register_anywhere(world["administrator"])
