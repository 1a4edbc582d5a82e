"""The privacy officer's log search, subject access report and `lvv access-report`."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from lvv.access.gate import access_person
from lvv.access.models import AccessRecord
from lvv.accounts.models import Role
from lvv.accounts.testing import login_with_2fa
from lvv.registry.tests.factories import LVVFactory, StayFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    lvv = LVVFactory(name="Eindhoven")
    stay = StayFactory(lvv=lvv)
    reader = UserFactory(username="lezer", lvvs=[lvv])
    outsider = UserFactory(username="buiten", lvvs=[LVVFactory(name="Groningen")])
    access_person(reader, stay.person_id)
    with pytest.raises(Exception):  # noqa: B017 - PersonNotFound
        access_person(outsider, stay.person_id)
    officer = UserFactory(username="privacy", role=Role.PRIVACY_OFFICER)
    return {"stay": stay, "officer": officer}


def test_access_report_command_prints_the_contract_json(world):
    out = io.StringIO()
    call_command("access-report", str(world["stay"].person_id), "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert [(r["user"], r["outcome"], r["operation"]) for r in report[:2]] == [
        ("lezer", "allowed", "read"),
        ("buiten", "refused", "read"),
    ]
    for row in report:
        assert {"at", "user", "organisation", "operation", "channel", "outcome"} <= set(row)
        assert row["channel"] in {"web", "api", "export", "command"}
    assert report == sorted(report, key=lambda r: r["at"])
    # Running the report is itself on record.
    ran = AccessRecord.objects.for_person(world["stay"].person_id).filter(activity="subject_access")
    assert ran.get().audit.channel == "command"


def test_log_page_filters_by_person_and_outcome(client, world):
    login_with_2fa(client, world["officer"])
    response = client.get(
        reverse("access:log"), {"person": str(world["stay"].person_id), "outcome": "refused"}
    )
    assert response.status_code == 200
    assert [line.audit.username for line in response.context["page"]] == ["buiten"]
    bad = client.get(reverse("access:log"), {"person": "niet-een-id"})
    assert "Vul een persoons-ID" in bad.content.decode()


def test_subject_access_page_shows_data_and_readers_and_is_logged(client, world):
    login_with_2fa(client, world["officer"])
    person = world["stay"].person
    response = client.get(reverse("access:subject-access"), {"person": str(person.pk)})
    body = response.content.decode()
    assert response.status_code == 200
    assert person.family_name in body and "lezer" in body and "buiten" in body
    as_json = client.get(
        reverse("access:subject-access"), {"person": str(person.pk), "format": "json"}
    )
    assert {r["user"] for r in json.loads(as_json.content)} >= {"lezer", "buiten", "privacy"}


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMINISTRATOR, Role.RESEARCHER])
def test_only_the_privacy_officer_sees_the_log(client, world, role):
    login_with_2fa(client, UserFactory(role=role))
    assert client.get(reverse("access:log")).status_code == 404
    assert client.get(reverse("access:subject-access")).status_code == 404


def test_log_and_subject_access_pages_show_dutch_labels_not_codes(client, world):
    login_with_2fa(client, world["officer"])
    person_id = str(world["stay"].person_id)
    log = client.get(reverse("access:log"), {"person": person_id}).content.decode()
    report = client.get(reverse("access:subject-access"), {"person": person_id}).content.decode()
    for body in (log, report):
        assert "<td>inzien</td>" in body and "<td>read</td>" not in body
        assert "documenten, identiteit, IND, juridisch, verblijf, traject" in body
        assert "documents, identity" not in body
    assert "<td>Opdrachtregel</td>" in report and "<td>Geweigerd</td>" in report


def test_subject_access_page_shows_the_times_of_the_log_page(client, world):
    """The report's timestamps are UTC ISO strings; the page shows them in local time, as the log
    page does, so the same line has the same time on both pages."""
    login_with_2fa(client, world["officer"])
    line = AccessRecord.objects.for_person(world["stay"].person_id).earliest("started_at")
    shown = f"{timezone.localtime(line.started_at):%Y-%m-%d %H:%M:%S}"
    person_id = str(world["stay"].person_id)
    log = client.get(reverse("access:log"), {"person": person_id}).content.decode()
    report = client.get(reverse("access:subject-access"), {"person": person_id}).content.decode()
    assert f"<td>{shown}</td>" in log and f"<td>{shown}</td>" in report
