"""Dutch labels for the codes in access-log lines (operation, data categories, channel, outcome),
for the privacy officer's pages. The log and the JSON report keep the codes; only the pages
translate them. An unknown code is shown as it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import template
from django.utils import timezone

from lvv.access.models import Channel, DataCategory, Outcome

register = template.Library()

OPERATIONS = {
    "read": "inzien",
    "list": "in lijst getoond",
    "write": "vastleggen",
    "change": "wijzigen",
    "update": "bijwerken",
    "create": "aanmaken",
    "download": "downloaden",
    "import": "importeren",
    "export": "exporteren",
    "erase": "wissen",
    "duplicate_check": "dubbelcheck",
    "link_previous_stay": "eerder verblijf koppelen",
    "unlink_previous_stay": "koppeling met eerder verblijf opheffen",
    "subject_access_report": "inzageverzoek",
    "access_report": "inzagerapport",
}
RESEARCH_EXPORT = "research_export_"


@register.filter
def operation_label(code: str) -> str:
    if code.startswith(RESEARCH_EXPORT):
        return f"onderzoeksexport ({code.removeprefix(RESEARCH_EXPORT).upper()})"
    return OPERATIONS.get(code, code)


# One word per category, so that a line with every category stays as narrow in the table as the
# codes were; the full labels are DataCategory's.
CATEGORY_WORDS: dict[str, str] = {
    DataCategory.IDENTITY: "identiteit",
    DataCategory.STAY: "verblijf",
    DataCategory.TRAJECTORY: "traject",
    DataCategory.LEGAL: "juridisch",
    DataCategory.MEDICAL: "medisch",
    DataCategory.DOCUMENTS: "documenten",
    DataCategory.IND: "IND",
}


@register.filter
def category_labels(codes: Iterable[str]) -> str:
    """'identity, stay' -> 'identiteit, verblijf'."""
    return ", ".join(CATEGORY_WORDS.get(code, code) for code in codes)


@register.filter
def channel_label(code: str) -> str:
    return str(dict(Channel.choices).get(code, code))


@register.filter
def outcome_label(code: str) -> str:
    return str(dict(Outcome.choices).get(code, code))


@register.filter
def local_time(iso: str) -> str:
    """An ISO timestamp of the report (UTC) as local time, written as on the log page."""
    return f"{timezone.localtime(dt.datetime.fromisoformat(iso)):%Y-%m-%d %H:%M:%S}"
