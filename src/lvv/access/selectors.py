"""Reads for the privacy officer: the access log, a person's access report and everything stored
about a person (GDPR art. 15). The caller checks the role (rules.can_view_access_log) and logs."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.db.models import QuerySet

from lvv.access.models import AccessRecord, ConsentEvent, ErasureRecord
from lvv.access.pseudonyms import person_pseudonym

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def pseudonym_from_input(value: str) -> str | None:
    """A person id (UUID) or an access-log pseudonym, as typed; None when it is neither."""
    value = (value or "").strip().lower()
    if HEX64.match(value):
        return value
    try:
        return person_pseudonym(uuid.UUID(value))
    except ValueError:
        return None


def access_log_search(
    *,
    username: str = "",
    organisation: str = "",
    pseudonym: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    outcome: str = "",
    channel: str = "",
) -> QuerySet[AccessRecord]:
    lines = AccessRecord.objects.select_related("audit").order_by("-started_at", "-id")
    if username:
        lines = lines.filter(audit__username__iexact=username.strip())
    if organisation:
        lines = lines.filter(audit__organisation__icontains=organisation.strip())
    if pseudonym:
        lines = lines.filter(person_pseudonym=pseudonym)
    if date_from:
        lines = lines.filter(started_at__date__gte=date_from)
    if date_to:
        lines = lines.filter(started_at__date__lte=date_to)
    if outcome:
        lines = lines.filter(outcome=outcome)
    if channel:
        lines = lines.filter(audit__channel=channel)
    return lines


def access_report(person_id: uuid.UUID | str) -> list[dict]:
    """CONTRACTS.md section 5: one object per recorded access to the person, oldest first."""
    lines = (
        AccessRecord.objects.for_person(person_id)
        .select_related("audit")
        .order_by("started_at", "id")
    )
    return [
        {
            "at": line.started_at.isoformat(),
            "ended_at": line.ended_at.isoformat(),
            "user": line.audit.username,
            "organisation": line.audit.organisation,
            "role": line.audit.role,
            "operation": line.operation,
            "channel": line.audit.channel,
            # CONTRACTS.md: allowed or refused; a failed processing delivered nothing.
            "outcome": "allowed" if line.outcome == "allowed" else "refused",
            "result": line.outcome,
            "activity": line.activity,
            "categories": line.categories,
            "trace_id": str(line.trace_id),
        }
        for line in lines
    ]


def subject_data(person) -> dict:
    """Everything the register holds about one person, for a subject access request."""
    from lvv.registry.models import Event, Stay

    stays = Stay.objects.filter(person=person).select_related("lvv", "organisation", "location")
    events = (
        Event.objects.filter(person=person)
        .select_related("organisation")
        .order_by("recorded_at", "id")
    )
    return {
        "person": person,
        "aliases": list(person.aliases.all()),
        "stays": list(stays),
        "events": list(events),
        "consent": list(
            ConsentEvent.objects.filter(person=person)
            .select_related("organisation", "recorded_by")
            .order_by("recorded_at", "id")
        ),
        "erasures": list(
            ErasureRecord.objects.filter(person_pseudonym=person_pseudonym(person.pk))
        ),
    }
