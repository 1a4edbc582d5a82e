"""`fast_insert_rows` (the import's bulk insert: binary COPY on PostgreSQL, multi-row INSERTs on
SQLite) writes exactly the values the ORM reads back, for rows it adapts itself and for ready
rows with the event data as JSON text (ADR 0095, 0096)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.utils import timezone

from lvv.exchange.services import _adapter, _EventSink, fast_insert_rows
from lvv.registry.models import Event, Person
from lvv.registry.tests.factories import OrganisationFactory, PersonFactory, StayFactory

pytestmark = pytest.mark.django_db

# Text that needs escaping in COPY's text format or in JSON, and values of every JSON type.
DATA = [
    {
        "quote": 'a "quoted" word',
        "backslash": "C:\\map\\n",
        "lines": "first\nsecond\tcolumn\r",
        "unicode": "Zoë € 😀 \u00a0",
        "none": None,
        "flag": True,
        "number": 12,
        "fraction": 1.5,
        "nested": {"list": [1, "two", None]},
    },
    {},
    {"empty": ""},
]


def _rows(person: Person, stay, org) -> list[tuple]:
    at = timezone.now()
    return [
        (person.pk, stay.pk, "scenario_set", dt.date(2024, 2, 29), at, None, org.pk, "import",
         'file "x".csv sha256:0123', data, None)
        for data in DATA
    ] + [(person.pk, None, "person_recorded", None, at, None, None, "import", "", {"a": 1}, None)]  # fmt: skip


def _written(person: Person) -> list[tuple]:
    return list(
        Event.objects.filter(person=person, source="import")
        .order_by("id")
        .values_list(
            "person_id", "stay_id", "kind", "valid_on", "recorded_at", "recorded_by_id",
            "organisation_id", "source", "source_ref", "data", "supersedes_id",
        )
    )  # fmt: skip


def test_rows_adapted_by_fast_insert_are_read_back_unchanged():
    person = PersonFactory()
    rows = _rows(person, StayFactory(person=person), OrganisationFactory())
    fast_insert_rows(Event, list(_EventSink.ROW_FIELDS), rows)
    assert _written(person) == rows


def test_ready_rows_with_json_text_are_read_back_unchanged():
    person = PersonFactory()
    rows = _rows(person, StayFactory(person=person), OrganisationFactory())
    fields = [Event._meta.get_field(name) for name in _EventSink.ROW_FIELDS]
    data_at = list(_EventSink.ROW_FIELDS).index("data")
    ready = [
        tuple(
            json.dumps(value) if i == data_at else _adapter(f, connection)(value)
            for i, (f, value) in enumerate(zip(fields, row, strict=True))
        )
        for row in rows
    ]
    fast_insert_rows(Event, list(_EventSink.ROW_FIELDS), ready, adapted=True)
    assert _written(person) == rows
