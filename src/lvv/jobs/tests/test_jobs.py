"""Background jobs: start, progress, outcome, the job pages and file, several workers, health."""

import datetime as dt
import io
import os
import subprocess
import sys
import threading
import time

import pytest
from django.test import Client
from django.urls import reverse

from lvv.access.models import AccessRecord
from lvv.accounts.models import Role
from lvv.jobs.models import Job
from lvv.jobs.services import JobError, job_handler, job_progress, job_start
from lvv.registry.models import Stay
from lvv.registry.tests.factories import LVVFactory, StayFactory, UserFactory


@job_handler("test_count")
def _count(job: Job) -> dict:
    total = job.payload["n"]
    for i in range(1, total + 1):
        job_progress(job, i, total)
    return {"counted": total}


@job_handler("test_fail")
def _fail(job: Job) -> dict:
    raise JobError("Het bestand is leeg.")


@job_handler("test_crash")
def _crash(job: Job) -> dict:
    raise RuntimeError("secret details of a person")


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_after_commit_and_records_progress_and_result():
    user = UserFactory()
    job = job_start(kind="test_count", by=user, payload={"n": 5})
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert (job.done, job.total) == (5, 5)
    assert job.result == {"counted": 5}
    assert job.started_at and job.finished_at
    assert job.task_id


@pytest.mark.django_db(transaction=True)
def test_a_failed_job_shows_its_message_and_a_crash_hides_the_details():
    job = job_start(kind="test_fail", by=None, payload={})
    job.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.FAILED, "Het bestand is leeg.")
    crash = job_start(kind="test_crash", by=None, payload={})
    crash.refresh_from_db()
    assert crash.status == Job.Status.FAILED
    assert "secret" not in crash.error


@pytest.mark.django_db
def test_nothing_is_enqueued_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_start(kind="test_count", by=None, payload={"n": 1})
    assert len(callbacks) == 1  # enqueued only on commit
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED


@pytest.mark.django_db
def test_a_job_is_claimed_once():
    from lvv.jobs.services import job_run

    job = Job.objects.create(kind="test_count", payload={"n": 2})
    job_run(str(job.pk))
    Job.objects.filter(pk=job.pk).update(result={})
    job_run(str(job.pk))  # delivered twice: the second run finds it claimed
    assert Job.objects.get(pk=job.pk).result == {}


def test_unknown_kinds_are_refused(db):
    with pytest.raises(ValueError, match="unknown job kind"):
        job_start(kind="nope", by=None, payload={})


@pytest.mark.django_db
def test_progress_partial_polls_until_finished_and_only_for_the_starter(
    django_assert_max_num_queries,
):
    owner, other = UserFactory(), UserFactory()
    job = Job.objects.create(kind="test_count", created_by=owner, done=3, total=10)
    url = reverse("jobs:progress", args=[job.pk])
    client = Client()
    client.force_login(owner)
    with django_assert_max_num_queries(6):
        html = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert 'value="30"' in html
    assert "3 van 10" in html
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, done=10)
    assert "hx-trigger" not in client.get(url).content.decode()
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert Client().get(url).status_code == 302  # anonymous: to the login page


def test_healthz_needs_no_database_and_no_login(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("jobs:healthz"))
    assert response.status_code == 200
    assert response.content == b"ok\n"


# The job pages, the result file and who may see them -------------------------------------------


def _done_export(owner, media, *, finished_at=None) -> Job:
    """A finished caseload export job with its stored file, as the handler leaves it."""
    from django.utils import timezone

    from lvv.jobs import files

    job = Job.objects.create(
        kind="caseload_export", created_by=owner, status=Job.Status.DONE, payload={"fmt": "csv"}
    )
    stay = StayFactory.create()
    name = files.save_export(job.pk, "csv", b"lvv;x\nA;1\n", [stay.person_id])
    Job.objects.filter(pk=job.pk).update(
        finished_at=finished_at or timezone.now(),
        result={
            "file": name,
            "filename": "caseload-2026-11-23.csv",
            "content_type": "text/csv; charset=utf-8",
            "persons": 1,
        },
    )
    job.refresh_from_db()
    return job


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_only_the_starter_sees_a_job_its_progress_and_its_file(media):
    owner = UserFactory(role=Role.COORDINATOR)
    other = UserFactory(role=Role.COORDINATOR, lvvs=list(owner.lvvs.all()))
    privacy = UserFactory(role=Role.PRIVACY_OFFICER)
    job = _done_export(owner, media)
    urls = [reverse(f"jobs:{name}", args=[job.pk]) for name in ("detail", "progress", "file")]
    for user in (other, privacy):
        client = Client()
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
        assert str(job.pk) not in client.get(reverse("jobs:list")).content.decode()
    assert [Client().get(url).status_code for url in urls] == [302, 302, 302]  # to the login
    client = Client()
    client.force_login(owner)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    assert "Caseload exporteren" in client.get(reverse("jobs:list")).content.decode()


