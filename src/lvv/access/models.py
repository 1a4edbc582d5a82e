from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProcessingActivity(models.TextChoices):
    """Entries of the register of processing activities (GDPR art. 30) that person data is used for."""

    CASE_MANAGEMENT = "case_management", _("Casusregie en begeleiding")
    REGISTRATION = "registration", _("Aanmelding en toelating")
    DUPLICATE_CHECK = "duplicate_check", _("Landelijke dubbelcheck")
    IMPORT = "import", _("Import van bestaande registraties")
    EXPORT = "export", _("Export van de eigen caseload")
    MONITOR = "monitor", _("Landelijke monitor")
    RESEARCH = "research", _("Gepseudonimiseerde export voor evaluatie")
    SUBJECT_ACCESS = "subject_access", _("Inzageverzoek (AVG art. 15)")


class AccessRecord(models.Model):
    """One processing of one person's data: who looked at or changed what, through which channel,
    and whether it was allowed. Append-only; see lvv.access.gate."""

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", _("Toegestaan")
        REFUSED = "refused", _("Geweigerd")
        FAILED = "failed", _("Mislukt")

    class Channel(models.TextChoices):
        WEB = "web", _("Webapplicatie")
        API = "api", _("API")
        EXPORT = "export", _("Export")
        COMMAND = "command", _("Opdrachtregel")

    trace_id = models.UUIDField(_("trace-id"), default=uuid.uuid4, db_index=True)
    started_at = models.DateTimeField(_("begonnen op"), default=timezone.now, db_index=True)
    ended_at = models.DateTimeField(_("geëindigd op"), default=timezone.now)
    person_id = models.UUIDField(_("persoon"), null=True, blank=True, db_index=True)
    stay_id = models.UUIDField(_("verblijf"), null=True, blank=True)
    operation = models.CharField(_("handeling"), max_length=32)
    categories = models.JSONField(_("gegevenscategorieën"), default=list, blank=True)
    activity = models.CharField(
        _("verwerkingsactiviteit"), max_length=32, choices=ProcessingActivity.choices
    )
    channel = models.CharField(_("kanaal"), max_length=16, choices=Channel.choices)
    outcome = models.CharField(_("resultaat"), max_length=16, choices=Outcome.choices)
    user_id = models.BigIntegerField(_("gebruiker-id"), null=True, blank=True)
    username = models.CharField(_("gebruiker"), max_length=150, blank=True)
    organisation = models.CharField(_("organisatie"), max_length=200, blank=True)
    role = models.CharField(_("rol"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("toegangsregistratie")
        verbose_name_plural = _("toegangsregistraties")
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["person_id", "started_at"])]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.username} {self.operation} {self.outcome}"
