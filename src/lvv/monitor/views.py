"""The monitor in the web application (Dutch). Who sees what: `lvv.monitor.access.monitor_scope`."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lvv.accounts.http import AuthenticatedHttpRequest
from lvv.jobs.services import job_start
from lvv.monitor import figures, reconcile, renderers, replica, report, selectors
from lvv.monitor.access import MonitorScope, monitor_scope
from lvv.monitor.charts import report_charts
from lvv.monitor.models import PublishedMonitor
from lvv.registry.forms import _field
from lvv.registry.models import LVV

CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


class MonitorForm(forms.Form):
    peildatum = forms.DateField(
        label="Peildatum",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="De stand aan het eind van deze dag.",
    )
    scheme = forms.ChoiceField(
        label="Telwijze",
        choices=list(report.SCHEME_LABELS.items()),
        initial=figures.EVALUATION,
        # The labels are sentences ("Evaluatie (zoals geregistreerd)"): shown whole.
        widget=forms.Select(attrs={"class": "whole"}),
    )
    focus = forms.ChoiceField(label="Grafieken voor", required=False)
    suppress = forms.IntegerField(
        label="Kleine aantallen onderdrukken onder",
        required=False,
        min_value=2,
        max_value=100,
        help_text="Voor publicatie, bijvoorbeeld 5. Leeg: niets onderdrukken.",
    )
    registratie = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, lvv_names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        _field(self, "focus", forms.ChoiceField).choices = [
            ("national", "Landelijk"),
            *[(n, n) for n in lvv_names],
        ]

    def clean_peildatum(self):
        value = self.cleaned_data["peildatum"]
        first = figures.earliest_date()
        if first is None:
            raise forms.ValidationError("Er is nog geen LVV in het register.")
        if value < first:
            raise forms.ValidationError(
                f"Kies een datum vanaf {first:%d-%m-%Y}: toen begon de eerste LVV."
            )
        return value


def _scope_or_403(request: AuthenticatedHttpRequest) -> MonitorScope:
    scope = monitor_scope(request.user)
    if not scope.may_view:
        raise PermissionDenied("U heeft geen toegang tot de monitor.")
    return scope


def _visible_names(scope: MonitorScope) -> list[str]:
    names = LVV.objects.order_by("name").values_list("name", flat=True)
    return [n for n in names if scope.lvv_names is None or n in scope.lvv_names]


def _form(request: HttpRequest, scope: MonitorScope) -> MonitorForm:
    data = request.GET.copy()
    data.setdefault("peildatum", timezone.localdate().isoformat())
    data.setdefault("scheme", figures.EVALUATION)
    data.setdefault("focus", "national")
    return MonitorForm(data, lvv_names=_visible_names(scope))


def _restrict(rep: report.Report, names: frozenset[str] | None) -> report.Report:
    """Drop the LVV columns the user may not see (national stays what it is)."""
    if names is None:
        return rep

    def keep(document):
        return {**document, "lvvs": [r for r in document["lvvs"] if r["lvv"] in names]}

    allowed = {*names, "national"}
    rep.document = keep(rep.document)
    rep.other_groups = {g: keep(d) for g, d in rep.other_groups.items()}
    rep.targets = [t for t in rep.targets if t["lvv"] in names]
    rep.quality = {k: v for k, v in rep.quality.items() if k in allowed}
    rep.series = {k: v for k, v in rep.series.items() if k in allowed}
    rep.outcomes = {k: v for k, v in rep.outcomes.items() if k in allowed}
    rep.reconciliation = {k: v for k, v in rep.reconciliation.items() if k in allowed}
    return rep


def _build(scope: MonitorScope, cleaned: dict) -> report.Report:
    rep = report.build_report(
        peildatum=cleaned["peildatum"],
        scheme=cleaned["scheme"],
        known_at=cleaned.get("registratie"),
        suppress_small_cells=cleaned.get("suppress"),
        lvv_names=scope.compute_scope,
    )
    return _restrict(rep, scope.lvv_names)


def _query(cleaned: dict, **extra) -> str:
    params = {
        "peildatum": cleaned["peildatum"].isoformat(),
        "scheme": cleaned["scheme"],
        **({"suppress": cleaned["suppress"]} if cleaned.get("suppress") else {}),
        **(
            {"registratie": cleaned["registratie"].isoformat()}
            if cleaned.get("registratie")
            else {}
        ),
        **extra,
    }
    return urlencode(params)


@login_required
def monitor_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = _scope_or_403(request)
    form = _form(request, scope)
    context: dict = {"form": form, "scope": scope}
    if form.is_valid():
        cleaned = form.cleaned_data
        rep = _build(scope, cleaned)
        focus = cleaned.get("focus") or "national"
        ctx = renderers.context(rep, charts=report_charts(rep, focus=focus))
        # Numbers link to the stays behind them only for users who may see persons, only for their
        # own LVVs, and never under suppression (a list would reveal what is hidden).
        traceable = (
            scope.lvv_names or frozenset()
            if scope.may_trace and not cleaned.get("suppress")
            else frozenset()
        )
        for table in ctx["tables"]:
            for row in table.get("rows", []):
                for cell in row["cells"]:
                    # Capacity and the occupancy percentage are not counts of stays.
                    if cell["lvv"] in traceable and not (
                        cell["path"] == "capacity" or row.get("percent_row")
                    ):
                        cell["href"] = (
                            reverse("monitor:stays")
                            + "?"
                            + _query(cleaned, lvv=cell["lvv"], cel=cell["path"])
                        )
        for row in ctx["reconciliation"]:
            if scope.may_trace and row["lvv"] in traceable:
                row["href"] = reverse("monitor:reconcile") + "?" + _query(cleaned, lvv=row["lvv"])
        context.update(ctx)
        context["downloads"] = [
            (fmt.upper(), reverse("monitor:download", args=[fmt]) + "?" + _query(cleaned, focus=focus))
            for fmt in ("json", "csv", "xlsx", "html", "pdf")
        ]  # fmt: skip
        context["reconcile_url"] = reverse("monitor:reconcile") + "?" + _query(cleaned)
        context["publish_query"] = cleaned
        # Read from a replica: say whether it is up to date (the page does not wait for it).
        context["replica"] = replica.replica_state()
    return render(request, "monitor/index.html", context)


@login_required
def monitor_download(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    scope = _scope_or_403(request)
    if fmt not in CONTENT_TYPES:
        raise PermissionDenied("Onbekend formaat.")
    form = _form(request, scope)
    if not form.is_valid():
        return render(request, "monitor/index.html", {"form": form, "scope": scope}, status=400)
    cleaned = form.cleaned_data
    rep = _build(scope, cleaned)
    payload = (
        figures.to_json(rep.document).encode("utf-8")
        if fmt == "json"
        else renderers.render(rep, fmt)
    )
    response = HttpResponse(payload, content_type=CONTENT_TYPES[fmt])
    name = f"monitor-{cleaned['peildatum']:%Y-%m-%d}-{cleaned['scheme']}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def monitor_stays(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The stays behind one number, as far as the user may see them (access-logged)."""
    scope = _scope_or_403(request)
    if not scope.may_trace:
        raise PermissionDenied("U mag alleen cijfers zien, geen personen.")
    form = _form(request, scope)
    lvv_name = request.GET.get("lvv", "")
    cell = request.GET.get("cel", "")
    if not form.is_valid() or lvv_name not in (scope.lvv_names or ()) or not cell:
        raise PermissionDenied("Deze lijst kunt u niet opvragen.")
    cleaned = form.cleaned_data
    if cleaned.get("suppress"):
        raise PermissionDenied("Bij onderdrukte aantallen zijn geen lijsten beschikbaar.")
    ids = selectors.stay_ids_behind(
        peildatum=cleaned["peildatum"],
        scheme=cleaned["scheme"],
        lvv_name=lvv_name,
        cell=cell,
        known_at=cleaned.get("registratie"),
    )
    stays = selectors.monitor_stays_for(request.user, ids)
    return render(
        request,
        "monitor/stays.html",
        {
            "stays": stays,
            "total": len(ids),
            "lvv": lvv_name,
            "label": report.LABELS.get(cell, cell),
            "cleaned": cleaned,
            "back": reverse("monitor:index") + "?" + _query(cleaned),
        },
    )


