"""Erasing a person also removes the case file's free text and documents; counts and dates stay."""

import datetime as dt

import pytest

from lvv.access.retention import person_erase
from lvv.registry.tests.factories import StayFactory, UserFactory
from lvv.workflow.models import Action, Document, MedicalIntake, StayLink

pytestmark = pytest.mark.django_db


def test_erasure_blanks_notes_and_deletes_documents_of_that_person_only():
    user = UserFactory()
    assert user.organisation is not None
    erased, kept = StayFactory(), StayFactory()
    for stay in (erased, kept):
        MedicalIntake.objects.create(
            stay=stay,
            performed_by_kind="ggd",
            held_on=dt.date(2020, 1, 10),
            shelter_advice="regular",
            note="Synthetische medische notitie",
            recorded_by=user,
        )
        Document.objects.create(
            stay=stay,
            kind="other",
            title="Brief",
            filename="brief.pdf",
            content_type="application/pdf",
            size=4,
            content=b"%PDF",
            sha256="0" * 64,
            uploaded_by=user,
        )
        Action.objects.create(
            stay=stay,
            description="Paspoort ophalen bij ambassade",
            responsible_organisation=user.organisation,
            due_on=dt.date(2020, 2, 1),
            created_by=user,
        )

    person_erase(person=erased.person, kind="request", reason="Verzoek 2026-001", by=None)

    assert not Document.objects.filter(stay=erased).exists()
    assert MedicalIntake.objects.get(stay=erased).note == ""
    assert MedicalIntake.objects.get(stay=erased).held_on == dt.date(2020, 1, 10)
    assert Action.objects.get(stay=erased).description == "(verwijderd)"
    assert Action.objects.get(stay=erased).due_on == dt.date(2020, 2, 1)

    assert Document.objects.filter(stay=kept).count() == 1
    assert MedicalIntake.objects.get(stay=kept).note == "Synthetische medische notitie"
    assert Action.objects.get(stay=kept).description == "Paspoort ophalen bij ambassade"


def test_erasure_blanks_the_reason_a_stay_link_was_undone_on_either_side():
    user = UserFactory()
    erased, elsewhere, kept, other = StayFactory(), StayFactory(), StayFactory(), StayFactory()
    now = dt.datetime(2020, 3, 1, tzinfo=dt.UTC)
    for stay, previous in ((elsewhere, erased), (kept, other)):
        StayLink.objects.create(
            stay=stay,
            previous_stay=previous,
            linked_by=user,
            undone_by=user,
            undone_at=now,
            undo_reason="Synthetische reden met een naam",
        )

    person_erase(person=erased.person, kind="request", reason="Verzoek 2026-002", by=None)

    undone = StayLink.objects.get(stay=elsewhere)
    assert undone.undo_reason == "" and undone.undone_at == now
    assert StayLink.objects.get(stay=kept).undo_reason == "Synthetische reden met een naam"
