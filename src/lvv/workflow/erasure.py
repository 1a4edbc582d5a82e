"""Erasure of the workflow's own person data when lvv.access.retention erases a person.

What the case file adds to a person is free text and documents; none of it is needed for the
published figures, so it is removed: documents deleted, notes and texts blanked. Dates, kinds,
outcomes and counts stay, so overviews and the monitor keep their numbers (ADR 0041)."""

from __future__ import annotations

from django.dispatch import receiver

from lvv.access.retention import person_erasing
from lvv.registry.models import Person
from lvv.workflow.models import (
    Action,
    ActionDeadlineChange,
    Activity,
    AdmissionCheck,
    Decision,
    Document,
    DuplicateCandidate,
    Escalation,
    ForcedDepartureCheck,
    IdentityInvestigation,
    LegalCheckSection,
    MedicalIntake,
    PersonLink,
    StayLink,
)

ERASED = "(verwijderd)"


@receiver(person_erasing, dispatch_uid="workflow.erase_person")
def erase_workflow_data(sender, *, person: Person, **kwargs) -> None:
    stays = {"stay__person": person}
    Document.objects.filter(**stays).delete()
    MedicalIntake.objects.filter(**stays).update(note="")
    IdentityInvestigation.objects.filter(**stays).update(note="")
    LegalCheckSection.objects.filter(legal_check__stay__person=person).update(
        current_status="",
        earlier_procedures="",
        departure_procedures="",
        legalisation_options="",
        conclusion="",
    )
    Escalation.objects.filter(**stays).update(question=ERASED, dossier="", advice="", follow_up="")
    Action.objects.filter(**stays).update(description=ERASED)
    ActionDeadlineChange.objects.filter(action__stay__person=person).update(reason="")
    Activity.objects.filter(**stays).update(portfolio="")
    AdmissionCheck.objects.filter(**stays).update(exception_reason="", outcome_reason="")
    ForcedDepartureCheck.objects.filter(**stays).update(ngo_answer="")
    Decision.objects.filter(**stays).update(text="")
    for model in (DuplicateCandidate, PersonLink):
        for side in ("person_a", "person_b"):
            field = "decision_note" if model is DuplicateCandidate else "undo_reason"
            model.objects.filter(**{side: person}).update(**{field: ""})
    # The reason a link to a previous stay was undone (ADR 0106), on either side of the link.
    for side in ("stay__person", "previous_stay__person"):
        StayLink.objects.filter(**{side: person}).exclude(undo_reason="").update(undo_reason="")
