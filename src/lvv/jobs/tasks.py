"""The task-queue entry point (django-tasks): one task that runs any job by id."""

from __future__ import annotations

from django_tasks import task

from lvv.jobs.services import job_run


@task()
def run_job(job_id: str) -> None:
    job_run(job_id)
