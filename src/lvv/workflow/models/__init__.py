from lvv.workflow.models.actions import Action, ActionDeadlineChange
from lvv.workflow.models.activation import Activity, Attendance, LivingAllowancePayment
from lvv.workflow.models.admission import AdmissionCheck, AdmissionVerdict, Criterion
from lvv.workflow.models.departure import ForcedDepartureCheck
from lvv.workflow.models.documents import Document
from lvv.workflow.models.duplicates import DuplicateCandidate, NameKey, PersonLink
from lvv.workflow.models.escalation import Escalation
from lvv.workflow.models.intake import (
    IdentityInvestigation,
    LegalCheck,
    LegalCheckSection,
    MedicalIntake,
)
from lvv.workflow.models.meetings import AgendaItem, Decision, Meeting, MeetingParticipant
from lvv.workflow.models.moves import StayLink

__all__ = [
    "Action",
    "ActionDeadlineChange",
    "Activity",
    "AdmissionCheck",
    "AdmissionVerdict",
    "AgendaItem",
    "Attendance",
    "Criterion",
    "Decision",
    "Document",
    "DuplicateCandidate",
    "Escalation",
    "ForcedDepartureCheck",
    "IdentityInvestigation",
    "LegalCheck",
    "LegalCheckSection",
    "LivingAllowancePayment",
    "MedicalIntake",
    "Meeting",
    "MeetingParticipant",
    "NameKey",
    "PersonLink",
    "StayLink",
]