@pytest.mark.django_db
def test_downloading_the_file_is_access_logged_per_person(media):
    owner = UserFactory(role=Role.COORDINATOR)
    job = _done_export(owner, media)
    client = Client()
    client.force_login(owner)
    response = client.get(reverse("jobs:file", args=[job.pk]))
    assert response.streaming  # a FileResponse; getvalue() joins its streamed content
    assert response.getvalue() == b"lvv;x\nA;1\n"
    assert response["Content-Disposition"] == 'attachment; filename="caseload-2026-11-23.csv"'
    person_id = Stay.objects.get().person_id  # the one person in the file
    line = AccessRecord.objects.for_person(person_id).select_related("audit").get()
    assert (line.operation, line.activity, line.audit.channel) == ("download", "export", "export")


@pytest.mark.django_db
def test_a_starter_who_lost_the_right_to_export_gets_no_file(media):
    owner = UserFactory(role=Role.COORDINATOR)
    job = _done_export(owner, media)
    owner.role = Role.ADMINISTRATOR
    owner.save()
    client = Client()
    client.force_login(owner)
    assert client.get(reverse("jobs:file", args=[job.pk])).status_code == 404
    assert not AccessRecord.objects.exists()


@pytest.mark.django_db
def test_a_file_past_its_retention_is_removed_when_asked_for(media, settings):
    from django.utils import timezone

    from lvv.jobs import files

    settings.LVV_JOB_FILE_RETENTION_HOURS = 24
    owner = UserFactory(role=Role.COORDINATOR)
    job = _done_export(owner, media, finished_at=timezone.now() - dt.timedelta(hours=25))
    name = job.result["file"]
    client = Client()
    client.force_login(owner)
    assert client.get(reverse("jobs:file", args=[job.pk])).status_code == 404
    assert not files.exists(name) and not files.exists(files.persons_name(name))
    job.refresh_from_db()
    assert job.result["expired"] and "file" not in job.result
    assert "verlopen" in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()


@pytest.mark.django_db
def test_clean_jobs_removes_old_files_stale_uploads_and_fails_interrupted_jobs(media, settings):
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.utils import timezone

    from lvv.jobs import files

    now = timezone.now()
    owner = UserFactory(role=Role.COORDINATOR)
    old = _done_export(owner, media, finished_at=now - dt.timedelta(hours=30))
    fresh = _done_export(owner, media, finished_at=now - dt.timedelta(hours=1))
    stale = files.store_upload(ContentFile(b"x"), ".csv")
    waiting = files.store_upload(ContentFile(b"x"), ".csv")
    two_hours_ago = (now - dt.timedelta(hours=2)).timestamp()
    for name in (stale, waiting):
        os.utime(media / name, (two_hours_ago, two_hours_ago))
    queued = Job.objects.create(kind="persons_import", payload={"file": waiting})
    stuck = Job.objects.create(
        kind="test_count", status=Job.Status.RUNNING, started_at=now - dt.timedelta(hours=13)
    )
    out = io.StringIO()
    call_command("clean-jobs", stdout=out)
    assert "1 export file(s)" in out.getvalue() and "1 unconfirmed upload(s)" in out.getvalue()
    assert not files.exists(old.result["file"]) and files.exists(fresh.result["file"])
    assert not files.exists(stale) and files.exists(waiting)  # a queued import keeps its file
    stuck.refresh_from_db()
    assert stuck.status == Job.Status.FAILED and "onderbroken" in stuck.error
    queued.refresh_from_db()
    assert queued.status == Job.Status.QUEUED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "status", "result"),
    [
        ("persons_import", Job.Status.RUNNING, {}),
        ("persons_import", Job.Status.DONE, {"rows": 2, "stays_created": 2, "lvv_ids": [1]}),
        ("monitor_publish", Job.Status.DONE, {"published_id": 7, "sha256": "ab" * 32}),
        ("caseload_export", Job.Status.DONE, {"file": "jobs/exports/x.csv", "filename": "c.csv"}),
        ("research_export", Job.Status.FAILED, {}),
    ],
)
def test_the_progress_partial_runs_a_fixed_number_of_queries(
    kind, status, result, django_assert_num_queries
):
    """Session, user, the job: whatever the kind, the state or the size of the result."""
    owner = UserFactory()
    job = Job.objects.create(
        kind=kind, created_by=owner, status=status, result=result, done=1, total=2
    )
    client = Client()
    client.force_login(owner)
    url = reverse("jobs:progress", args=[job.pk])
    client.get(url)  # the first request of a session may write the session's timestamps
    with django_assert_num_queries(3):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_the_job_page_without_javascript_offers_a_reload_link():
    owner = UserFactory()
    job = Job.objects.create(kind="persons_import", created_by=owner)
    client = Client()
    client.force_login(owner)
    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "<noscript>" in html and reverse("jobs:detail", args=[job.pk]) in html
    assert "Personen importeren" in html and 'hx-trigger="every 1s"' in html


