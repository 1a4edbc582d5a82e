"""The privacy officer's pages (access log, subject access) and the consent form on the person page.

Every page that shows person data goes through the gate or logs through it."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from lvv.access import consent, gate, rules
from lvv.access.forms import AccessLogFilterForm, ConsentForm, SubjectAccessForm
from lvv.access.models import ConsentEvent, ProcessingActivity
from lvv.access.selectors import access_log_search, access_report, subject_data
from lvv.accounts.models import Role
from lvv.registry.models import Person


def _privacy_officer_only(request) -> None:
    if not rules.can_view_access_log(request.user):
        raise Http404("Deze pagina bestaat niet of u heeft geen toegang.")


@login_required
def access_log(request):
    _privacy_officer_only(request)
    form = AccessLogFilterForm(request.GET or None)
    page = None
    if form.is_valid():
        data = form.cleaned_data
        lines = access_log_search(
            username=data["username"],
            organisation=data["organisation"],
            pseudonym=data["person"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            outcome=data["outcome"],
            channel=data["channel"],
        )
        page = Paginator(lines, 100).get_page(request.GET.get("pagina"))
    elif not request.GET:
        page = Paginator(access_log_search(), 100).get_page(1)
    roles = dict(Role.choices)
    for line in page or []:
        line.role_label = roles.get(line.audit.role, line.audit.role)
    return render(request, "access/log.html", {"form": form, "page": page})


@login_required
def subject_access(request):
    """GDPR art. 15: everything stored about one person and who looked at it."""
    _privacy_officer_only(request)
    form = SubjectAccessForm(request.GET or None)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        person_id = form.cleaned_data["person"]
        person = Person.objects.filter(pk=person_id).first()
        report = access_report(person_id)
        gate.log_access(
            request.user,
            persons=[person_id],
            operation="subject_access_report",
            activity=ProcessingActivity.SUBJECT_ACCESS,
            categories=list(rules.C.values),
            outcome="allowed" if person or report else "failed",
        )
        if request.GET.get("format") == "json":
            return HttpResponse(
                json.dumps(report, indent=2, ensure_ascii=False),
                content_type="application/json; charset=utf-8",
            )
        context.update(
            {"person": person, "report": report, "data": subject_data(person) if person else None}
        )
    return render(request, "access/subject_access.html", context)


@login_required
def research(request):
    """The researcher's page and download (pseudonymised, per export a new key)."""
    if not rules.can_research_export(request.user):
        raise Http404("Deze pagina bestaat niet of u heeft geen toegang.")
    fmt = request.POST.get("formaat")
    if request.method == "POST" and fmt in ("csv", "xlsx"):
        # A background job (lvv.jobs, docs/adr/0072): the file is made by a worker and only this
        # user can download it, for LVV_JOB_FILE_RETENTION_HOURS.
        from lvv.jobs.services import job_start

        job = job_start(kind="research_export", by=request.user, payload={"fmt": fmt})
        return redirect("jobs:detail", pk=job.pk)
    return render(request, "access/research.html")


# The consent form's fields as HTML, per (language, default method): the form is the same for
# every person and user (no user-dependent choices, unbound, no errors; the CSRF token is outside),
# so the person page renders it once per process instead of through the widget templates on every
# request. A form that ever depends on the user or person must drop this cache.
_CONSENT_FORM_HTML: dict[tuple[str, str], SafeString] = {}


def consent_form_html(method: str) -> SafeString:
    key = (get_language() or "", method)
    html = _CONSENT_FORM_HTML.get(key)
    if html is None:
        form = ConsentForm(initial={"method": method})
        html = render_to_string("access/_consent_form_fields.html", {"consent_form": form})
        _CONSENT_FORM_HTML[key] = html
    return html


def _panel_context(request, person) -> dict:
    """The consent panel: one query for the consent state; a user who records consent also gets
    the LVV's consent mode (one query) and the history (one query)."""
    user = request.user
    rows = consent.consent_overview(person)
    rule = rules.rule_for(user)
    if rule.scope == rules.Scope.CONSENT:
        rows = [row for row in rows if row.party == rule.party]
    if not rules.can_record_consent(user):
        return {
            "consent_rows": rows,
            "consent_form": None,
            "consent_history": [],
            "consent_mode": "",
        }
    mode = consent.latest_consent_mode(person)
    return {
        "consent_rows": rows,
        "consent_form": consent_form_html(consent.method_for_mode(mode)),
        "consent_history": list(consent.consent_history(person)[:20]),
        "consent_mode": mode,
    }


@require_POST
@login_required
def consent_panel(request, person_id):
    """Record or withdraw consent (case workers and coordinators of the person)."""
    if not rules.can_record_consent(request.user):
        raise gate.PersonNotFound()
    person = gate.access_person(
        request.user,
        person_id,
        operation="change",
        activity=ProcessingActivity.CONSENT,
        categories=["identity"],
    )
    form = ConsentForm(request.POST)
    detail = reverse("registry:person_detail", args=[person.pk])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Toestemming niet vastgelegd: {error}")
        return redirect(f"{detail}#toestemming")
    data = form.cleaned_data
    try:
        form.record(person=person, by=request.user)
    except consent.ConsentError as exc:
        messages.error(request, f"Toestemming niet vastgelegd: {exc}")
    else:
        messages.success(
            request,
            "Toestemming vastgelegd."
            if data["action"] == ConsentEvent.Action.GIVEN
            else "Toestemming ingetrokken. Dit geldt direct.",
        )
    return redirect(f"{detail}#toestemming")


def register_panels() -> None:
    """Called from AccessConfig.ready(): the consent panel on the person page, menu entries."""
    try:
        from lvv.web import panels
    except ImportError:  # pragma: no cover - the web app is always installed
        return
    panels.register_person_panel(
        key="access.consent",
        template="access/_consent_panel.html",
        context=_panel_context,
        order=80,
        visible=rules.can_see_persons,
    )
    panels.register_menu_item(
        key="access.log",
        label="Logboek",
        url_name="access:log",
        order=90,
        visible=rules.can_view_access_log,
        active_prefix="/privacy/",
    )
    panels.register_menu_item(
        key="access.research",
        label="Onderzoeksexport",
        url_name="access:research",
        order=90,
        visible=rules.can_research_export,
    )
