"""A task backend for the embedded SQLite default: runs each task in a thread of the process that
enqueued it, after the enqueueing transaction committed (lvv.jobs enqueues in on_commit).

It keeps the browser responsive without a worker process on a single machine. With PostgreSQL use
django_tasks_db's DatabaseBackend and run `lvv db_worker` (docs/deployment.md): that queue is
shared by every application server and each task is claimed by exactly one worker
(SELECT ... FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import threading

from django.db import connections
from django_tasks.backends.immediate import ImmediateBackend


class ThreadBackend(ImmediateBackend):
    def _execute_task(self, task_result) -> None:
        def run() -> None:
            try:
                super(ThreadBackend, self)._execute_task(task_result)
            finally:
                connections.close_all()

        threading.Thread(target=run, name=f"lvv-job-{task_result.id}", daemon=True).start()
