from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.Model):
    """An intermediate step agreed for one case, with the party responsible and a deadline
    (Groningen practice: 'documents in hand by date X'). The deadline's history is in
    ActionDeadlineChange."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Afgerond")
        CANCELLED = "cancelled", _("Vervallen")

    stay = models.ForeignKey(
        "registry.Stay",
        verbose_name=_("verblijf"),
        on_delete=models.PROTECT,
        related_name="workflow_actions",
    )
    description = models.CharField(_("actie"), max_length=300)
    responsible_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("verantwoordelijke organisatie"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verantwoordelijke medewerker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    meeting = models.ForeignKey(
        "workflow.Meeting",
        verbose_name=_("afgesproken in"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgelegd door"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("vastgelegd op"), default=timezone.now)
    completed_on = models.DateField(_("afgerond op"), null=True, blank=True)

    class Meta:
        verbose_name = _("actie")
        verbose_name_plural = _("acties")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["responsible_organisation", "status", "due_on"]),
            models.Index(fields=["responsible_user", "status", "due_on"]),
        ]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.OPEN and self.due_on < today


class ActionDeadlineChange(models.Model):
    """A deadline set or reset, with the reason: the trail of promises made to a participant."""

    action = models.ForeignKey(
        Action, verbose_name=_("actie"), on_delete=models.CASCADE, related_name="deadline_changes"
    )
    old_due_on = models.DateField(_("oude deadline"), null=True, blank=True)
    new_due_on = models.DateField(_("nieuwe deadline"))
    reason = models.TextField(_("reden"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gewijzigd door"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("gewijzigd op"), default=timezone.now)

    class Meta:
        verbose_name = _("wijziging deadline")
        verbose_name_plural = _("wijzigingen deadline")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.old_due_on} -> {self.new_due_on}"
