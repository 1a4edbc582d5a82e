"""The persons list and the API list ask for the visible categories of a whole page at once:
a fixed number of queries whatever the page size, for consent-based partners (IND) and case
workers alike (docs/adr/0071-bulk-visible-categories.md)."""

import pytest
from django.db import connections, router
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from lvv.access import consent, gate
from lvv.access.models import AccessRecord
from lvv.accounts.models import Organisation, Role
from lvv.accounts.testing import login_with_2fa
from lvv.exchange.models import ApiToken
from lvv.registry.tests.factories import (
    LVVFactory,
    OrganisationFactory,
    PersonFactory,
    StayFactory,
    UserFactory,
)
from lvv.registry.views import LIST_CATEGORIES

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    lvv = LVVFactory(name="Utrecht")
    ngo = OrganisationFactory(name="Stichting A", kind=Organisation.Kind.NGO)
    ngo.lvvs.add(lvv)
    ind = UserFactory(
        username="ines",
        role=Role.IND,
        organisation=OrganisationFactory(name="IND", kind=Organisation.Kind.IND),
        lvvs=[lvv],
    )
    worker = UserFactory(username="carol", case_worker=True, organisation=ngo, lvvs=[lvv])
    return {"lvv": lvv, "ngo": ngo, "ind": ind, "worker": worker, "n": 0}


def add_stays(world, count: int) -> None:
    """`count` more stays at the NGO; IND consent varies (all, some categories, withdrawn)."""
    for _ in range(count):
        i = world["n"]
        world["n"] += 1
        stay = StayFactory.create(
            lvv=world["lvv"],
            organisation=world["ngo"],
            person=PersonFactory(family_name=f"Persoon{i:03d}"),
        )
        cats = ["identity", "stay", "ind"] if i % 3 else ["identity", "stay"]
        consent.consent_give(
            person=stay.person, party="ind", categories=cats, method="verbal", by=None
        )
        if i % 7 == 6:
            consent.consent_withdraw(person=stay.person, party="ind", by=None)


def count_queries(fetch) -> tuple[int, int]:
    """(queries on the register's connection, queries on the access log's connection)."""
    log = connections[router.db_for_write(AccessRecord) or "default"]
    default = connections["default"]
    with CaptureQueriesContext(default) as main, CaptureQueriesContext(log) as logged:
        response = fetch()
    assert response.status_code == 200
    if log is default:
        return len(main), 0
    return len(main), len(logged)


def web_list(client):
    return lambda: client.get(reverse("registry:person_list"))


def api_list(user):
    _row, token = ApiToken.issue(user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return lambda: api.get("/api/v1/persons/")


@pytest.mark.parametrize("who", ["ind", "worker"])
@pytest.mark.parametrize("where", ["web", "api"])
def test_list_queries_do_not_grow_with_the_page(client, world, who, where):
    user = world[who]
    if where == "web":
        login_with_2fa(client, user)
        fetch = web_list(client)
    else:
        fetch = api_list(user)
    add_stays(world, 5)
    fetch()  # warm per-process caches (sessions, content types)
    small = count_queries(fetch)
    add_stays(world, 25)
    large = count_queries(fetch)
    assert small == large, f"{where} list for {who}: {small} queries with 5 stays, {large} with 30"


def test_bulk_categories_equal_the_per_person_answer(world):
    add_stays(world, 14)
    outsider = StayFactory()  # another LVV: out of everyone's reach here
    people = [*gate.stays_visible_to(world["worker"]), outsider]
    for user in (world["ind"], world["worker"]):
        for action in ("view", "change", "export"):
            bulk = gate.visible_categories_bulk(user, people, action=action)
            for stay in people:
                expected = gate.visible_categories(user, stay.person_id, action=action)
                assert bulk[stay.person_id] == expected, (user.role, action)
    assert gate.visible_categories_bulk(world["ind"], [outsider])[outsider.person_id] == set()
    assert gate.visible_categories_bulk(world["ind"], []) == {}


def test_ind_list_shows_only_consented_persons_and_categories(client, world):
    add_stays(world, 7)
    login_with_2fa(client, world["ind"])
    rows = client.get(reverse("registry:person_list")).context["rows"]
    visible = set(gate.persons_visible_to(world["ind"]).values_list("pk", flat=True))
    assert {s.person_id for s in rows} == visible
    for stay in rows:
        expected = gate.visible_categories(world["ind"], stay.person_id) & LIST_CATEGORIES
        assert stay.shown == expected
