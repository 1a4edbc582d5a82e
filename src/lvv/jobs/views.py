from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lvv.jobs.selectors import jobs_of


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and the benchmark's trivial view: no database, no session."""
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
@never_cache
@login_required
def job_progress_partial(request: HttpRequest, pk) -> HttpResponse:
    """The progress bar of one job (htmx polls it until the job is finished)."""
    job = get_object_or_404(jobs_of(request.user), pk=pk)
    return render(request, "jobs/_progress.html", {"job": job})
