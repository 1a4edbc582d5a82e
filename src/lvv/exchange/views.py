"""Web pages of the exchange app: the person import for coordinators (upload, validation report,
confirm, then a background job with a progress bar) and the caseload export (CSV/XLSX, a
background job) for coordinators and case workers."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from lvv.access import gate
from lvv.accounts.http import AuthenticatedHttpRequest
from lvv.accounts.models import Role
from lvv.exchange import exports, services
from lvv.jobs import files
from lvv.jobs.services import job_start

SESSION_KEY = "lvv_exchange_upload"


def _importer_lvv_ids(request: AuthenticatedHttpRequest) -> set[int]:
    """The LVVs this coordinator may import into; PermissionDenied for other roles."""
    user = request.user
    if user.role != Role.COORDINATOR:
        raise PermissionDenied
    ids = set(gate.registrable_lvvs(user).values_list("pk", flat=True))
    if not ids:
        raise PermissionDenied
    return ids


def _stored(request: HttpRequest, upload_id: uuid.UUID) -> tuple[str, str] | None:
    """The storage name and original name of this session's checked upload, if still there."""
    info = request.session.get(SESSION_KEY)
    if not info or info.get("id") != str(upload_id) or not files.exists(info.get("file")):
        return None
    return info["file"], info["name"]


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    allowed = _importer_lvv_ids(request)
    context: dict = {"lvvs": gate.lvvs_of(request.user)}
    if request.method == "POST":
        upload = request.FILES.get("bestand")
        suffix = Path(upload.name or "").suffix.lower() if upload else ""
        if upload is None:
            context["error"] = "Kies een bestand (CSV of XLSX)."
        elif suffix not in (".csv", ".xlsx", ".txt"):
            context["error"] = "Alleen CSV- en XLSX-bestanden kunnen worden ingelezen."
        else:
            # Kept in shared storage (a worker on another server imports it) until the import
            # job finished; an upload never confirmed is removed by lvv.jobs' cleanup.
            stored = files.store_upload(upload, suffix)
            with files.local_path(stored) as path:
                result = services.persons_import(
                    path=path,
                    name=upload.name,
                    dry_run=True,
                    allowed_lvv_ids=allowed,
                    channel="web",
                )
            context.update(result=result, file_name=upload.name)
            if result.ok:
                upload_id = uuid.uuid4()
                request.session[SESSION_KEY] = {
                    "id": str(upload_id),
                    "name": upload.name,
                    "file": stored,
                }
                context["upload_id"] = upload_id
            else:
                files.delete(stored)
                context["problems"] = sorted(result.problems, key=lambda p: p.row)
    return render(request, "exchange/import.html", context)


@login_required
@require_POST
def import_confirm(request: AuthenticatedHttpRequest, upload_id: uuid.UUID) -> HttpResponse:
    """Confirm a checked upload: start the import as a background job (all or nothing) and show
    its progress; or cancel it."""
    allowed = _importer_lvv_ids(request)
    stored = _stored(request, upload_id)
    if stored is None:
        messages.error(request, "Deze upload bestaat niet meer. Lees het bestand opnieuw in.")
        return redirect("exchange:import")
    name, original = stored
    request.session.pop(SESSION_KEY, None)
    if "annuleren" in request.POST:
        files.delete(name)
        messages.info(request, "De import is geannuleerd; er is niets opgeslagen.")
        return redirect("exchange:import")
    job = job_start(
        kind="persons_import",
        by=request.user,
        payload={"file": name, "name": original, "allowed_lvv_ids": sorted(allowed)},
    )
    return redirect("jobs:detail", pk=job.pk)


# Caseload export --------------------------------------------------------------------------------

escape_formula = exports.escape_formula  # used by tests and other exports


@login_required
@require_POST
def caseload_export(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    """Start the export of the caller's caseload (the stays the gate lets them see) as CSV or XLSX:
    a background job whose file only the caller can download (lvv.jobs, docs/adr/0072)."""
    if fmt not in exports.CONTENT_TYPES:
        raise PermissionDenied
    if not gate.can_export_caseload(request.user):
        raise PermissionDenied
    job = job_start(kind="caseload_export", by=request.user, payload={"fmt": fmt})
    return redirect("jobs:detail", pk=job.pk)
