"""The web upload (coordinators, own LVVs, validate -> confirm) and the caseload export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lvv.access.models import AccessRecord
from lvv.accounts.models import Organisation, Role
from lvv.exchange import views
from lvv.jobs.models import Job
from lvv.registry.models import Event, Stay
from lvv.registry.tests.factories import (
    LVVFactory,
    OrganisationFactory,
    PersonFactory,
    StayFactory,
    UserFactory,
)

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db

FILE = (
    "lvv;correspondentienummer;datum_toelating;geslacht\n"
    "Amsterdam;W-1;01-02-2020;v\n"
    "Amsterdam;W-2;2020-03-01;m\n"
)


@pytest.fixture
def coordinator(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    ams = LVVFactory(name="Amsterdam")
    LVVFactory(name="Utrecht")
    user = UserFactory(username="gemeente-amsterdam", lvvs=[ams])
    return user


def _login(client, user):
    client.force_login(user)
    return client


def _upload(client, text: str, name: str = "personen.csv"):
    return client.post(
        reverse("exchange:import"),
        {"bestand": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")},
    )


def _uploads(tmp_path) -> list:
    return list((tmp_path / "media" / "jobs" / "uploads").glob("*"))


def test_upload_validate_then_confirm_runs_a_job(
    client, coordinator, tmp_path, django_capture_on_commit_callbacks
):
    _login(client, coordinator)
    response = _upload(client, FILE)
    assert response.status_code == 200
    assert "alle regels zijn in orde" in response.content.decode()
    assert Stay.objects.count() == 0  # nothing before the confirm step
    upload_id = response.context["upload_id"]
    assert _uploads(tmp_path)  # kept until the import job finished
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchange:import_confirm", args=[upload_id]))
    job = Job.objects.get()
    assert (job.kind, job.created_by) == ("persons_import", coordinator)
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert Stay.objects.count() == 2
    assert set(Event.objects.values_list("source", flat=True)) == {"import"}
    assert Event.objects.filter(recorded_by=coordinator).count() == Event.objects.count()
    assert not _uploads(tmp_path)  # deleted after the import
    page = client.get(response["Location"]).content.decode()
    assert "Nieuwe verblijven</dt><dd>2" in page
    assert reverse("registry:person_list") + f"?lvv={coordinator.lvvs.get().pk}" in page


def test_cancel_removes_the_upload_and_starts_nothing(client, coordinator, tmp_path):
    _login(client, coordinator)
    upload_id = _upload(client, FILE).context["upload_id"]
    response = client.post(reverse("exchange:import_confirm", args=[upload_id]), {"annuleren": "1"})
    assert response.status_code == 302
    assert not _uploads(tmp_path)
    assert not Job.objects.exists() and not Stay.objects.exists()


def test_upload_with_errors_shows_every_row_and_writes_nothing(client, coordinator, tmp_path):
    _login(client, coordinator)
    text = FILE + "Utrecht;U-1;01-01-2020;\nAmsterdam;W-3;32-01-2020;\n"
    response = _upload(client, text)
    page = response.content.decode()
    assert "2 fouten gevonden" in page
    assert "you do not work in LVV" in page and "is not a real date" in page
    assert Stay.objects.count() == 0
    assert not _uploads(tmp_path)


def test_only_coordinators_may_upload(client, coordinator):
    ngo = OrganisationFactory(name="NGO A", kind=Organisation.Kind.NGO)
    worker = UserFactory(role=Role.CASE_WORKER, organisation=ngo, lvvs=coordinator.lvvs.all())
    _login(client, worker)
    assert client.get(reverse("exchange:import")).status_code == 403
    _login(client, coordinator)
    assert client.get(reverse("exchange:import")).status_code == 200


def test_confirm_needs_the_same_session(client, coordinator):
    _login(client, coordinator)
    import uuid

    response = client.post(reverse("exchange:import_confirm", args=[uuid.uuid4()]))
    assert response.status_code == 302
    assert Stay.objects.count() == 0


def _export(client, fmt: str, callbacks):
    """Start the export job (it runs at once in tests) and download its file."""
    with callbacks(execute=True):
        response = client.post(reverse("exchange:export", args=[fmt]))
    assert response.status_code == 302, response.status_code
    job = Job.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert job.status == Job.Status.DONE, job.error
    return client.get(reverse("jobs:file", args=[job.pk]))


def test_caseload_export_csv_and_xlsx(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    ams = LVVFactory(name="Amsterdam")
    ngo = OrganisationFactory(name="NGO A", kind=Organisation.Kind.NGO)
    other = OrganisationFactory(name="NGO B", kind=Organisation.Kind.NGO)
    mine = StayFactory(
        lvv=ams,
        organisation=ngo,
        correspondence_number="=1+1",
        person=PersonFactory(family_name="@SUM(A1)"),
    )
    StayFactory(lvv=ams, organisation=other, correspondence_number="B-1")
    worker = UserFactory(role=Role.CASE_WORKER, organisation=ngo, lvvs=[ams])
    _login(client, worker)
    before = AccessRecord.objects.count()
    response = _export(client, "csv", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert len(rows) == 2  # header + only the own NGO's participant
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["correspondentienummer"] == "'=1+1"
    assert row["achternaam"] == "'@SUM(A1)"
    assert mine.admission_date is not None
    assert row["datum_toelating"] == mine.admission_date.strftime("%d-%m-%Y")
    # One line per person exported when the file is made, one more per download.
    lines = AccessRecord.objects.for_person(mine.person_id).order_by("id")
    assert [line.operation for line in lines] == ["export", "download"]
    assert AccessRecord.objects.count() == before + 2
    response = _export(client, "xlsx", django_capture_on_commit_callbacks)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2 and values[1][1] == "'=1+1"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith('attachment; filename="caseload-')


def test_export_refused_for_roles_without_person_access(client):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    _login(client, admin)
    assert client.post(reverse("exchange:export", args=["csv"])).status_code == 403
    assert not Job.objects.exists()


def test_escape_formula():
    assert views.escape_formula("=cmd") == "'=cmd"
    assert views.escape_formula("-2+3") == "'-2+3"
    assert views.escape_formula("Amsterdam") == "Amsterdam"
