"""Writes through the API: consent (POST persons/{id}/consents/) and decisions (POST
stays/{id}/decisions/), with the web forms' rules, the gate's door and access log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lvv.access.models import AccessRecord, ConsentEvent, ConsentState
from lvv.accounts.models import Role
from lvv.exchange.tests.test_api import client_for, world  # noqa: F401 (fixture)
from lvv.registry.models import Stay
from lvv.registry.tests.factories import UserFactory
from lvv.workflow.models import Decision

pytestmark = pytest.mark.django_db

GIVE = {
    "action": "given",
    "party": "ind",
    "categories": ["identity", "stay"],
    "method": "separate_form",
    "note": "formulier in dossier",
}


def case_worker(world):  # noqa: F811
    return UserFactory(role=Role.CASE_WORKER, organisation=world["ngo_a"], lvvs=[world["ams"]])


def last_line(person_id) -> AccessRecord:
    return AccessRecord.objects.for_person(person_id).latest("id")


# Consent ------------------------------------------------------------------------------------------


def test_case_worker_gives_and_withdraws_consent(world):  # noqa: F811
    client = client_for(case_worker(world))
    person_id = world["stay_a"].person_id
    url = f"/api/v1/persons/{person_id}/consents/"
    response = client.post(url, GIVE, format="json")
    assert response.status_code == 201, response.json()
    rows = response.json()
    assert {(r["party"], r["category"], r["given"]) for r in rows} == {
        ("ind", "identity", True),
        ("ind", "stay", True),
    }
    assert all(r["since"] for r in rows)
    line = last_line(person_id)
    assert (line.operation, line.activity, line.outcome) == ("change", "consent", "allowed")
    assert line.audit.channel == "api"
    # Visible through the GET endpoint afterwards.
    current = {(r["party"], r["category"]): r["given"] for r in client.get(url).json()}
    assert current[("ind", "identity")] and current[("ind", "stay")]
    assert not current[("ind", "trajectory")]

    withdraw = {**GIVE, "action": "withdrawn", "categories": ["stay"], "method": "verbal"}
    response = client.post(url, withdraw, format="json")
    assert response.status_code == 201
    assert [(r["category"], r["given"]) for r in response.json()] == [("stay", False)]
    assert (
        ConsentState.objects.get(person_id=person_id, party="ind", category="stay").given is False
    )
    assert ConsentEvent.objects.filter(person_id=person_id).count() == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**GIVE, "categories": []}, "categories"),
        ({**GIVE, "categories": "identity"}, "categories"),
        ({**GIVE, "party": "police"}, "party"),
        ({**GIVE, "action": "maybe"}, "action"),
        ({k: v for k, v in GIVE.items() if k != "method"}, "method"),
        ({**GIVE, "party": "avim", "categories": ["medical"]}, "non_field_errors"),
        ({**GIVE, "note": "x" * 501}, "note"),
    ],
)
def test_bad_consent_gets_400_with_the_field_and_nothing_written(world, body, field):  # noqa: F811
    client = client_for(case_worker(world))
    person_id = world["stay_a"].person_id
    response = client.post(f"/api/v1/persons/{person_id}/consents/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert field in errors and all(isinstance(m, str) and m for m in errors[field])
    assert not ConsentEvent.objects.filter(person_id=person_id).exists()


def test_consent_form_message_says_what_to_fix(world):  # noqa: F811
    client = client_for(case_worker(world))
    url = f"/api/v1/persons/{world['stay_a'].person_id}/consents/"
    response = client.post(url, {**GIVE, "categories": []}, format="json")
    assert response.json()["categories"] == ["Kies ten minste één soort gegevens."]
    response = client.post(url, [GIVE], format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()


@pytest.mark.parametrize("role", [Role.IND, Role.DTV, Role.AVIM, Role.PROGRAMME_BUREAU])
def test_roles_that_may_not_record_consent_get_403(world, role):  # noqa: F811
    client = client_for(UserFactory(role=role, lvvs=[world["ams"]]))
    person_id = world["stay_a"].person_id
    response = client.post(f"/api/v1/persons/{person_id}/consents/", GIVE, format="json")
    assert response.status_code == 403
    assert not ConsentEvent.objects.filter(person_id=person_id).exists()


def test_consent_out_of_reach_is_404_like_a_missing_person(world):  # noqa: F811
    client = client_for(case_worker(world))
    for target in (world["stay_b"].person_id, world["stay_u"].person_id):
        response = client.post(f"/api/v1/persons/{target}/consents/", GIVE, format="json")
        assert response.status_code == 404
        line = last_line(target)
        assert (line.operation, line.outcome) == ("change", "refused")
        assert not ConsentEvent.objects.filter(person_id=target).exists()
    missing = "00000000-0000-0000-0000-000000000000"
    response = client.post(f"/api/v1/persons/{missing}/consents/", GIVE, format="json")
    assert response.status_code == 404
    assert (
        response.json()
        == client.post(
            f"/api/v1/persons/{world['stay_u'].person_id}/consents/", GIVE, format="json"
        ).json()
    )


# Decisions ----------------------------------------------------------------------------------------


def scenario_body(**extra):
    return {
        "kind": "scenario",
        "scenario": "return",
        "decider": "maatschappelijke organisatie",
        "decided_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "text": "Besproken met de deelnemer.",
        **extra,
    }


def test_coordinator_records_a_scenario_decision(world):  # noqa: F811
    client = client_for(UserFactory(lvvs=[world["ams"]]))
    stay = world["stay_a"]
    version = client.get(f"/api/v1/stays/{stay.pk}/").json()["version"]
    url = f"/api/v1/stays/{stay.pk}/decisions/"
    response = client.post(url, scenario_body(expected_version=version), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["scenario"], body["decider"]) == (
        "scenario",
        "return",
        "maatschappelijke organisatie",
    )
    stay.refresh_from_db()
    assert stay.scenario == "return" and stay.version > version  # through the event history
    assert stay.events.filter(kind="scenario_set").exists()
    line = last_line(stay.person_id)
    assert (line.operation, line.outcome, line.audit.channel) == ("write", "allowed", "api")
    assert "trajectory" in line.categories
    listed = client.get(url).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]


def test_case_worker_records_a_note(world):  # noqa: F811
    client = client_for(case_worker(world))
    stay = world["stay_a"]
    body = {"kind": "note", "decider": "casemanager", "decided_on": "2024-03-01", "text": "Ok"}
    response = client.post(f"/api/v1/stays/{stay.pk}/decisions/", body, format="json")
    assert response.status_code == 201
    assert Decision.objects.get(stay=stay).text == "Ok"


def test_stale_version_is_a_409_and_nothing_is_written(world):  # noqa: F811
    client = client_for(UserFactory(lvvs=[world["ams"]]))
    stay = world["stay_a"]
    version = Stay.objects.get(pk=stay.pk).version
    url = f"/api/v1/stays/{stay.pk}/decisions/"
    assert client.post(url, scenario_body(expected_version=version), format="json").status_code
    for body in (
        scenario_body(expected_version=version, scenario="legalisation"),
        {
            "kind": "note",
            "decider": "x",
            "decided_on": "2024-03-01",
            "text": "t",
            "expected_version": version,
        },
    ):
        response = client.post(url, body, format="json")
        assert response.status_code == 409
        conflict = response.json()
        assert "gewijzigd" in conflict["detail"] and conflict["version"] > version
    assert Decision.objects.filter(stay=stay).count() == 1
    assert Stay.objects.get(pk=stay.pk).scenario == "return"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (scenario_body(scenario=""), "scenario"),
        (scenario_body(kind="other"), "kind"),
        (scenario_body(decided_on="31-31-2024"), "decided_on"),
        (scenario_body(decided_on="2999-01-01"), "decided_on"),
        (scenario_body(decider=""), "non_field_errors"),
        (scenario_body(meeting=999999), "meeting"),
        ({"kind": "note", "decider": "x", "decided_on": "2024-01-01"}, "text"),
        (scenario_body(expected_version="abc"), "expected_version"),
        (scenario_body(decided_on=20240101), "decided_on"),
    ],
)
def test_bad_decision_gets_400_with_the_field(world, body, field):  # noqa: F811
    client = client_for(UserFactory(lvvs=[world["ams"]]))
    stay = world["stay_a"]
    response = client.post(f"/api/v1/stays/{stay.pk}/decisions/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert field in errors and all(isinstance(m, str) and m for m in errors[field])
    assert not Decision.objects.filter(stay=stay).exists()
    assert not stay.events.filter(kind="scenario_set").exists()


@pytest.mark.parametrize("role", [Role.IND, Role.DTV, Role.AVIM, Role.PROGRAMME_BUREAU])
def test_read_only_roles_get_403_on_decisions(world, role):  # noqa: F811
    client = client_for(UserFactory(role=role, lvvs=[world["ams"]]))
    stay = world["stay_a"]
    response = client.post(f"/api/v1/stays/{stay.pk}/decisions/", scenario_body(), format="json")
    assert response.status_code == 403
    assert not Decision.objects.filter(stay=stay).exists()


def test_decision_out_of_reach_is_404(world):  # noqa: F811
    client = client_for(case_worker(world))
    for stay in (world["stay_b"], world["stay_u"]):
        url = f"/api/v1/stays/{stay.pk}/decisions/"
        assert client.post(url, scenario_body(), format="json").status_code == 404
        line = last_line(stay.person_id)
        assert (line.operation, line.outcome) == ("write", "refused")
        assert not Decision.objects.filter(stay=stay).exists()
    missing = "/api/v1/stays/00000000-0000-0000-0000-000000000000/decisions/"
    assert client.post(missing, scenario_body(), format="json").status_code == 404


def test_decision_in_an_lso_meeting_of_the_stays_lvv(world):  # noqa: F811
    from lvv.workflow.models import Meeting

    coordinator = UserFactory(lvvs=[world["ams"], world["utr"]])
    client = client_for(coordinator)
    stay = world["stay_a"]
    today = timezone.localdate()
    lso = Meeting.objects.create(
        lvv=world["ams"], kind="lso", held_on=today, created_by=coordinator
    )
    other = Meeting.objects.create(
        lvv=world["utr"], kind="lso", held_on=today, created_by=coordinator
    )
    url = f"/api/v1/stays/{stay.pk}/decisions/"
    # A meeting of another LVV is not a choice of the form (as on the web).
    response = client.post(url, scenario_body(meeting=other.pk, decider=""), format="json")
    assert response.status_code == 400 and "meeting" in response.json()
    response = client.post(url, scenario_body(meeting=lso.pk, decider=""), format="json")
    assert response.status_code == 201
    assert response.json()["meeting"] == lso.pk and response.json()["decider"] == ""
    stay.refresh_from_db()
    assert stay.scenario == "return" and stay.scenario_discussed_in_lso is True


def test_write_query_counts_are_bounded(world, django_assert_max_num_queries):  # noqa: F811
    client = client_for(case_worker(world))
    client.get("/api/v1/persons/")  # warm up (token last-used update)
    person_id = world["stay_a"].person_id
    # Measured: 24 (two categories; the service rebuilds each) and 19 (a scenario decision).
    with django_assert_max_num_queries(30):
        response = client.post(f"/api/v1/persons/{person_id}/consents/", GIVE, format="json")
    assert response.status_code == 201
    with django_assert_max_num_queries(25):
        response = client.post(
            f"/api/v1/stays/{world['stay_a'].pk}/decisions/", scenario_body(), format="json"
        )
    assert response.status_code == 201
