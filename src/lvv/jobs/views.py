"""The pages of background jobs: one job (progress, then its result), the user's own jobs, and
the download of an export job's file. A user sees only the jobs they started (docs/adr/0073)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lvv.access import gate
from lvv.access.models import Channel
from lvv.accounts.http import AuthenticatedHttpRequest
from lvv.jobs import files
from lvv.jobs.handlers import EXPORTS
from lvv.jobs.selectors import jobs_of
from lvv.jobs.services import job_expire_file, job_file_expired

RECENT = 50


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and the benchmark's trivial view: no database, no session."""
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
@never_cache
@login_required
def job_progress_partial(request: AuthenticatedHttpRequest, pk) -> HttpResponse:
    """The progress bar of one job (htmx polls it until the job is finished), then its result."""
    job = get_object_or_404(jobs_of(request.user), pk=pk)
    return render(request, "jobs/_progress.html", {"job": job})


@require_GET
@never_cache
@login_required
def job_detail(request: AuthenticatedHttpRequest, pk) -> HttpResponse:
    """The page a view redirects to after starting a job. Without JavaScript it offers a link to
    reload itself; with htmx the progress part updates itself."""
    job = get_object_or_404(jobs_of(request.user), pk=pk)
    return render(request, "jobs/detail.html", {"job": job})


@require_GET
@never_cache
@login_required
def job_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mijn taken: the user's recent jobs with their status."""
    jobs = list(jobs_of(request.user)[:RECENT])
    return render(request, "jobs/list.html", {"jobs": jobs})


@require_GET
@never_cache
@login_required
def job_file(request: AuthenticatedHttpRequest, pk) -> HttpResponseBase:
    """An export job's file, for the user who started it, while they may still export and the
    file is within its retention. Every download is access-logged per person in the file."""
    job = get_object_or_404(jobs_of(request.user), pk=pk, status="done")
    spec = EXPORTS.get(job.kind)
    name = job.result.get("file")
    if spec is None or not name or not spec.allowed(request.user):
        raise Http404("Dit bestand bestaat niet of u heeft geen toegang.")
    if job_file_expired(job) or not files.exists(name):
        job_expire_file(job)
        raise Http404("Dit bestand is verlopen en verwijderd. Maak de export opnieuw.")
    gate.log_access_bulk(
        request.user,
        persons=files.export_persons(name),
        operation="download",
        activity=spec.activity,
        channel=Channel.EXPORT,
        categories=spec.categories,
    )
    return FileResponse(  # never_cache: Cache-Control no-store
        files.open_file(name),
        as_attachment=True,
        filename=job.result.get("filename") or name.rsplit("/", 1)[-1],
        content_type=job.result.get("content_type"),
    )
