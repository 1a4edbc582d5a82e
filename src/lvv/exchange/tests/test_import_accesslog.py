"""The import's access-log lines (written in bulk, ADR 0070) are the lines `log_access` writes:
one per person concerned, keyed pseudonym, same operation, activity and categories, one audit
record; and ids handed out in ascending order are still distinct random UUIDs."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from lvv.access.models import AccessRecord, AuditRecord
from lvv.access.pseudonyms import person_pseudonym, person_pseudonyms
from lvv.exchange import services
from lvv.registry.models import Person, Stay
from lvv.registry.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases="__all__")

DATA = Path(__file__).parent / "data"


def test_bulk_pseudonyms_equal_the_single_ones():
    ids: list[uuid.UUID | str] = [p.pk for p in Person.objects.all()] or [
        "2f1c7c8e-8d4e-4a57-9b8e-6a0f1f4c2d10",
        "6E1B0C6A-3C57-4F5C-9D7E-1D7F3A2B9C44",
    ]
    assert person_pseudonyms(ids) == [person_pseudonym(i) for i in ids]


def test_import_logs_one_line_per_person_in_bulk():
    user = UserFactory(username="imp")
    result = services.persons_import(path=DATA / "persons_semicolon.csv", by=user)
    assert result.ok and result.persons_created
    persons = list(Person.objects.values_list("pk", flat=True))
    lines = AccessRecord.objects.filter(operation="import")
    assert lines.count() == len(persons)
    assert set(lines.values_list("person_pseudonym", flat=True)) == {
        person_pseudonym(pk) for pk in persons
    }
    assert {tuple(c) for c in lines.values_list("categories", flat=True)} == {("identity", "stay")}
    assert set(lines.values_list("activity", "outcome")) == {("import", "allowed")}
    audits = AuditRecord.objects.filter(lines__in=lines).distinct()
    assert [(a.username, a.channel) for a in audits] == [("imp", "command")]
    line = lines.first()
    assert line is not None
    assert line.started_at == line.ended_at and line.trace_id == audits[0].trace_id
    # Random version-4 ids, distinct, for persons and stays alike.
    ids = [*persons, *Stay.objects.values_list("pk", flat=True)]
    assert len(set(ids)) == len(ids) and {u.version for u in ids} == {4}
