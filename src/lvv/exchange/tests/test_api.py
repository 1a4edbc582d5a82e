"""The API: tokens, the contract shape of /api/v1/persons/, and allowed/denied pairs per role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from lvv.access.models import AccessRecord
from lvv.accounts.models import Organisation, Role
from lvv.exchange.models import ApiToken
from lvv.registry.tests.factories import (
    LVVFactory,
    OrganisationFactory,
    StayFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two LVVs; in Amsterdam two NGOs each guiding one person; one person in Utrecht."""
    ams, utr = LVVFactory(name="Amsterdam"), LVVFactory(name="Utrecht")
    ngo_a = OrganisationFactory(name="NGO A", kind=Organisation.Kind.NGO)
    ngo_b = OrganisationFactory(name="NGO B", kind=Organisation.Kind.NGO)
    return {
        "ams": ams,
        "utr": utr,
        "ngo_a": ngo_a,
        "stay_a": StayFactory(lvv=ams, organisation=ngo_a, correspondence_number="A1"),
        "stay_b": StayFactory(lvv=ams, organisation=ngo_b, correspondence_number="A2"),
        "stay_u": StayFactory(lvv=utr, organisation=ngo_a, correspondence_number="U1"),
    }


def client_for(user) -> APIClient:
    _row, token = ApiToken.issue(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_create_token_command_prints_a_token_that_is_stored_hashed(capsys):
    user = UserFactory(username="gemeente-test")
    call_command("create-token", "gemeente-test")
    token = capsys.readouterr().out.strip()
    row = ApiToken.objects.get(user=user)
    assert token.startswith(row.prefix + ".")
    assert token not in (row.digest, row.prefix) and len(row.digest) == 64
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/persons/").status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is not None
    call_command("revoke-token", row.prefix)
    assert client.get("/api/v1/persons/").status_code == 401


def test_unauthenticated_and_bad_tokens_are_refused(world):
    anonymous = APIClient()
    for url in (
        "/api/v1/persons/",
        f"/api/v1/persons/{world['stay_a'].person_id}/",
        "/api/v1/stays/",
    ):
        assert anonymous.get(url).status_code == 401
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token deadbeef.nope")
    assert bad.get("/api/v1/persons/").status_code == 401


def test_schema_and_docs_answer_without_login():
    client = APIClient()
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/persons/" in response.content
    assert client.get("/api/v1/docs/").status_code == 200


def test_persons_contract_shape_for_a_coordinator(world):
    coordinator = UserFactory(lvvs=[world["ams"]])
    before = AccessRecord.objects.count()
    response = client_for(coordinator).get("/api/v1/persons/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert body["count"] == 2
    ids = {r["id"] for r in body["results"]}
    assert ids == {str(world["stay_a"].person_id), str(world["stay_b"].person_id)}
    stays = [s for r in body["results"] for s in r["stays"]]
    assert {(s["lvv"], s["organisation"]) for s in stays} == {
        ("Amsterdam", "NGO A"),
        ("Amsterdam", "NGO B"),
    }
    assert AccessRecord.objects.count() - before == 2  # one line per person shown


@pytest.mark.parametrize(
    ("who", "stay", "allowed"),
    [
        ("coordinator", "stay_a", True),
        ("coordinator", "stay_u", False),
        ("case_worker", "stay_a", True),
        ("case_worker", "stay_b", False),
        ("case_worker", "stay_u", False),
    ],
)
def test_person_and_stay_detail_allowed_and_denied(world, who, stay, allowed):
    if who == "coordinator":
        user = UserFactory(lvvs=[world["ams"]])
    else:
        user = UserFactory(role=Role.CASE_WORKER, organisation=world["ngo_a"], lvvs=[world["ams"]])
    client = client_for(user)
    target = world[stay]
    expected = 200 if allowed else 404
    before = AccessRecord.objects.count()
    assert client.get(f"/api/v1/persons/{target.person_id}/").status_code == expected
    assert AccessRecord.objects.count() == before + 1  # allowed or refused, it is logged
    assert client.get(f"/api/v1/stays/{target.pk}/").status_code == expected
    events = client.get(f"/api/v1/stays/{target.pk}/events/")
    assert events.status_code == expected
    if allowed:
        kinds = [e["kind"] for e in events.json()["results"]]
        assert kinds[:2] == ["stay_registered", "organisation_set"]


@pytest.mark.parametrize(
    ("role", "sees_persons"),
    [
        (Role.COORDINATOR, True),
        (Role.CASE_WORKER, True),
        (Role.ADMINISTRATOR, False),
        (Role.PROGRAMME_BUREAU, False),
        (Role.RESEARCHER, False),
    ],
)
def test_roles_without_person_access_get_403(world, role, sees_persons):
    user = UserFactory(role=role, organisation=world["ngo_a"], lvvs=[world["ams"]])
    client = client_for(user)
    expected = 200 if sees_persons else 403
    assert client.get("/api/v1/persons/").status_code == expected
    assert client.get("/api/v1/stays/").status_code == expected
    detail = client.get(f"/api/v1/persons/{world['stay_a'].person_id}/").status_code
    assert detail == (200 if sees_persons else 403)


def test_nonsense_ids_get_404_without_a_hint(world):
    client = client_for(UserFactory(lvvs=[world["ams"]]))
    for url in ("/api/v1/persons/not-a-uuid/", "/api/v1/stays/123/"):
        response = client.get(url)
        assert response.status_code == 404


def test_ind_enrichment_through_the_api(world):
    coordinator = UserFactory(lvvs=[world["ams"]])
    client = client_for(coordinator)
    body = {
        "items": [
            {
                "correspondentienummer": "A1",
                "datum_eerste_aanvraag": "2012-05-12",
                "huidige_status_ind": "in behandeling",
            }
        ]
    }
    response = client.post("/api/v1/ind-enrichment/", body, format="json")
    person = world["stay_a"].person
    person.refresh_from_db()
    if response.status_code == 200:
        assert response.json() == {"updated": 1, "unchanged": 0, "dry_run": False}
        assert person.first_ind_application_date == dt.date(2012, 5, 12)
        assert person.events.filter(source="ind").count() == 1
    else:  # the access matrix lets this role only view IND data: refused, nothing written
        assert response.status_code == 400
        assert person.events.filter(source="ind").count() == 0
    outside = {"items": [{"correspondentienummer": "U1", "datum_eerste_aanvraag": "2012-05-12"}]}
    response = client.post("/api/v1/ind-enrichment/", outside, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0].startswith("item 1: correspondentienummer: no person")


def test_consents_and_decisions_follow_the_gate(world):
    coordinator = client_for(UserFactory(lvvs=[world["ams"]]))
    inside, outside = world["stay_a"], world["stay_u"]
    response = coordinator.get(f"/api/v1/persons/{inside.person_id}/consents/")
    assert response.status_code == 200
    assert {"party", "category", "given", "since"} <= set(response.json()[0])
    assert coordinator.get(f"/api/v1/persons/{outside.person_id}/consents/").status_code == 404
    response = coordinator.get(f"/api/v1/stays/{inside.pk}/decisions/")
    assert response.status_code == 200 and response.json()["count"] == 0
    assert coordinator.get(f"/api/v1/stays/{outside.pk}/decisions/").status_code == 404


def test_person_list_query_count_does_not_grow_with_persons(world, django_assert_max_num_queries):
    client = client_for(UserFactory(lvvs=[world["ams"], world["utr"]]))
    client.get("/api/v1/persons/")  # warm up (token last-used update)
    with django_assert_max_num_queries(30):
        response = client.get("/api/v1/persons/")
    assert response.json()["count"] == 3


def test_the_monitor_document_for_a_peildatum(world, monkeypatch):
    coordinator = client_for(UserFactory(role=Role.COORDINATOR, lvvs=[world["ams"]]))
    response = coordinator.get("/api/v1/monitor/", {"peildatum": "2030-12-31"})
    assert response.status_code == 200
    assert {"peildatum", "lvvs", "national"} <= set(response.json())
    response = coordinator.get("/api/v1/monitor/", {"peildatum": "1990-01-01"})
    assert response.status_code == 400
    assert "lies before the first LVV started" in response.json()["peildatum"][0]
    case_worker = client_for(UserFactory(role=Role.CASE_WORKER, lvvs=[world["ams"]]))
    assert case_worker.get("/api/v1/monitor/", {"peildatum": "2030-12-31"}).status_code == 403

    # A read replica that lags: 503 with Retry-After, never figures that miss recent work.
    from lvv.monitor import replica

    def behind(**_):
        raise replica.ReplicaBehind("the monitor's replica is still 4,096 bytes of WAL behind")

    monkeypatch.setattr(replica, "wait_for_replica", behind)
    response = coordinator.get("/api/v1/monitor/", {"peildatum": "2030-12-31"})
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "bytes of WAL behind" in response.json()["detail"]
