"""Long work in the background (docs/architecture.md "Background jobs").

    from lvv.jobs.services import job_handler, job_progress, job_start

    @job_handler("persons_import")
    def run_import(job: Job) -> dict:          # runs in the task queue, not in the request
        for done, total in ...:
            job_progress(job, done, total)
        return {"created": 12}                  # stored as job.result (ids and counts only)

    job = job_start(kind="persons_import", by=request.user, payload={"upload_id": 3})
    # render "jobs/_progress.html" with {"job": job}: it polls itself until the job is finished

The job row is written in the caller's transaction and the task is enqueued on commit, so a
rolled-back request starts nothing. A task is claimed with a conditional UPDATE
(queued -> running), so it runs once even if a queue delivers it twice."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone

from lvv.accounts.models import User
from lvv.jobs.models import Job

logger = logging.getLogger(__name__)

Handler = Callable[[Job], dict[str, Any] | None]
_HANDLERS: dict[str, Handler] = {}
# Progress is written at most this often (seconds) per job, except the last step.
PROGRESS_INTERVAL = 0.5
_last_write: dict[Any, float] = {}


class JobError(Exception):
    """An expected failure of a job: its message (Dutch, no personal data) is shown to the user."""


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that does the work of jobs of `kind`."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


def job_kinds() -> list[str]:
    return sorted(_HANDLERS)


@transaction.atomic
def job_start(*, kind: str, by: User | None, payload: dict[str, Any] | None = None) -> Job:
    """Record a job and hand it to the task queue once the current transaction commits."""
    from lvv.jobs.tasks import run_job

    if kind not in _HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}; known: {job_kinds()}")
    job = Job.objects.create(
        kind=kind,
        created_by=by if by is not None and by.pk else None,
        payload=payload or {},
    )

    def enqueue() -> None:
        result = run_job.enqueue(str(job.pk))
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return job


def job_progress(job: Job, done: int, total: int | None) -> None:
    """Record how far a job is. Cheap to call often: writes at most every PROGRESS_INTERVAL s.

    Called inside a transaction on PostgreSQL, it writes through a separate connection so the
    browser sees the progress before the work commits. SQLite allows one writer at a time, so
    there progress made inside a transaction becomes visible when it commits."""
    job.done, job.total = done, total
    now = time.monotonic()
    if done != total and now - _last_write.get(job.pk, 0.0) < PROGRESS_INTERVAL:
        return
    _last_write[job.pk] = now
    if connection.in_atomic_block and connection.vendor == "postgresql":
        side = connections.create_connection("default")
        try:
            with side.cursor() as cur:
                cur.execute(
                    "UPDATE jobs_job SET done = %s, total = %s WHERE id = %s",
                    [done, total, job.pk],
                )
        finally:
            side.close()
    else:
        Job.objects.filter(pk=job.pk).update(done=done, total=total)


def job_run(job_id: str) -> None:
    """Run one job: claim it, call its handler, record the outcome. Called by the task queue."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        logger.info("job %s already claimed or gone", job_id)
        return
    job = Job.objects.get(pk=job_id)
    try:
        result = _HANDLERS[job.kind](job) or {}
    except JobError as exc:
        _finish(job, Job.Status.FAILED, error=str(exc))
    except Exception as exc:
        # The class name only: an exception message may quote personal data.
        logger.exception("job %s (%s) failed: %s", job.pk, job.kind, type(exc).__name__)
        _finish(job, Job.Status.FAILED, error="Er ging iets mis; de beheerder is op de hoogte.")
    else:
        _finish(job, Job.Status.DONE, result=result)
    finally:
        _last_write.pop(job.pk, None)


def _finish(job: Job, status: str, *, error: str = "", result: dict | None = None) -> None:
    fields = {"status": status, "finished_at": timezone.now(), "error": error}
    if result is not None:
        fields["result"] = result
    if status == Job.Status.DONE and job.total is not None:
        fields["done"] = job.total
    Job.objects.filter(pk=job.pk).update(**fields)
