"""Reads of the register. Person-level reads take a queryset that already went through lvv.access."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from lvv.registry.models import LVV, CapacityRecord, Event, Stay


def capacity_on(lvv: LVV, on: dt.date, *, known_at: dt.datetime | None = None) -> int | None:
    """The capacity of an LVV on a date: the latest record dated on or before it (as known at
    `known_at`)."""
    rows = CapacityRecord.objects.filter(lvv=lvv, valid_from__lte=on)
    if known_at is not None:
        rows = rows.filter(recorded_at__lte=known_at)
    row = rows.order_by("-valid_from", "-recorded_at", "-id").first()
    return row.places if row else None


def stay_timeline(stay: Stay) -> QuerySet[Event]:
    """The events of a stay, newest first, with who recorded them."""
    return stay.events.select_related("recorded_by", "organisation", "supersedes").order_by(
        "-recorded_at", "-id"
    )


def person_events(person_id) -> QuerySet[Event]:
    """The person's events, each with who recorded it (the stay of a stay's event is not joined:
    the person page attaches the stays it has already read)."""
    return Event.objects.filter(person_id=person_id).select_related("recorded_by", "organisation")