@login_required
def monitor_reconcile(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = _scope_or_403(request)
    form = _form(request, scope)
    if not form.is_valid():
        return render(request, "monitor/index.html", {"form": form, "scope": scope}, status=400)
    cleaned = form.cleaned_data
    facts = figures.collect(
        peildatum=cleaned["peildatum"],
        known_at=cleaned.get("registratie"),
        lvv_names=scope.compute_scope,
    )
    rows = reconcile.differences(facts)
    counts = reconcile.counts_per_rule(rows)
    allowed = None if scope.lvv_names is None else {*scope.lvv_names, "national"}
    counts = {k: v for k, v in counts.items() if allowed is None or k in allowed}
    visible_rows = []
    if scope.may_trace and not cleaned.get("suppress"):
        mine = [r for r in rows if r.lvv in (scope.lvv_names or ())]
        if request.GET.get("lvv"):
            mine = [r for r in mine if r.lvv == request.GET["lvv"]]
        visible_rows = selectors.reconcile_rows_for(request.user, mine)
    return render(
        request,
        "monitor/reconcile.html",
        {
            "cleaned": cleaned,
            "counts": [
                {
                    "lvv": "Landelijk" if lvv == "national" else lvv,
                    "rules": [(report.RULE_LABELS[r], n) for r, n in rules.items()],
                }
                for lvv, rules in counts.items()
            ],
            "rule_labels": report.RULE_LABELS,
            "labels": report.LABELS,
            "rows": visible_rows,
            "may_trace": scope.may_trace,
            "back": reverse("monitor:index") + "?" + _query(cleaned),
        },
    )


@login_required
@require_POST
def monitor_publish(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = _scope_or_403(request)
    if not scope.may_publish:
        raise PermissionDenied("U mag geen monitor publiceren.")
    form = MonitorForm(request.POST, lvv_names=_visible_names(scope))
    if not form.is_valid():
        messages.error(request, "Kies eerst een geldige peildatum en telwijze.")
        return redirect("monitor:index")
    cleaned = form.cleaned_data
    # A background job (lvv.jobs handler "monitor_publish" calls services.monitor_publish): the
    # national monitor takes seconds; the job page shows progress and links to the result.
    job = job_start(
        kind="monitor_publish",
        by=request.user,
        payload={
            "peildatum": cleaned["peildatum"].isoformat(),
            "scheme": cleaned["scheme"],
            "suppress_small_cells": cleaned.get("suppress"),
        },
    )
    return redirect("jobs:detail", pk=job.pk)


@login_required
def monitor_published(request: AuthenticatedHttpRequest) -> HttpResponse:
    _scope_or_403(request)
    rows = []
    for p in selectors.published_monitors()[:100]:
        query = urlencode(
            {
                "peildatum": p.peildatum.isoformat(),
                "scheme": p.scheme,
                "registratie": p.known_at.isoformat(),
                **({"suppress": p.suppress_small_cells} if p.suppress_small_cells else {}),
            }
        )
        rows.append((p, reverse("monitor:index") + "?" + query))
    return render(request, "monitor/published.html", {"rows": rows})


@login_required
def monitor_published_json(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _scope_or_403(request)
    published = get_object_or_404(PublishedMonitor, pk=pk)
    response = HttpResponse(published.document.encode("utf-8"), content_type=CONTENT_TYPES["json"])
    response["Content-Disposition"] = (
        f'attachment; filename="monitor-{published.peildatum:%Y-%m-%d}-{published.sha256[:12]}.json"'
    )
    return response
