"""Web pages of the exchange app: the person import for coordinators (upload, validation report,
confirm) and the caseload export (CSV/XLSX) for coordinators and case workers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from lvv.access import gate
from lvv.access.models import ProcessingActivity
from lvv.accounts.models import Role
from lvv.exchange import services

UPLOAD_MAX_AGE = 3600  # seconds an unconfirmed upload is kept
SESSION_KEY = "lvv_exchange_upload"


def _upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _clean_stale_uploads() -> None:
    cutoff = time.time() - UPLOAD_MAX_AGE
    for path in _upload_dir().glob("*"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _importer_lvv_ids(request: HttpRequest) -> set[int]:
    """The LVVs this coordinator may import into; PermissionDenied for other roles."""
    user = request.user
    if user.role != Role.COORDINATOR:
        raise PermissionDenied
    ids = set(gate.registrable_lvvs(user).values_list("pk", flat=True))
    if not ids:
        raise PermissionDenied
    return ids


def _stored(request: HttpRequest, upload_id: uuid.UUID) -> tuple[Path, str] | None:
    info = request.session.get(SESSION_KEY)
    if not info or info.get("id") != str(upload_id):
        return None
    path = _upload_dir() / f"{upload_id}{info['suffix']}"
    return (path, info["name"]) if path.exists() else None


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    allowed = _importer_lvv_ids(request)
    context: dict = {"lvvs": gate.lvvs_of(request.user)}
    if request.method == "POST":
        upload = request.FILES.get("bestand")
        suffix = Path(upload.name).suffix.lower() if upload else ""
        if upload is None:
            context["error"] = "Kies een bestand (CSV of XLSX)."
        elif suffix not in (".csv", ".xlsx", ".txt"):
            context["error"] = "Alleen CSV- en XLSX-bestanden kunnen worden ingelezen."
        else:
            _clean_stale_uploads()
            upload_id = uuid.uuid4()
            path = _upload_dir() / f"{upload_id}{suffix}"
            with path.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            result = services.persons_import(
                path=path, name=upload.name, dry_run=True, allowed_lvv_ids=allowed, channel="web"
            )
            context.update(result=result, file_name=upload.name)
            if result.ok:
                request.session[SESSION_KEY] = {
                    "id": str(upload_id),
                    "name": upload.name,
                    "suffix": suffix,
                }
                context["upload_id"] = upload_id
            else:
                path.unlink(missing_ok=True)
                context["problems"] = sorted(result.problems, key=lambda p: p.row)
    return render(request, "exchange/import.html", context)


@login_required
@require_POST
def import_confirm(request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
    allowed = _importer_lvv_ids(request)
    stored = _stored(request, upload_id)
    if stored is None:
        messages.error(request, "Deze upload bestaat niet meer. Lees het bestand opnieuw in.")
        return redirect("exchange:import")
    path, name = stored
    try:
        if "annuleren" in request.POST:
            messages.info(request, "De import is geannuleerd; er is niets opgeslagen.")
            return redirect("exchange:import")
        result = services.persons_import(
            path=path, name=name, by=request.user, allowed_lvv_ids=allowed, channel="web"
        )
    finally:
        path.unlink(missing_ok=True)
        request.session.pop(SESSION_KEY, None)
    if not result.ok:
        return render(
            request,
            "exchange/import.html",
            {"result": result, "file_name": name, "problems": result.problems},
        )
    messages.success(
        request,
        f"Import van {name} voltooid: {result.stays_created} nieuw, "
        f"{result.stays_updated} bijgewerkt, {result.stays_unchanged} ongewijzigd.",
    )
    return redirect("exchange:import")


# Caseload export --------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

LABELS = {
    "target_group": {"convenant": "convenant", "safe_country": "veilige lander", "family": "gezin"},
    "gender": {"male": "man", "female": "vrouw", "unknown": "onbekend"},
    "scenario": {
        "legalisation": "legalisering",
        "return": "terugkeer",
        "onward_migration": "doormigratie",
        "not_yet_determined": "nog niet opgesteld",
        "medical_stabilisation": "stabilisatie medisch",
    },
    "outflow_type": {
        "legalisation": "legalisering",
        "return": "terugkeer",
        "onward_migration": "doormigratie",
        "repeat_asylum_application": "hasa",
        "article_64": "artikel 64",
        "unknown_destination": "mob",
        "terminated": "gedwongen beeindigd",
        "other_shelter": "andere opvang",
        "immigration_detention": "vreemdelingenbewaring",
        "criminal_detention": "detentie",
        "own_network": "eigen netwerk",
        "other_lvv": "andere lvv",
        "bbb": "bbb",
        "deceased": "overleden",
        "other": "overig",
    },
    "follow_up": {
        "forced_departure": "gedwongen vertrek",
        "permit_granted": "vergunning",
        "refused": "afgewezen",
    },
}
EXPORT_COLUMNS = (
    "lvv",
    "correspondentienummer",
    "voornamen",
    "achternaam",
    "v_nummer",
    "land_van_herkomst",
    "geboortejaar",
    "geslacht",
    "doelgroep",
    "datum_aanmelding",
    "datum_toelating",
    "begeleidingsscenario",
    "besproken_in_lso",
    "datum_uitstroom",
    "wijze_van_uitstroom",
    "vervolg",
    "datum_vervolg",
    "organisatie",
)


def escape_formula(value: str) -> str:
    """Make a text cell harmless in a spreadsheet (OWASP CSV injection)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _export_rows(stays) -> list[list]:
    rows = []
    for stay in stays:
        p = stay.person
        rows.append(
            [
                stay.lvv.name,
                stay.correspondence_number,
                p.given_names,
                p.family_name,
                p.v_number,
                p.country,
                p.birth_year,
                LABELS["gender"].get(p.gender, p.gender),
                LABELS["target_group"].get(stay.target_group, stay.target_group),
                stay.registration_date,
                stay.admission_date,
                LABELS["scenario"].get(stay.scenario, stay.scenario),
                "ja" if stay.scenario_discussed_in_lso else "nee",
                stay.outflow_date,
                LABELS["outflow_type"].get(stay.outflow_type, stay.outflow_type),
                LABELS["follow_up"].get(stay.follow_up, stay.follow_up),
                stay.follow_up_date,
                stay.organisation.name if stay.organisation else "",
            ]
        )
    return rows


@login_required
def caseload_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The caller's caseload (the stays the gate lets them see) as CSV or XLSX; one access-log
    line per person exported."""
    if fmt not in ("csv", "xlsx"):
        raise PermissionDenied
    allowed = getattr(gate, "can_export_caseload", gate.can_see_persons)
    if not allowed(request.user):
        raise PermissionDenied
    stays = (
        gate.stays_visible_to(request.user)
        .select_related("person", "lvv", "organisation")
        .order_by("lvv__name", "correspondence_number", "id")
    )
    rows = _export_rows(stays)
    gate.log_access(
        request.user,
        persons={stay.person_id for stay in stays},
        operation="export",
        activity=ProcessingActivity.EXPORT,
        channel="export",
    )
    stamp = dt.date.today().isoformat()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            writer.writerow(
                [
                    v.strftime("%d-%m-%Y")
                    if isinstance(v, dt.date)
                    else escape_formula("" if v is None else str(v))
                    for v in row
                ]
            )
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
    else:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "caseload"
        sheet.append(EXPORT_COLUMNS)
        for row in rows:
            sheet.append([escape_formula(v) if isinstance(v, str) else v for v in row])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "DD-MM-YYYY"
        out = io.BytesIO()
        workbook.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="caseload-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
