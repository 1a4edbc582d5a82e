"""The caseload export (CSV/XLSX): the stays a user may see, in the import file's format.

Built by the background job `caseload_export` (lvv.jobs.handlers) and handed out by
`lvv.jobs.views.job_file`; every person exported is access-logged (docs/adr/0023)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from lvv.access import gate
from lvv.access.models import Channel, ProcessingActivity
from lvv.accounts.models import User

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CATEGORIES = ("identity", "stay")

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


def caseload_export(*, user: User, fmt: str) -> tuple[bytes, set]:
    """The file's bytes and the ids of the persons in it; one access-log line per person."""
    if fmt not in CONTENT_TYPES:
        raise ValueError("format must be csv or xlsx")
    stays = list(
        gate.stays_visible_to(user)
        .select_related("person", "lvv", "organisation")
        .order_by("lvv__name", "correspondence_number", "id")
    )
    rows = _export_rows(stays)
    persons = {stay.person_id for stay in stays}
    gate.log_access(
        user,
        persons=persons,
        operation="export",
        activity=ProcessingActivity.EXPORT,
        channel=Channel.EXPORT,
        categories=CATEGORIES,
    )
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
        return ("\ufeff" + buffer.getvalue()).encode("utf-8"), persons
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
    return out.getvalue(), persons
