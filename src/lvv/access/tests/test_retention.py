"""Retention and erasure: identifying data goes, the published figures stay the same."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from lvv.access import consent
from lvv.access.models import AccessRecord, ErasureRecord
from lvv.access.pseudonyms import person_pseudonym
from lvv.registry import services
from lvv.registry.models import Event, Person
from lvv.registry.taxonomy import OutflowType
from lvv.registry.tests.factories import LVVFactory, PersonFactory, StayFactory

pytestmark = pytest.mark.django_db


def _monitor() -> dict:
    out = io.StringIO()
    call_command("monitor", "--peildatum", "2022-06-30", "--format", "json", stdout=out)
    doc = json.loads(out.getvalue())
    doc.pop("generated_at", None)
    return doc


@pytest.fixture
def left_long_ago():
    lvv = LVVFactory(name="Groningen")
    person = PersonFactory(
        family_name="Vergeten", given_names="Wil", v_number="1234567890", birth_year=1980
    )
    stay = StayFactory(lvv=lvv, person=person, correspondence_number="GRO-0001")
    services.stay_register_outflow(
        stay=stay, kind=OutflowType.RETURN, on=dt.date(2020, 3, 1), by=None, source="test"
    )
    consent.consent_give(
        person=person, party="ind", categories=["identity"], method="verbal", by=None
    )
    StayFactory(lvv=lvv)  # still in the LVV: never due
    return person


def test_retention_erases_names_and_keeps_the_figures(left_long_ago):
    before = _monitor()
    with override_settings(LVV_RETENTION_DAYS=365):
        out = io.StringIO()
        call_command("apply-retention", "--dry-run", stdout=out)
        assert out.getvalue().startswith("1 persons")
        call_command("apply-retention", stdout=io.StringIO())
    person = Person.objects.get(pk=left_long_ago.pk)
    assert (person.given_names, person.family_name, person.v_number) == ("", "", "")
    assert (person.birth_year, person.gender, person.country) == (1980, left_long_ago.gender, "ERI")
    assert person.stays.get().correspondence_number == ""
    for data in Event.objects.filter(person=person).values_list("data", flat=True):
        text = json.dumps(data)
        assert "Vergeten" not in text and "1234567890" not in text and "GRO-0001" not in text
    assert not person.consent_events.exists()
    record = ErasureRecord.objects.get()
    assert record.kind == "retention" and record.person_pseudonym == person_pseudonym(person.pk)
    assert AccessRecord.objects.for_person(person.pk).filter(operation="erase").exists()
    assert _monitor() == before
    with override_settings(LVV_RETENTION_DAYS=365):
        out = io.StringIO()
        call_command("apply-retention", "--dry-run", stdout=out)
        assert out.getvalue().startswith("0 persons")


def test_not_due_before_the_term(left_long_ago):
    with override_settings(LVV_RETENTION_DAYS=100_000):
        out = io.StringIO()
        call_command("apply-retention", "--dry-run", stdout=out)
    assert out.getvalue().startswith("0 persons")


def test_erasure_on_request_needs_a_reason_and_is_recorded(left_long_ago):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("erase-person", str(left_long_ago.pk), "--reason", " ")
    call_command(
        "erase-person",
        str(left_long_ago.pk),
        "--reason",
        "Verzoek 2026-11-01 ref 42",
        stdout=io.StringIO(),
    )
    assert Person.objects.get(pk=left_long_ago.pk).family_name == ""
    assert ErasureRecord.objects.get().reason == "Verzoek 2026-11-01 ref 42"
