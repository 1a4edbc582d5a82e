"""Background jobs: start, progress, outcome, the progress partial and the health endpoint."""

import pytest
from django.test import Client
from django.urls import reverse

from lvv.jobs.models import Job
from lvv.jobs.services import JobError, job_handler, job_progress, job_start
from lvv.registry.tests.factories import UserFactory


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
