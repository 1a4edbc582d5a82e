"""The ready-made job kinds run the owning apps' services in the background."""

import datetime as dt

import pytest

from lvv.jobs.models import Job
from lvv.jobs.services import job_start
from lvv.monitor.models import PublishedMonitor
from lvv.registry.models import CapacityRecord, Stay
from lvv.registry.tests.factories import LVVFactory, StayFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_person_file_is_imported_as_a_job_and_the_upload_removed(tmp_path):
    path = tmp_path / "personen.csv"
    path.write_text(
        "lvv;correspondentienummer;datum_toelating\nAssen;A-1;05-02-2020\nAssen;A-2;06-02-2020\n",
        encoding="utf-8",
    )
    job = job_start(
        kind="persons_import",
        by=UserFactory(),
        payload={"path": str(path), "name": "personen.csv", "allowed_lvv_ids": None},
    )
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.result["stays_created"] == 2
    assert Stay.objects.filter(lvv__name="Assen").count() == 2
    assert not path.exists()


def test_an_invalid_person_file_fails_the_job_with_its_problems_and_writes_nothing(tmp_path):
    path = tmp_path / "personen.csv"
    path.write_text("lvv;correspondentienummer;datum_toelating\nAssen;A-1;31-02-2020\n")
    job = job_start(kind="persons_import", by=None, payload={"path": str(path), "name": "p.csv"})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("Niets geïmporteerd: 1 fout(en).")
    assert not Stay.objects.exists()


def test_a_monitor_is_published_as_a_job():
    lvv = LVVFactory(name="Emmen", start_date=dt.date(2019, 1, 1))
    CapacityRecord.objects.create(lvv=lvv, valid_from=dt.date(2019, 1, 1), places=30)
    StayFactory(lvv=lvv)
    job = job_start(
        kind="monitor_publish",
        by=UserFactory(),
        payload={"peildatum": "2021-12-31", "scheme": "evaluation"},
    )
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    published = PublishedMonitor.objects.get(pk=job.result["published_id"])
    assert published.sha256 == job.result["sha256"]
