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

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Q
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
    """Run one job: claim it, call its handler, record the outcome. Called by the task queue.

    The claim is one conditional UPDATE (queued -> running): of two workers that receive the same
    job (a double delivery, two queues, a retry) exactly one gets a row count of 1 and runs it.
    Access-log lines written by the handler carry the job's id as trace id."""
    from lvv.access.context import processing_context

    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        logger.info("job %s already claimed or gone", job_id)
        return
    job = Job.objects.get(pk=job_id)
    try:
        with processing_context(channel=job.payload.get("channel", "web"), trace_id=job.pk):
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
    try:
        job_cleanup()
    except Exception:  # housekeeping must never fail the job that just finished
        logger.exception("cleaning up old job files failed")


def _finish(job: Job, status: str, *, error: str = "", result: dict | None = None) -> None:
    fields = {"status": status, "finished_at": timezone.now(), "error": error}
    if result is not None:
        fields["result"] = result
    if status == Job.Status.DONE and job.total is not None:
        fields["done"] = job.total
    Job.objects.filter(pk=job.pk).update(**fields)


# Housekeeping ----------------------------------------------------------------------------------

# Seconds an uploaded import file may wait for its confirmation before it is removed.
UPLOAD_MAX_AGE = 3600
_INTERRUPTED = "De taak is onderbroken (de server is herstart). Start haar opnieuw."


def job_file_expired(job: Job, *, now: dt.datetime | None = None) -> bool:
    """Is this job's result file past its retention period (settings.LVV_JOB_FILE_RETENTION_HOURS)?"""
    now = now or timezone.now()
    retention = dt.timedelta(hours=settings.LVV_JOB_FILE_RETENTION_HOURS)
    return job.finished_at is not None and job.finished_at < now - retention


def job_expire_file(job: Job) -> None:
    """Remove a job's result file and note that in its result (the job row stays)."""
    from lvv.jobs import files

    files.delete_export(job.result.get("file"))
    job.result = {k: v for k, v in job.result.items() if k != "file"} | {"expired": True}
    Job.objects.filter(pk=job.pk).update(result=job.result)


def job_cleanup(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remove result files past their retention, uploads never confirmed, and fail jobs that
    stopped with their process (LVV_JOB_STUCK_HOURS). Run by `lvv clean-jobs` (cron), after
    every job and, for one file, when it is asked for. Returns what it did, counted."""
    from lvv.jobs import files

    now = now or timezone.now()
    retention = dt.timedelta(hours=settings.LVV_JOB_FILE_RETENTION_HOURS)
    expired = Job.objects.filter(
        status=Job.Status.DONE, finished_at__lt=now - retention, result__has_key="file"
    )
    n_files = 0
    for job in expired:
        job_expire_file(job)
        n_files += 1
    stuck_before = now - dt.timedelta(hours=settings.LVV_JOB_STUCK_HOURS)
    stuck = list(
        Job.objects.filter(
            Q(status=Job.Status.RUNNING, started_at__lt=stuck_before)
            | Q(status=Job.Status.QUEUED, created_at__lt=stuck_before)
        )
    )
    for job in stuck:
        updated = Job.objects.filter(pk=job.pk, status=job.status).update(
            status=Job.Status.FAILED, finished_at=now, error=_INTERRUPTED
        )
        if updated and job.payload.get("file"):
            files.delete(job.payload["file"])
    waiting = {
        job.payload.get("file")
        for job in Job.objects.filter(
            kind="persons_import", status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
        ).only("payload")
    }
    uploads = files.stale_uploads(now - dt.timedelta(seconds=UPLOAD_MAX_AGE), keep=waiting)
    for name in uploads:
        files.delete(name)
    return {"files": n_files, "interrupted": len(stuck), "uploads": len(uploads)}
