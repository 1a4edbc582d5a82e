from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# What each kind of job is called on its page (Dutch); unknown kinds show their code.
KIND_LABELS = {
    "persons_import": _("Personen importeren"),
    "monitor_publish": _("Monitor publiceren"),
    "caseload_export": _("Caseload exporteren"),
    "research_export": _("Onderzoeksexport"),
}


class Job(models.Model):
    """One piece of long work started from the browser (an import, a monitor publication, a large
    export), run by the task queue, with its progress. The payload and result hold ids and
    options, never personal data."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("In de wachtrij")
        RUNNING = "running", _("Bezig")
        DONE = "done", _("Klaar")
        FAILED = "failed", _("Mislukt")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("soort"), max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gestart door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("gestart op"), auto_now_add=True)
    started_at = models.DateTimeField(_("begonnen op"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)
    done = models.PositiveIntegerField(_("gedaan"), default=0)
    total = models.PositiveIntegerField(_("totaal"), null=True, blank=True)
    payload = models.JSONField(_("opdracht"), default=dict, blank=True)
    result = models.JSONField(_("resultaat"), default=dict, blank=True)
    error = models.TextField(_("foutmelding"), blank=True)
    task_id = models.CharField(_("taak-id in de wachtrij"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("achtergrondtaak")
        verbose_name_plural = _("achtergrondtaken")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} ({self.get_status_display()})"

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.status == self.Status.DONE else None
        return min(100, round(100 * self.done / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def file_available_until(self) -> dt.datetime | None:
        """Until when an export job's file can be downloaded (None: no file)."""
        if not self.result.get("file") or self.finished_at is None:
            return None
        return self.finished_at + dt.timedelta(hours=settings.LVV_JOB_FILE_RETENTION_HOURS)
