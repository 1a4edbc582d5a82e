"""The consent panel on the person page (issue 8): a fixed, small number of queries whatever the
person's stays and consent history, and the form's HTML rendered once per process, identical to
what Django renders for a fresh form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from lvv.access import consent
from lvv.access import views as access_views
from lvv.access.forms import ConsentForm
from lvv.accounts.models import Organisation, Role
from lvv.registry.models import Policy
from lvv.registry.tests.factories import (
    LVVFactory,
    OrganisationFactory,
    PersonFactory,
    StayFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    utrecht, groningen = LVVFactory(name="Utrecht"), LVVFactory(name="Groningen")
    ind_org = OrganisationFactory(name="IND", kind=Organisation.Kind.IND)
    coordinator = UserFactory(username="coco", lvvs=[utrecht, groningen])
    ines = UserFactory(username="ines", role=Role.IND, organisation=ind_org, lvvs=[utrecht])
    stay = StayFactory(lvv=utrecht)
    consent.consent_give(
        person=stay.person,
        party="ind",
        categories=["identity", "stay"],
        method="separate_form",
        by=coordinator,
    )
    return locals()


def _context(user, person):
    request = RequestFactory().get("/")
    request.user = user
    return access_views._panel_context(request, person)


def test_panel_queries_do_not_grow_with_stays_or_history(world, django_assert_num_queries):
    person, coordinator = world["stay"].person, world["coordinator"]
    with django_assert_num_queries(3):  # state, consent mode, history
        _context(coordinator, person)
    with django_assert_num_queries(1):  # only the state
        ines_context = _context(world["ines"], person)
    assert {row.party for row in ines_context["consent_rows"]} == {"ind"}
    assert ines_context["consent_form"] is None
    StayFactory(lvv=world["groningen"], person=person)
    for _ in range(3):
        consent.consent_withdraw(person=person, party="ind", by=coordinator)
        consent.consent_give(
            person=person, party="dtv", categories=["identity"], method="separate_form", by=None
        )
    with django_assert_num_queries(3):
        context = _context(coordinator, person)
    given = {(r.party, r.category) for r in context["consent_rows"] if r.given}
    assert given == {("dtv", "identity")}
    assert len(context["consent_history"]) == 7  # 2 given, 2 withdrawn, 3 given


def test_rows_are_the_state_of_every_consentable_pair(world):
    rows = consent.consent_overview(world["stay"].person)
    pairs = [(party, cat) for party, cats in consent.CONSENTABLE.items() for cat in cats]
    assert [(r.party, r.category) for r in rows] == pairs
    assert {(r.party, r.category) for r in rows if r.given} == {
        ("ind", "identity"),
        ("ind", "stay"),
    }
    assert all(r.since is not None for r in rows if r.given)
    assert rows[0].party_label == "IND" and isinstance(rows[0].category_label, str)


@pytest.mark.parametrize("mode", [None, *Policy.ConsentMode.values])
def test_consent_mode_is_that_of_the_latest_stay(world, mode):
    person = PersonFactory()
    assert consent.latest_consent_mode(person) == consent.consent_mode_for(None)
    lvv = LVVFactory(name="Elders")
    if mode is not None:
        Policy.objects.update_or_create(lvv=lvv, defaults={"consent_mode": mode})
    else:
        Policy.objects.filter(lvv=lvv).delete()
    StayFactory(
        lvv=world["utrecht"], person=person, left=True, registration_date=dt.date(2019, 1, 1)
    )
    latest = StayFactory(lvv=lvv, person=person)
    assert consent.latest_consent_mode(person) == consent.consent_mode_for(latest)
    assert consent.method_for_mode(
        consent.latest_consent_mode(person)
    ) == consent.default_method_for(latest)


@pytest.mark.parametrize("method", ["participation_form", "separate_form"])
def test_cached_form_html_is_what_django_renders(method):
    access_views._CONSENT_FORM_HTML.clear()
    fresh = render_to_string(
        "access/_consent_form_fields.html",
        {"consent_form": ConsentForm(initial={"method": method})},
    )
    assert access_views.consent_form_html(method) == fresh
    assert access_views.consent_form_html(method) is access_views.consent_form_html(method)
    assert f'<option value="{method}" selected>' in fresh
    assert 'type="checkbox" name="categories"' in fresh


def test_person_page_shows_the_panel_with_form_and_history(client, world):
    client.force_login(world["coordinator"])
    stay = world["stay"]
    body = client.get(reverse("registry:person_detail", args=[stay.person_id])).content.decode()
    assert 'id="toestemming-kop"' in body
    assert access_views.consent_form_html("participation_form") in body
    assert "Geschiedenis (2)" in body
    response = client.post(
        reverse("access:consent", args=[stay.person_id]),
        {
            "action": "given",
            "party": "dtv",
            "categories": ["identity"],
            "method": "separate_form",
            "note": "",
        },
    )
    assert response.status_code == 302
    rows = consent.consent_overview(stay.person)
    assert {(r.party, r.category) for r in rows if r.given} >= {("dtv", "identity")}


def test_panel_writes_dates_as_the_rest_of_the_person_page(client, world):
    """dd-mm-jjjj hh:mm, as the timeline beside it ('23 november 2026 18:55' took three lines in
    the narrow 'Sinds' column)."""
    client.force_login(world["coordinator"])
    stay = world["stay"]
    body = client.get(reverse("registry:person_detail", args=[stay.person_id])).content.decode()
    since = consent.consent_overview(stay.person)[0].since
    assert isinstance(since, dt.datetime)
    assert f"<td>{timezone.localtime(since):%d-%m-%Y %H:%M}</td>" in body
