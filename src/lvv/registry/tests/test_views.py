"""The register's pages through the test client: every permission case pairs an allowed and a
denied user with the same setup."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import connection, connections, router
from django.forms.models import ModelChoiceIterator
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lvv.access.consent import consent_give
from lvv.access.models import AccessRecord, ConsentEvent
from lvv.access.pseudonyms import person_pseudonym
from lvv.accounts.models import Organisation, Role
from lvv.registry import services
from lvv.registry.models import EventKind, Person, RegionMunicipality, Stay
from lvv.registry.taxonomy import OutflowType, Scenario
from lvv.registry.tests.factories import (
    LocationFactory,
    LVVFactory,
    OrganisationFactory,
    PersonFactory,
    StayFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two LVVs; in Utrecht two NGOs with one stay each; a coordinator and a case worker per side."""
    utrecht, groningen = LVVFactory(name="Utrecht"), LVVFactory(name="Groningen")
    ngo_a = OrganisationFactory(name="Stichting A")
    ngo_b = OrganisationFactory(name="Stichting B")
    ngo_a.lvvs.add(utrecht)
    ngo_b.lvvs.add(utrecht)
    RegionMunicipality.objects.create(lvv=utrecht, name="Nieuwegein")
    stay_a = StayFactory(
        lvv=utrecht,
        organisation=ngo_a,
        person=PersonFactory(family_name="Alfa", v_number="1234567890"),
    )
    stay_b = StayFactory(lvv=utrecht, organisation=ngo_b, person=PersonFactory(family_name="Beta"))
    return {
        "utrecht": utrecht,
        "groningen": groningen,
        "ngo_a": ngo_a,
        "ngo_b": ngo_b,
        "stay_a": stay_a,
        "stay_b": stay_b,
        "coordinator": UserFactory(username="alice", lvvs=[utrecht]),
        "other_coordinator": UserFactory(username="bob", lvvs=[groningen]),
        "case_worker_a": UserFactory(
            username="carol", case_worker=True, organisation=ngo_a, lvvs=[utrecht]
        ),
        "administrator": UserFactory(username="dave", administrator=True),
    }


def person_url(stay: Stay) -> str:
    return reverse("registry:person_detail", kwargs={"person_id": stay.person_id})


def test_person_page_allowed_for_coordinator_of_the_lvv(client, world):
    client.force_login(world["coordinator"])
    response = client.get(person_url(world["stay_a"]))
    assert response.status_code == 200
    assert "Alfa" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert AccessRecord.objects.filter(
        person_pseudonym=person_pseudonym(world["stay_a"].person_id),
        operation="read",
        outcome="allowed",
    ).exists()


def test_person_page_404_for_coordinator_of_another_lvv(client, world):
    client.force_login(world["other_coordinator"])
    response = client.get(person_url(world["stay_a"]))
    assert response.status_code == 404
    assert "Alfa" not in response.content.decode()
    assert AccessRecord.objects.filter(
        person_pseudonym=person_pseudonym(world["stay_a"].person_id), outcome="refused"
    ).exists()


def test_case_worker_sees_own_ngo_person_only(client, world):
    client.force_login(world["case_worker_a"])
    assert client.get(person_url(world["stay_a"])).status_code == 200
    assert client.get(person_url(world["stay_b"])).status_code == 404


def test_case_worker_list_shows_only_own_ngo(client, world):
    client.force_login(world["case_worker_a"])
    body = client.get(reverse("registry:person_list")).content.decode()
    assert "Alfa" in body
    assert "Beta" not in body


def test_coordinator_list_shows_whole_lvv(client, world):
    client.force_login(world["coordinator"])
    body = client.get(reverse("registry:person_list")).content.decode()
    assert "Alfa" in body and "Beta" in body


def test_list_forbidden_for_role_without_persons(client, world):
    client.force_login(world["administrator"])
    assert client.get(reverse("registry:person_list")).status_code == 403
    client.force_login(world["coordinator"])
    assert client.get(reverse("registry:person_list")).status_code == 200


def test_menu_shows_persons_only_to_roles_that_see_persons(client, world):
    client.force_login(world["coordinator"])
    assert 'href="/personen/"' in client.get(reverse("web:home")).content.decode()
    client.force_login(world["administrator"])
    assert 'href="/personen/"' not in client.get(reverse("web:home")).content.decode()


