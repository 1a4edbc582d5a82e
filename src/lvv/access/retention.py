"""Retention and erasure (GDPR art. 5(1)(e) and 17; docs/privacy.md, ADR 0041).

After the retention term (LVV_RETENTION_DAYS after a person's last outflow) or on request, a
person's identifying data is removed while what the published figures need stays, so the monitor
gives the same numbers afterwards:

kept      the Person row (a random UUID, no longer linkable to anyone), birth year, gender, country,
          date of first IND application; every Stay and its dates, LVV, organisation, location,
          target group, scenario, outflow and follow-up; the events with their kinds and dates.
removed   names, aliases, V-number, birth date, IND status text, correspondence numbers, reasons and
          free-text notes (also inside the events' data), consent records; other apps remove their
          own person data when `person_erasing` is sent (workflow notes, documents).

Events are append-only; erasure is the one, audited exception: `_redact_events` rewrites only the
identifying keys in `Event.data` (never kinds, dates or other keys), and an `ErasureRecord` plus an
access-log line record that it happened."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.dispatch import Signal
from django.utils import timezone

from lvv.access.gate import log_access
from lvv.access.models import (
    ConsentEvent,
    ConsentState,
    DataCategory,
    ErasureRecord,
    ProcessingActivity,
)
from lvv.access.pseudonyms import person_pseudonym
from lvv.accounts.models import User
from lvv.registry import services
from lvv.registry.models import Event, Person, PersonAlias, Stay

# Sent inside the erasure transaction: receivers delete or blank their own data about the person.
person_erasing = Signal()  # kwargs: person

IDENTIFYING_KEYS = frozenset(
    {
        "given_names",
        "family_name",
        "v_number",
        "birth_date",
        "ind_status",
        "correspondence_number",
        "reason",
        "note",
        "notes",
        "remarks",
        "aliases",
        "name",
    }
)
REDACTED = ""
PERSON_BLANKS = {
    "v_number": "",
    "given_names": "",
    "family_name": "",
    "birth_date": None,
    "ind_status": "",
}


class ErasureError(ValueError):
    pass


def _is_identifying(key: str) -> bool:
    return key in IDENTIFYING_KEYS or key.endswith(("_name", "_names", "_note", "_notes"))


def _redact(data):
    if isinstance(data, dict):
        return {k: (REDACTED if _is_identifying(k) else _redact(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [_redact(v) for v in data]
    return data


def _redact_events(person: Person) -> int:
    changed = 0
    for event_id, data in Event.objects.filter(person=person).values_list("id", "data"):
        redacted = _redact(data or {})
        if redacted != (data or {}):
            # The one sanctioned rewrite of an event (ADR 0041): identifying values only.
            Event.objects.filter(pk=event_id).update(data=redacted)
            changed += 1
    return changed


@dataclass
class ErasureResult:
    pseudonym: str
    events_redacted: int
    aliases_removed: int
    consent_removed: int


@transaction.atomic
def person_erase(*, person: Person, kind: str, reason: str, by: User | None) -> ErasureResult:
    """Remove the person's identifying data, keep what the figures need, record that it happened."""
    if kind not in ErasureRecord.Kind.values:
        raise ErasureError(f"Unknown erasure kind {kind!r}.")
    if kind == ErasureRecord.Kind.REQUEST and not reason.strip():
        raise ErasureError("Give the reason (for example the date and reference of the request).")
    pseudonym = person_pseudonym(person.pk)
    person_erasing.send(sender=Person, person=person)
    events = _redact_events(person)
    aliases, _ = PersonAlias.objects.filter(person=person).delete()
    consent = ConsentEvent.objects.filter(person=person).count()
    ConsentState.objects.filter(person=person).delete()
    ConsentEvent.objects.filter(person=person).delete()
    services.person_rebuild(person)
    Person.objects.filter(pk=person.pk).update(**PERSON_BLANKS)
    for stay in Stay.objects.filter(person=person):
        services.stay_rebuild(stay)
    summary = {
        "events_redacted": events,
        "aliases_removed": aliases,
        "consent_events_removed": consent,
        "kept": [
            "birth_year",
            "gender",
            "country",
            "first_ind_application_date",
            "stays",
            "event kinds and dates",
        ],
    }
    ErasureRecord.objects.create(
        person_pseudonym=pseudonym,
        kind=kind,
        reason=reason,
        by_username=getattr(by, "username", "") or "",
        summary=summary,
    )
    log_access(
        by,
        persons=[person.pk],
        operation="erase",
        activity=ProcessingActivity.RETENTION,
        categories=[
            DataCategory.IDENTITY,
            DataCategory.LEGAL,
            DataCategory.MEDICAL,
            DataCategory.DOCUMENTS,
        ],
    )
    return ErasureResult(pseudonym, events, aliases, consent)


def persons_due_for_retention(*, today: dt.date | None = None):
    """Persons all of whose stays ended (outflow or refusal) more than LVV_RETENTION_DAYS ago and
    whose data was not erased yet."""
    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=settings.LVV_RETENTION_DAYS)
    erased = ErasureRecord.objects.values_list("person_pseudonym", flat=True)
    candidates = (
        Person.objects.annotate(
            open_stays=Count("stays", filter=Q(stays__outflow_date__isnull=True)),
            last_out=Max("stays__outflow_date"),
        )
        .filter(open_stays=0, last_out__lt=cutoff)
        .exclude(given_names="", family_name="", v_number="")
    )
    erased_set = set(erased)
    return [p for p in candidates if person_pseudonym(p.pk) not in erased_set]
