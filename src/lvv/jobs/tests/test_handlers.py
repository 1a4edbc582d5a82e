"""The job kinds run the owning apps' public functions in the background."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from lvv.access.models import AccessRecord
from lvv.accounts.models import Organisation, Role
from lvv.jobs import files
from lvv.jobs.models import Job
from lvv.jobs.services import job_start
from lvv.monitor.models import PublishedMonitor
from lvv.registry.models import CapacityRecord, Event, Stay
from lvv.registry.tests.factories import (
    LVVFactory,
    OrganisationFactory,
    StayFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

GOOD = "lvv;correspondentienummer;datum_toelating\nAssen;A-1;05-02-2020\nAssen;A-2;06-02-2020\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _upload(text: str) -> str:
    return files.store_upload(ContentFile(text.encode("utf-8")), ".csv")


def test_a_person_file_is_imported_as_a_job_with_progress_and_the_upload_removed(monkeypatch):
    from lvv.jobs import handlers

    seen: list[tuple[int, int | None]] = []
    real = handlers.job_progress

    def recording_progress(job: Job, done: int, total: int | None) -> None:
        seen.append((done, total))
        real(job, done, total)

    monkeypatch.setattr(handlers, "job_progress", recording_progress)
    name = _upload(GOOD)
    job = job_start(
        kind="persons_import",
        by=UserFactory(),
        payload={"file": name, "name": "personen.csv", "allowed_lvv_ids": None},
    )
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.result["stays_created"] == 2 and job.result["rows"] == 2
    assert (job.done, job.total) == (2, 2)
    # Unknown length while checking, then after each batch written (the total may be the
    # import's estimate from the file's size, at least the rows done).
    assert seen[0] == (0, None)
    done, total = seen[-2]
    assert done == 2 and total is not None and total >= 2
    assert seen[-1] == (2, 2)  # the exact count at the end
    assert Stay.objects.filter(lvv__name="Assen").count() == 2
    assert not files.exists(name)


def test_an_invalid_person_file_fails_the_job_with_its_problems_and_writes_nothing():
    name = _upload("lvv;correspondentienummer;datum_toelating\nAssen;A-1;31-02-2020\n")
    job = job_start(kind="persons_import", by=None, payload={"file": name, "name": "p.csv"})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("Niets geïmporteerd: 1 fout(en).")
    assert not Stay.objects.exists() and not Event.objects.exists()
    assert not files.exists(name)


def test_an_import_that_crashes_halfway_writes_nothing(monkeypatch):
    """All or nothing: a failure after rows were written rolls the whole file back."""
    from lvv.exchange import services

    real = services._write_batch

    def write_then_crash(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_write_batch", write_then_crash)
    name = _upload(GOOD)
    job = job_start(kind="persons_import", by=None, payload={"file": name, "name": "p.csv"})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "disk full" not in job.error
    assert not Stay.objects.exists() and not Event.objects.exists()
    assert not files.exists(name)


def test_an_upload_gone_fails_the_job_clearly():
    job = job_start(kind="persons_import", by=None, payload={"file": "jobs/uploads/x.csv"})
    job.refresh_from_db()
    assert (job.status, job.error) == (
        Job.Status.FAILED,
        "Het bestand is niet meer beschikbaar. Lees het opnieuw in.",
    )


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
    assert job.percent == 100


def test_a_publication_while_the_monitor_replica_lags_fails_clearly_and_stores_nothing(
    monkeypatch,
):
    from lvv.monitor import replica

    def behind(**_):
        raise replica.ReplicaBehind("the monitor's replica is still 4,096 bytes of WAL behind")

    monkeypatch.setattr(replica, "wait_for_replica", behind)
    lvv = LVVFactory(name="Emmen", start_date=dt.date(2019, 1, 1))
    StayFactory(lvv=lvv)
    job = job_start(kind="monitor_publish", by=UserFactory(), payload={"peildatum": "2021-12-31"})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("De kopie van het register waaruit de monitor leest, loopt achter")
    assert not PublishedMonitor.objects.exists()


def test_the_caseload_export_job_stores_the_visible_stays_and_logs_them():
    ams = LVVFactory(name="Amsterdam")
    ngo = OrganisationFactory(name="NGO A", kind=Organisation.Kind.NGO)
    mine = StayFactory(lvv=ams, organisation=ngo, correspondence_number="M-1")
    StayFactory(lvv=ams, correspondence_number="O-1")  # another organisation's
    worker = UserFactory(role=Role.CASE_WORKER, organisation=ngo, lvvs=[ams])
    job = job_start(kind="caseload_export", by=worker, payload={"fmt": "csv"})
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.result["persons"] == 1
    with files.open_file(job.result["file"]) as fh:
        body = fh.read().decode("utf-8-sig")
    assert "M-1" in body and "O-1" not in body
    assert files.export_persons(job.result["file"]) == [str(mine.person_id)]
    line = AccessRecord.objects.for_person(mine.person_id).select_related("audit").get()
    assert (line.operation, line.audit.channel, line.trace_id) == ("export", "export", job.pk)


def test_the_research_export_job_makes_a_pseudonymised_file():
    stay = StayFactory()
    job = job_start(
        kind="research_export", by=UserFactory(role=Role.RESEARCHER), payload={"fmt": "xlsx"}
    )
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.result["filename"] == "lvv-onderzoek.xlsx"
    assert files.export_persons(job.result["file"]) == [str(stay.person_id)]


@pytest.mark.parametrize("kind", ["caseload_export", "research_export"])
def test_an_export_by_someone_who_may_not_export_fails_and_stores_nothing(kind, media):
    StayFactory()
    job = job_start(kind=kind, by=UserFactory(role=Role.ADMINISTRATOR), payload={"fmt": "csv"})
    job.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.FAILED, "U mag deze export niet (meer) maken.")
    assert not list(media.rglob("*.csv"))
    assert not AccessRecord.objects.exists()


@pytest.mark.postgres_only
def test_import_progress_is_visible_to_other_servers_before_the_import_commits(monkeypatch):
    """PostgreSQL: another connection (another application server's progress request) reads the
    rows written so far while the import's transaction is still open."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from lvv.exchange import services
    from lvv.jobs import handlers
    from lvv.jobs import services as job_services

    monkeypatch.setattr(services, "BATCH", 1)
    monkeypatch.setattr(job_services, "PROGRESS_INTERVAL", 0)
    seen_elsewhere = []
    real = handlers.job_progress

    def progress_and_look(job, done, total):
        real(job, done, total)
        other = connections.create_connection("default")
        try:
            with other.cursor() as cur:
                cur.execute("SELECT done, total FROM jobs_job WHERE id = %s", [job.pk])
                row = cur.fetchone()
                cur.execute("SELECT count(*) FROM registry_stay")
                seen_elsewhere.append((*row, cur.fetchone()[0]))
        finally:
            other.close()

    monkeypatch.setattr(handlers, "job_progress", progress_and_look)
    job = job_start(
        kind="persons_import", by=None, payload={"file": _upload(GOOD), "name": "p.csv"}
    )
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    # The rows done move while no stay is visible yet: the import commits once, at the end.
    assert [(done, stays) for done, _, stays in seen_elsewhere[1:3]] == [(1, 0), (2, 0)]
    assert all(total >= done for done, total, _ in seen_elsewhere[1:3])
    assert seen_elsewhere[3:] == [(2, 2, 2)]  # committed: the exact count, the stays