def test_stay_form_404_for_other_lvv(client, world):
    url = reverse("registry:stay_scenario", kwargs={"stay_id": world["stay_a"].pk})
    client.force_login(world["other_coordinator"])
    assert client.get(url).status_code == 404
    response = client.post(
        url,
        {
            "expected_version": world["stay_a"].version,
            "scenario": "return",
            "on": "2020-02-01",
            "discussed_in_lso": "ja",
        },
    )
    assert response.status_code == 404
    assert world["stay_a"].events.filter(kind=EventKind.SCENARIO_SET).count() == 0


# The list: a fixed number of queries, logged in one insert ----------------------------------------


# Session, user (with its organisation, which the access log's audit record names), count, page,
# "may register there" (one query for all LVVs), the LVV and NGO pickers. The "Monitor" menu item
# is decided from the role (no query).
LIST_QUERIES = 7
# On the access log's own connection: the audit record and one bulk insert of the lines. SQLite:
# executemany in a transaction of its own (a savepoint in a test). PostgreSQL: one COPY, a
# transaction by itself, which goes past Django's cursor wrapper and is not counted.
LIST_LOG_QUERIES = {"sqlite": 4, "postgresql": 1}


@pytest.mark.parametrize("n", [5, 30])
def test_list_runs_a_fixed_number_of_queries(client, world, n, django_assert_num_queries):
    for i in range(n - 2):
        StayFactory(
            lvv=world["utrecht"],
            organisation=world["ngo_a"],
            person=PersonFactory(family_name=f"Extra{i}"),
        )
    client.force_login(world["coordinator"])
    url = reverse("registry:person_list")
    log_connection = connections[router.db_for_write(AccessRecord) or "default"]
    with (
        django_assert_num_queries(LIST_QUERIES),
        django_assert_num_queries(
            LIST_LOG_QUERIES[log_connection.vendor], connection=log_connection
        ),
    ):
        response = client.get(url, {"status": "in"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == n
    logged = AccessRecord.objects.filter(operation="list", audit__username="alice")
    assert logged.count() == n
    assert set(logged.values_list("person_pseudonym", flat=True)) == {
        person_pseudonym(s.person_id) for s in response.context["rows"]
    }


def test_list_filters_and_search(client, world):
    StayFactory(
        lvv=world["utrecht"],
        organisation=world["ngo_b"],
        person=PersonFactory(family_name="Gamma"),
        scenario=Scenario.RETURN,
        left=True,
        correspondence_number="UTR-77",
    )
    client.force_login(world["coordinator"])
    url = reverse("registry:person_list")

    def names(**params) -> set[str]:
        rows = client.get(url, params).context["rows"]
        return {s.person.family_name for s in rows}

    assert names() == {"Alfa", "Beta", "Gamma"}
    assert names(status="out") == {"Gamma"}
    assert names(status="in") == {"Alfa", "Beta"}
    assert names(scenario="return") == {"Gamma"}
    assert names(organisation=world["ngo_a"].pk) == {"Alfa"}
    assert names(q="1234567890") == {"Alfa"}
    assert names(q="utr-77") == {"Gamma"}
    assert names(q="bet") == {"Beta"}
    assert names(target_group="family") == set()
    # An alias is found too.
    world["stay_b"].person.aliases.create(given_names="Bo", family_name="Schuilnaam")
    assert names(q="schuilnaam") == {"Beta"}


def test_list_htmx_request_returns_only_the_results(client, world):
    client.force_login(world["coordinator"])
    response = client.get(reverse("registry:person_list"), {"q": "alfa"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "Alfa" in body and "Beta" not in body


# The person page ----------------------------------------------------------------------------------


def test_person_page_shows_facts_stays_and_timeline(client, world):
    stay = world["stay_a"]
    services.stay_set_scenario(
        stay=stay, scenario=Scenario.LEGALISATION, on=dt.date(2020, 2, 1), by=None
    )
    outflow = services.stay_register_outflow(
        stay=stay, kind=OutflowType.OTHER_SHELTER, on=dt.date(2020, 5, 1), by=None
    )
    services.event_void(event=outflow, by=world["coordinator"], reason="Verkeerde persoon")
    client.force_login(world["coordinator"])
    body = client.get(person_url(stay)).content.decode()
    assert "Legalisering van verblijf" in body
    assert "01-02-2020" in body
    assert "<del><strong>Uitstroom geregistreerd</strong>: Andere opvang</del>" in body
    assert "Verkeerde persoon" in body
    assert "Stichting A" in body


# Forms --------------------------------------------------------------------------------------------


def _post_action(client, name: str, stay: Stay, **data):
    url = reverse(f"registry:stay_{name}", kwargs={"stay_id": stay.pk})
    return client.post(url, {"expected_version": stay.version, **data})


def test_register_person_with_stay(client, world):
    client.force_login(world["coordinator"])
    response = client.post(
        reverse("registry:person_register"),
        {
            "given_names": "Nieuw",
            "family_name": "Persoon",
            "aliases": "Anders, Naam",
            "birth_year": "1980",
            "gender": "female",
            "country": "ERI",
            "v_number": "0987654321",
            "lvv": world["utrecht"].pk,
            "registration_date": "2024-01-15",
            "target_group": "convenant",
            "organisation": world["ngo_a"].pk,
            "reported_municipality": "Nieuwegein",
            "correspondence_number": "UTR-9",
        },
    )
    person = Person.objects.get(v_number="0987654321")
    assert response.status_code == 302
    assert response["Location"] == person_url_for(person.pk)
    stay = person.stays.get()
    assert (stay.status, stay.organisation, stay.reported_municipality) == (
        "registered",
        world["ngo_a"],
        "Nieuwegein",
    )
    assert person.aliases.get().family_name == "Anders"
    assert AccessRecord.objects.filter(
        person_pseudonym=person_pseudonym(person.pk), operation="create"
    ).exists()


def person_url_for(person_id) -> str:
    return reverse("registry:person_detail", kwargs={"person_id": person_id})


def test_register_person_refuses_duplicate_correspondence_number_and_writes_nothing(client, world):
    StayFactory(lvv=world["utrecht"], correspondence_number="UTR-1")
    client.force_login(world["coordinator"])
    before = Person.objects.count()
    response = client.post(
        reverse("registry:person_register"),
        {
            "family_name": "Dubbel",
            "gender": "unknown",
            "lvv": world["utrecht"].pk,
            "registration_date": "2024-01-15",
            "target_group": "convenant",
            "correspondence_number": "UTR-1",
        },
    )
    assert response.status_code == 200
    assert "al in gebruik" in response.content.decode()
    assert Person.objects.count() == before


def test_register_person_only_in_own_lvv(client, world):
    client.force_login(world["coordinator"])
    response = client.post(
        reverse("registry:person_register"),
        {
            "family_name": "Elders",
            "gender": "unknown",
            "lvv": world["groningen"].pk,
            "registration_date": "2024-01-15",
            "target_group": "convenant",
        },
    )
    assert response.status_code == 200
    assert "Kies een LVV uit de lijst." in response.content.decode()
    assert not Person.objects.filter(family_name="Elders").exists()


def test_second_open_stay_in_same_lvv_is_refused(client, world):
    client.force_login(world["coordinator"])
    stay = world["stay_a"]
    url = reverse("registry:person_register_stay", kwargs={"person_id": stay.person_id})
    data = {
        "lvv": world["utrecht"].pk,
        "registration_date": "2024-01-15",
        "target_group": "convenant",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "al een lopend verblijf in Utrecht" in response.content.decode()
    assert stay.person.stays.count() == 1
    # After outflow a new stay is fine.
    services.stay_register_outflow(stay=stay, kind="return", on=dt.date(2021, 1, 1), by=None)
    assert client.post(url, data).status_code == 302
    assert stay.person.stays.count() == 2
    created = AccessRecord.objects.filter(
        person_pseudonym=person_pseudonym(stay.person_id), operation="create"
    )
    assert created.count() == 1


def test_admit_scenario_outflow_follow_up(client, world):
    stay = StayFactory(lvv=world["utrecht"], registered_only=True)
    client.force_login(world["coordinator"])
    assert _post_action(client, "admit", stay, on="2020-01-10").status_code == 302
    stay.refresh_from_db()
    response = _post_action(
        client, "scenario", stay, scenario="return", on="2020-02-01", discussed_in_lso="nee"
    )
    assert response.status_code == 302
    stay.refresh_from_db()
    assert (stay.scenario, stay.scenario_discussed_in_lso) == ("return", False)
    response = _post_action(
        client, "outflow", stay, outflow_type="immigration_detention", on="2020-03-01"
    )
    assert response.status_code == 302
    stay.refresh_from_db()
    response = _post_action(client, "follow_up", stay, follow_up="forced_departure", on="")
    assert response.status_code == 302
    stay.refresh_from_db()
    assert (stay.status, stay.outflow_type, stay.follow_up) == (
        "left",
        "immigration_detention",
        "forced_departure",
    )


def test_move_location_and_change_organisation(client, world):
    stay = world["stay_a"]
    location = LocationFactory(lvv=world["utrecht"], name="Huis Oost")
    LocationFactory(lvv=world["groningen"], name="Elders")
    client.force_login(world["coordinator"])
    page = client.get(reverse("registry:stay_location", kwargs={"stay_id": stay.pk}))
    assert "Huis Oost" in page.content.decode() and "Elders" not in page.content.decode()
    assert (
        _post_action(client, "location", stay, location=location.pk, on="2020-02-01").status_code
        == 302
    )
    stay.refresh_from_db()
    response = _post_action(
        client, "organisation", stay, organisation=world["ngo_b"].pk, on="2020-03-01"
    )
    assert response.status_code == 302
    stay.refresh_from_db()
    assert (stay.location, stay.organisation) == (location, world["ngo_b"])


def test_outflow_before_admission_is_refused_and_nothing_written(client, world):
    stay = world["stay_a"]  # admitted 06-01-2020
    client.force_login(world["coordinator"])
    response = _post_action(client, "outflow", stay, outflow_type="return", on="2019-12-31")
    body = response.content.decode()
    assert response.status_code == 200
    assert "De datum van uitstroom ligt vóór de datum van toelating (06-01-2020)." in body
    assert 'aria-invalid="true"' in body
    assert not stay.events.filter(kind=EventKind.OUTFLOW_REGISTERED).exists()


def test_unknown_label_is_refused(client, world):
    stay = world["stay_a"]
    before = stay.events.count()
    client.force_login(world["coordinator"])
    response = _post_action(client, "outflow", stay, outflow_type="weggelopen", on="2020-03-01")
    assert "Kies een wijze van uitstroom uit de lijst." in response.content.decode()
    response = _post_action(
        client, "scenario", stay, scenario="iets", on="2020-03-01", discussed_in_lso="ja"
    )
    assert "Kies een begeleidingsscenario uit de lijst." in response.content.decode()
    assert stay.events.count() == before


def test_future_date_is_refused(client, world):
    stay = StayFactory(lvv=world["utrecht"], registered_only=True)
    client.force_login(world["coordinator"])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = _post_action(client, "admit", stay, on=tomorrow.isoformat())
    assert "Deze datum ligt in de toekomst" in response.content.decode()
    stay.refresh_from_db()
    assert stay.status == "registered"


def test_follow_up_that_does_not_fit_the_outflow(client, world):
    stay = StayFactory(lvv=world["utrecht"], left=True)  # return
    client.force_login(world["coordinator"])
    response = _post_action(client, "follow_up", stay, follow_up="forced_departure", on="")
    assert "past niet bij uitstroom" in response.content.decode()
    assert not stay.events.filter(kind=EventKind.FOLLOW_UP_REGISTERED).exists()


def test_concurrent_edit_conflicts_instead_of_overwriting(client, world):
    stay = world["stay_a"]
    client.force_login(world["coordinator"])
    loaded_version = stay.version
    # Someone else sets a scenario after our form was loaded.
    services.stay_set_scenario(stay=stay, scenario="return", on=dt.date(2020, 2, 1), by=None)
    response = client.post(
        reverse("registry:stay_scenario", kwargs={"stay_id": stay.pk}),
        {
            "expected_version": loaded_version,
            "scenario": "legalisation",
            "on": "2020-02-02",
            "discussed_in_lso": "ja",
        },
    )
    assert response.status_code == 409
    assert "intussen door iemand anders gewijzigd" in response.content.decode()
    stay.refresh_from_db()
    assert stay.scenario == "return"


def test_case_worker_cannot_change_other_ngo_stay(client, world):
    client.force_login(world["case_worker_a"])
    other = world["stay_b"]
    response = _post_action(client, "admit", other, on="2020-01-10")
    assert response.status_code == 404
    own = StayFactory(lvv=world["utrecht"], organisation=world["ngo_a"], registered_only=True)
    assert _post_action(client, "admit", own, on="2020-01-10").status_code == 302


def test_void_event_with_reason(client, world):
    stay = world["stay_a"]
    event = services.stay_set_scenario(
        stay=stay, scenario="return", on=dt.date(2020, 2, 1), by=None
    )
    client.force_login(world["coordinator"])
    url = reverse("registry:event_void", kwargs={"event_id": event.pk})
    assert "Geef aan waarom" in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Dubbel ingevoerd"}).status_code == 302
    stay.refresh_from_db()
    assert stay.scenario == "not_yet_determined"
    assert event.superseded_by.get().data["reason"] == "Dubbel ingevoerd"
    # Another LVV's coordinator cannot even see the form.
    client.force_login(world["other_coordinator"])
    assert client.get(url).status_code == 404


def test_correct_person_data(client, world):
    person = world["stay_a"].person
    client.force_login(world["coordinator"])
    url = reverse("registry:person_correct", kwargs={"person_id": person.pk})
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["v_number"] = "12345"
    assert "precies 10 cijfers" in client.post(url, data).content.decode()
    data["v_number"] = "1111111111"
    assert client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.v_number == "1111111111"
    assert person.events.filter(kind=EventKind.PERSON_CORRECTED).count() == 1


def test_start_page_quick_links_by_role(client, world):
    client.force_login(world["coordinator"])
    body = client.get(reverse("web:home")).content.decode()
    assert "Persoon aanmelden" in body and "LVV Utrecht" in body
    client.force_login(world["administrator"])
    body = client.get(reverse("web:home")).content.decode()
    assert "Persoon aanmelden" not in body
    assert "Functioneel beheer" in body


# Consent-based roles (IND, DT&V, ...) see only what the person consented to share ---------------


def test_ind_member_sees_only_consented_categories(client, world):
    ind_org = OrganisationFactory(name="IND", kind=Organisation.Kind.IND)
    ind = UserFactory(username="erin", role=Role.IND, organisation=ind_org, lvvs=[world["utrecht"]])
    stay = world["stay_a"]
    services.stay_set_scenario(stay=stay, scenario="return", on=dt.date(2020, 2, 1), by=None)
    client.force_login(ind)
    # No consent: not in the list, 404 on the page.
    assert client.get(person_url(stay)).status_code == 404
    assert client.get(reverse("registry:person_list")).context["rows"] == []
    # Consent for identity and stay, not for the trajectory: no scenario anywhere.
    consent_give(
        person=stay.person,
        party="ind",
        categories=["identity", "stay"],
        method=ConsentEvent.Method.PARTICIPATION_FORM,
        by=world["coordinator"],
    )
    body = client.get(person_url(stay)).content.decode()
    assert "Alfa" in body
    assert "Terugkeer naar land van herkomst" not in body
    assert "Begeleidingsscenario vastgesteld" not in body
    assert "Toelaten" not in body and "Uitstroom registreren" not in body
    rows = client.get(reverse("registry:person_list")).context["rows"]
    assert [r.person_id for r in rows] == [stay.person_id]
    assert "trajectory" not in rows[0].shown
    # A coordinator with the same setup sees the scenario.
    client.force_login(world["coordinator"])
    assert "Terugkeer naar land van herkomst" in client.get(person_url(stay)).content.decode()


def test_coordinator_cannot_change_ind_data(client, world):
    person = world["stay_a"].person
    client.force_login(world["coordinator"])
    form = client.get(reverse("registry:person_correct", kwargs={"person_id": person.pk})).context[
        "form"
    ]
    assert "v_number" in form.fields
    assert "ind_status" not in form.fields
    assert "first_ind_application_date" not in form.fields


def test_case_worker_cannot_void_other_ngo_event(client, world):
    event = services.stay_set_scenario(
        stay=world["stay_b"], scenario="return", on=dt.date(2020, 2, 1), by=None
    )
    url = reverse("registry:event_void", kwargs={"event_id": event.pk})
    client.force_login(world["case_worker_a"])
    assert client.post(url, {"reason": "Fout"}).status_code == 404
    client.force_login(world["coordinator"])
    assert client.post(url, {"reason": "Fout"}).status_code == 302


def test_case_worker_registers_for_own_ngo_only(client, world):
    client.force_login(world["case_worker_a"])
    url = reverse("registry:person_register")
    data = {
        "family_name": "Eigen",
        "gender": "unknown",
        "lvv": world["utrecht"].pk,
        "registration_date": "2024-01-15",
        "target_group": "convenant",
        "organisation": world["ngo_b"].pk,
    }
    assert client.post(url, data).status_code == 200  # another NGO is not a valid choice
    assert not Person.objects.filter(family_name="Eigen").exists()
    data["organisation"] = world["ngo_a"].pk
    response = client.post(url, data)
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_person_page_query_count_does_not_grow_with_the_timeline(client, world):
    stay = world["stay_a"]
    client.force_login(world["coordinator"])
    url = person_url(stay)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for month in range(2, 12):
        services.stay_set_scenario(
            stay=stay, scenario="return", on=dt.date(2020, month, 1), by=world["coordinator"]
        )
    assert queries() == before


@pytest.mark.parametrize(
    "policy",
    [{"admission_by_signed_intake_form": True}, {"admission_parties": ["municipality", "ngo"]}],
)
def test_person_page_sends_admission_to_the_case_page_where_the_policy_asks(client, world, policy):
    """Where admitting takes the parties' agreement or the signed intake form (ADR 0105), the
    person page's admit button leads to the case page, not to a bare date that would be refused."""
    stay = StayFactory(lvv=world["utrecht"], registered_only=True)
    client.force_login(world["coordinator"])
    with CaptureQueriesContext(connection) as before:
        body = client.get(person_url(stay)).content.decode()
    assert reverse("registry:stay_admit", kwargs={"stay_id": stay.pk}) in body

    world["utrecht"].policy.__class__.objects.filter(lvv=world["utrecht"]).update(**policy)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(person_url(stay)).content.decode()
    assert reverse("registry:stay_admit", kwargs={"stay_id": stay.pk}) not in body
    assert reverse("workflow:case", kwargs={"stay_id": stay.pk}) in body
    assert "Toelaten op de casuspagina" in body
    assert len(ctx.captured_queries) == len(
        before.captured_queries
    )  # the policy came with the stay


def test_person_page_timeline_says_the_signed_intake_form_admitted(client, world):
    """An admission by the signed intake form (ADR 0105) reads on the person page as on the case
    page's timeline, with the signing date as its date, and costs no extra query."""
    plain = StayFactory(lvv=world["utrecht"], registered_only=True)
    signed = StayFactory(lvv=world["utrecht"], registered_only=True)
    assert plain.registration_date is not None
    on = plain.registration_date + dt.timedelta(days=3)
    by = world["coordinator"]
    services.stay_admit(stay=plain, on=on, by=by)
    services.stay_admit(stay=signed, on=on, by=by, data={"intake_form": "signed"})
    client.force_login(by)
    pages = {}
    for name, stay in (("plain", plain), ("signed", signed)):
        with CaptureQueriesContext(connection) as ctx:
            pages[name] = client.get(person_url(stay)).content.decode()
        pages[name + "_queries"] = len(ctx.captured_queries)
    said = "<strong>Toegelaten</strong>: intakeformulier ondertekend"
    assert said in pages["signed"] and said not in pages["plain"]
    assert "<strong>Toegelaten</strong>" in pages["plain"]
    item = pages["signed"].split(said, 1)[1].split("</li>", 1)[0]
    assert f"Datum {on.strftime('%d-%m-%Y')}" in item
    assert pages["signed_queries"] == pages["plain_queries"]


def test_register_form_offers_a_case_worker_only_their_own_ngo(client, world):
    """The organisation picker of an NGO case worker lists their own NGO, without an empty choice,
    rendered by the one-query lister like everyone else's."""
    client.force_login(world["case_worker_a"])
    url = reverse("registry:person_register")
    # Django's own iterator reads through a server-side cursor on PostgreSQL (three round trips).
    with mock.patch.object(ModelChoiceIterator, "__iter__", side_effect=AssertionError("iterator")):
        body = client.get(url).content.decode()
    picker = body.split('name="organisation"', 1)[1].split("</select>", 1)[0]
    assert "Stichting A" in picker and "Stichting B" not in picker
    assert 'value=""' not in picker

    client.force_login(world["coordinator"])
    picker = client.get(url).content.decode().split('name="organisation"', 1)[1]
    picker = picker.split("</select>", 1)[0]
    assert "Stichting A" in picker and "Stichting B" in picker and 'value=""' in picker
