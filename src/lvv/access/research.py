"""The research export for the evaluators (role researcher): one row per stay, persons pseudonymised.

Fields as the evaluators' file (DOMAIN.md section 7): LVV, country of origin, birth year, gender,
admission date, guidance scenario, outflow date and type, first IND application date and current IND
status. No names, V-numbers, birth dates or correspondence numbers. The pseudonym is
HMAC-SHA256(export key, person id) with a fresh random key per export that is never stored: rows of
one person link within one export, but not across exports, and not back to the register."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from collections.abc import Iterator

from django.db.models import QuerySet

from lvv.access.gate import logged_processing
from lvv.access.models import Channel, DataCategory, ProcessingActivity
from lvv.accounts.models import User
from lvv.registry.models import Stay

COLUMNS = [
    "pseudoniem",
    "lvv",
    "land_van_herkomst",
    "geboortejaar",
    "geslacht",
    "datum_toelating",
    "scenario",
    "datum_uitstroom",
    "soort_uitstroom",
    "datum_eerste_ind_aanvraag",
    "status_ind",
]
CATEGORIES = [DataCategory.IDENTITY, DataCategory.STAY, DataCategory.TRAJECTORY, DataCategory.IND]


def _stays() -> QuerySet[Stay]:
    return (
        Stay.objects.select_related("lvv", "person")
        .filter(admission_date__isnull=False)
        .order_by("lvv__name", "admission_date", "id")
    )


def _rows(stays, key: bytes) -> Iterator[list]:
    for stay in stays:
        person = stay.person
        yield [
            hmac.new(key, str(person.pk).encode(), hashlib.sha256).hexdigest()[:20],
            stay.lvv.name,
            person.country,
            person.birth_year or "",
            person.gender,
            stay.admission_date.isoformat() if stay.admission_date else "",
            stay.scenario or "",
            stay.outflow_date.isoformat() if stay.outflow_date else "",
            stay.outflow_type or "",
            person.first_ind_application_date.isoformat()
            if person.first_ind_application_date
            else "",
            person.ind_status,
        ]


def research_export(*, user: User | None, fmt: str) -> tuple[bytes, int, set]:
    """The file's bytes, the number of rows and the ids of the persons in it (so each download
    can be logged too); every person in it is access-logged."""
    if fmt not in ("csv", "xlsx"):
        raise ValueError("format must be csv or xlsx")
    stays = list(_stays())
    key = secrets.token_bytes(32)
    persons = {stay.person_id for stay in stays}
    with logged_processing(
        user,
        persons=persons,
        operation=f"research_export_{fmt}",
        activity=ProcessingActivity.RESEARCH,
        channel=Channel.EXPORT,
        categories=CATEGORIES,
    ):
        rows = list(_rows(stays, key))
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=";")
            writer.writerow(COLUMNS)
            writer.writerows(rows)
            content = buffer.getvalue().encode("utf-8-sig")
        else:
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet("deelnemers")
            sheet.append(COLUMNS)
            for row in rows:
                sheet.append(row)
            out = io.BytesIO()
            book.save(out)
            content = out.getvalue()
    return content, len(rows), persons
