"""The research export: pseudonymised per export, no names or V-numbers, logged, researcher only."""

import csv
import io

import pytest
from django.urls import reverse

from lvv.access.models import AccessRecord
from lvv.accounts.models import Role
from lvv.accounts.testing import login_with_2fa
from lvv.jobs.models import Job
from lvv.registry.tests.factories import PersonFactory, StayFactory, UserFactory

pytestmark = pytest.mark.django_db


def _download(client, fmt: str, on_commit) -> bytes:
    """Start the export (a background job, run at once in tests) and download its file."""
    with on_commit(execute=True):
        response = client.post(reverse("access:research"), {"formaat": fmt})
    assert response.status_code == 302
    job = Job.objects.filter(kind="research_export").first()
    assert job is not None
    assert job.status == Job.Status.DONE, job.error
    file = client.get(reverse("jobs:file", args=[job.pk]))
    assert file.status_code == 200
    return b"".join(file.streaming_content)


def _rows(content: bytes):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_researcher_gets_pseudonymised_rows_and_each_export_is_logged(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    on_commit = django_capture_on_commit_callbacks
    person = PersonFactory(family_name="Onderzoekstest", v_number="9876543210", birth_year=1990)
    StayFactory(person=person)
    researcher = UserFactory(role=Role.RESEARCHER)
    login_with_2fa(client, researcher)
    first = _download(client, "csv", on_commit)
    body = first.decode("utf-8-sig")
    assert "Onderzoekstest" not in body and "9876543210" not in body and str(person.pk) not in body
    (row,) = _rows(first)
    assert row["geboortejaar"] == "1990" and row["land_van_herkomst"] == "ERI"
    second = _download(client, "csv", on_commit)
    assert _rows(second)[0]["pseudoniem"] != row["pseudoniem"]  # a new key per export
    lines = AccessRecord.objects.for_person(person.pk).select_related("audit")
    # Per export: one line when the file is made, one when it is downloaded.
    assert sorted(line.operation for line in lines) == [
        "download",
        "download",
        "research_export_csv",
        "research_export_csv",
    ]
    assert {(line.activity, line.audit.channel) for line in lines} == {("research", "export")}
    assert _download(client, "xlsx", on_commit)[:2] == b"PK"


@pytest.mark.parametrize(
    "role", [Role.COORDINATOR, Role.PROGRAMME_BUREAU, Role.IND, Role.PRIVACY_OFFICER]
)
def test_other_roles_get_no_research_export(client, role):
    StayFactory()
    login_with_2fa(client, UserFactory(role=role))
    assert client.post(reverse("access:research"), {"formaat": "csv"}).status_code == 404
