"""The job kinds for the long work issue 8 names, calling the owning apps' public functions, so a
view only does `job_start(kind=..., by=request.user, payload=...)` and redirects to the job page.

- `persons_import`: payload `{"file": <storage name of the upload>, "name": <original name>,
  "allowed_lvv_ids": [..] or null}`; result: the import's counts, or the row problems as the
  failure message (nothing written: the import is all or nothing). The upload is removed
  afterwards, whatever the outcome.
- `monitor_publish`: payload `{"peildatum": "YYYY-MM-DD", "scheme": "evaluation"|"programme",
  "suppress_small_cells": int|null}`; result: the published monitor's id and hash.
- `caseload_export` / `research_export`: payload `{"fmt": "csv"|"xlsx"}`; result: the stored
  file (downloadable by the starter only, for LVV_JOB_FILE_RETENTION_HOURS), its download name,
  content type and row count. Permission is checked again when the job runs and when the file
  is downloaded (EXPORTS below).

Registered when the app is ready (lvv.jobs.apps)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone

from lvv.access import gate
from lvv.access.models import ProcessingActivity
from lvv.accounts.models import User
from lvv.jobs import files
from lvv.jobs.models import Job
from lvv.jobs.services import JobError, job_handler, job_progress

logger = logging.getLogger(__name__)

MAX_PROBLEMS_SHOWN = 20


@job_handler("persons_import")
def persons_import_job(job: Job) -> dict:
    from lvv.exchange.services import persons_import

    payload = job.payload
    allowed = payload.get("allowed_lvv_ids")
    job_progress(job, 0, None)
    try:
        if not files.exists(payload.get("file")):
            raise JobError("Het bestand is niet meer beschikbaar. Lees het opnieuw in.")
        with files.local_path(payload["file"]) as path:
            result = persons_import(
                path=path,
                name=payload.get("name"),
                by=job.created_by,
                allowed_lvv_ids=set(allowed) if allowed is not None else None,
                channel="web",
                on_progress=lambda done, total: job_progress(job, done, total),
            )
    finally:
        files.delete(payload.get("file"))
    if result.problems:
        shown = "; ".join(str(p) for p in result.problems[:MAX_PROBLEMS_SHOWN])
        more = len(result.problems) - MAX_PROBLEMS_SHOWN
        raise JobError(
            f"Niets geïmporteerd: {len(result.problems)} fout(en). {shown}"
            + (f" (en nog {more})" if more > 0 else "")
        )
    job_progress(job, result.rows, result.rows)  # the exact count (the total was an estimate)
    return {
        key: getattr(result, key)
        for key in (
            "rows",
            "persons_created",
            "persons_updated",
            "stays_created",
            "stays_updated",
            "stays_unchanged",
            "events_created",
        )
    } | {"lvvs_created": list(result.lvvs_created), "lvv_ids": allowed}


@job_handler("monitor_publish")
def monitor_publish_job(job: Job) -> dict:
    from lvv.monitor.replica import ReplicaBehind
    from lvv.monitor.services import monitor_publish

    payload = job.payload
    job_progress(job, 0, None)
    try:
        published = monitor_publish(
            peildatum=dt.date.fromisoformat(payload["peildatum"]),
            scheme=payload.get("scheme", "evaluation"),
            by=job.created_by,
            suppress_small_cells=payload.get("suppress_small_cells"),
        )
    except ReplicaBehind as exc:
        logger.warning("monitor publication %s: %s", job.pk, exc)  # no personal data in it
        raise JobError(
            "De kopie van het register waaruit de monitor leest, loopt achter: de cijfers zouden "
            "recente registraties missen, dus er is niets gepubliceerd. Probeer het over een paar "
            "minuten opnieuw; blijft dit zo, meld het dan de beheerder."
        ) from None
    return {"published_id": published.pk, "sha256": published.sha256}


# Exports ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportKind:
    """What the download of an export job's file needs: who may have it and how it is logged."""

    label: str
    allowed: Callable[[User], bool]
    activity: str
    categories: tuple[str, ...]
    build: Callable[[User, str], tuple[bytes, Iterable]]
    filename: Callable[[str], str]


def _caseload(user: User, fmt: str) -> tuple[bytes, Iterable]:
    from lvv.exchange.exports import caseload_export

    return caseload_export(user=user, fmt=fmt)


def _research(user: User, fmt: str) -> tuple[bytes, Iterable]:
    from lvv.access.research import research_export

    content, _, persons = research_export(user=user, fmt=fmt)
    return content, persons


def _research_categories() -> tuple[str, ...]:
    from lvv.access.research import CATEGORIES

    return tuple(CATEGORIES)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

EXPORTS: dict[str, ExportKind] = {
    "caseload_export": ExportKind(
        label="Caseload-export",
        allowed=gate.can_export_caseload,
        activity=ProcessingActivity.EXPORT,
        categories=("identity", "stay"),
        build=_caseload,
        filename=lambda fmt: f"caseload-{timezone.localdate():%Y-%m-%d}.{fmt}",
    ),
    "research_export": ExportKind(
        label="Onderzoeksexport",
        allowed=gate.can_research_export,
        activity=ProcessingActivity.RESEARCH,
        categories=_research_categories(),
        build=_research,
        filename=lambda fmt: f"lvv-onderzoek.{fmt}",
    ),
}


def _export_job(job: Job) -> dict:
    spec = EXPORTS[job.kind]
    fmt = job.payload.get("fmt")
    user = job.created_by
    if fmt not in CONTENT_TYPES:
        raise JobError("Onbekend formaat; kies CSV of XLSX.")
    if user is None or not user.is_active or not spec.allowed(user):
        raise JobError("U mag deze export niet (meer) maken.")
    job_progress(job, 0, None)
    content, persons = spec.build(user, fmt)
    persons = list(persons)
    name = files.save_export(job.pk, fmt, content, persons)
    return {
        "file": name,
        "filename": spec.filename(fmt),
        "content_type": CONTENT_TYPES[fmt],
        "persons": len(persons),
        "bytes": len(content),
    }


for _kind in EXPORTS:
    job_handler(_kind)(_export_job)
