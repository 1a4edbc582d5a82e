"""Ready-made job kinds for the long work issue 8 names, calling the owning apps' services, so a view
only needs `job_start(kind=..., by=request.user, payload=...)` and the progress partial.

- `persons_import`: payload `{"path": <file in shared media storage>, "name": <original name>,
  "allowed_lvv_ids": [..] or null}`; result: the import's counts, or the row problems as the
  failure message. The file is removed afterwards.
- `monitor_publish`: payload `{"peildatum": "YYYY-MM-DD", "scheme": "evaluation"|"programme",
  "suppress_small_cells": int|null}`; result: the published monitor's id and hash.

Registered when the app is ready (lvv.jobs.apps)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lvv.jobs.models import Job
from lvv.jobs.services import JobError, job_handler, job_progress

MAX_PROBLEMS_SHOWN = 20


@job_handler("persons_import")
def persons_import_job(job: Job) -> dict:
    from lvv.exchange.services import persons_import

    payload = job.payload
    path = Path(payload["path"])
    allowed = payload.get("allowed_lvv_ids")
    job_progress(job, 0, 1)
    try:
        result = persons_import(
            path=path,
            name=payload.get("name"),
            by=job.created_by,
            allowed_lvv_ids=set(allowed) if allowed is not None else None,
            channel="web",
        )
    finally:
        path.unlink(missing_ok=True)
    if result.problems:
        shown = "; ".join(str(p) for p in result.problems[:MAX_PROBLEMS_SHOWN])
        more = len(result.problems) - MAX_PROBLEMS_SHOWN
        raise JobError(
            f"Niets geïmporteerd: {len(result.problems)} fout(en). {shown}"
            + (f" (en nog {more})" if more > 0 else "")
        )
    job_progress(job, 1, 1)
    return {
        key: getattr(result, key)
        for key in ("rows", "persons_created", "stays_created", "stays_updated", "stays_unchanged")
    } | {"lvvs_created": list(result.lvvs_created)}


@job_handler("monitor_publish")
def monitor_publish_job(job: Job) -> dict:
    from lvv.monitor.services import monitor_publish

    payload = job.payload
    job_progress(job, 0, 1)
    published = monitor_publish(
        peildatum=dt.date.fromisoformat(payload["peildatum"]),
        scheme=payload.get("scheme", "evaluation"),
        by=job.created_by,
        suppress_small_cells=payload.get("suppress_small_cells"),
    )
    job_progress(job, 1, 1)
    return {"published_id": published.pk, "sha256": published.sha256}