# Several servers and workers --------------------------------------------------------------------

RUNS: list[str] = []


@job_handler("test_slow")
def _slow(job: Job) -> dict:
    RUNS.append(str(job.pk))
    time.sleep(0.2)
    return {}


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_the_same_job_at_once_run_it_once():
    """A double delivery (two workers, two servers' queues) races on the claim: one wins."""
    from django.db import connections

    from lvv.jobs.services import job_run

    job = Job.objects.create(kind="test_slow")
    RUNS.clear()
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            job_run(str(job.pk))
        except Exception as exc:  # pragma: no cover - shown by the assert below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [str(job.pk)] == RUNS
    assert Job.objects.get(pk=job.pk).status == Job.Status.DONE


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_db_worker_processes_given_one_job_twice_publish_once(settings, tmp_path):
    """The production set-up: django_tasks_db's queue in PostgreSQL, two `lvv db_worker`
    processes, and the same job delivered twice. The monitor is published exactly once."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from lvv.jobs.tasks import run_job
    from lvv.monitor.models import PublishedMonitor

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    LVVFactory(start_date=dt.date(2019, 1, 1))
    job = job_start(
        kind="monitor_publish",
        by=UserFactory(),
        payload={"peildatum": "2021-12-31", "scheme": "evaluation"},
    )
    run_job.enqueue(str(job.pk))  # the second delivery
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "LVV_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DJANGO_SETTINGS_MODULE": "lvv.conf.test",
        "LVV_DATA_DIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "lvv", "db_worker", "--batch", "--no-startup-delay"]
    workers = [
        subprocess.Popen(
            [*command, "--worker-id", f"w{i}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for i in range(2)
    ]
    outputs = [w.communicate(timeout=120)[0].decode() for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, (job.error, outputs)
    assert PublishedMonitor.objects.count() == 1


@pytest.mark.django_db
def test_mijn_taken_is_in_the_menu_of_roles_that_start_jobs(client):
    client.force_login(UserFactory(role=Role.RESEARCHER))
    assert ">Mijn taken</a>" in client.get(reverse("web:home")).content.decode()
    client.force_login(UserFactory(role=Role.PRIVACY_OFFICER))
    assert ">Mijn taken</a>" not in client.get(reverse("web:home")).content.decode()


@pytest.mark.django_db
def test_mijn_taken_runs_a_fixed_number_of_queries_whatever_the_number_of_jobs():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner = UserFactory(role=Role.COORDINATOR)
    client = Client()
    client.force_login(owner)
    client.get(reverse("jobs:list"))  # the first request may write the session's timestamps
    counts = []
    for n in (1, 6):
        Job.objects.bulk_create(Job(kind="caseload_export", created_by=owner) for _ in range(n))
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("jobs:list")).content.decode()
        counts.append(len(queries))
        assert html.count("Caseload exporteren</a>") == Job.objects.count()
    assert counts[0] == counts[1]  # one query for the jobs, however many
