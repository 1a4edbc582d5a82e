from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvv.registry.taxonomy import Scenario
from lvv.workflow.models.recorded import Recorded


class Meeting(models.Model):
    """One case meeting of an LVV: the LSO (BRIO in Rotterdam), or a narrower one (per NGO as in
    Rotterdam, a cluster as in Amsterdam, the steering group)."""

    class Kind(models.TextChoices):
        LSO = "lso", _("LSO (lokaal samenwerkingsoverleg)")
        NGO = "ngo", _("Casusoverleg per maatschappelijke organisatie")
        CLUSTER = "cluster", _("Clusteroverleg")
        STEERING = "steering", _("Stuurgroep")

    lvv = models.ForeignKey(
        "registry.LVV", verbose_name=_("LVV"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("soort overleg"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("titel"), max_length=200, blank=True)
    held_on = models.DateField(_("datum"))
    scope_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("alleen casussen van"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Voor een overleg per maatschappelijke organisatie of per cluster."),
    )
    notes = models.TextField(_("algemene aantekeningen"), blank=True)
    closed = models.BooleanField(_("afgesloten"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangemaakt door"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)

    class Meta:
        verbose_name = _("overleg")
        verbose_name_plural = _("overleggen")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["lvv", "held_on"])]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.held_on:%d-%m-%Y}"


class MeetingParticipant(models.Model):
    """An organisation (and optionally a named user) taking part in a meeting."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("overleg"), on_delete=models.CASCADE, related_name="participants"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisatie"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deelnemer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("deelnemer aan overleg")
        verbose_name_plural = _("deelnemers aan overleg")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organisation"], name="meeting_participant_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class AgendaItem(models.Model):
    """A case on a meeting's agenda, with why it is there (proposed by the system or added)."""

    class Reason(models.TextChoices):
        NEW_ADMISSION = "new_admission", _("Nieuwe toelating")
        LEGAL_CHECK_DONE = "legal_check_done", _("Juridische check klaar, scenario nodig")
        OVERDUE_ACTIONS = "overdue_actions", _("Acties over de deadline")
        NEAR_MAXIMUM = "near_maximum", _("Verblijf bijna op maximum")
        ESCALATION = "escalation", _("Voorgestelde opschaling")
        MANUAL = "manual", _("Handmatig toegevoegd")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("overleg"), on_delete=models.CASCADE, related_name="agenda"
    )
    stay = models.ForeignKey(
        "registry.Stay", verbose_name=_("verblijf"), on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.JSONField(_("redenen"), default=list)
    position = models.PositiveIntegerField(_("volgorde"), default=0)
    discussed = models.BooleanField(_("besproken"), default=False)

    class Meta:
        verbose_name = _("agendapunt")
        verbose_name_plural = _("agendapunten")
        ordering = ["meeting", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "stay"], name="agenda_stay_once")]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.stay_id}"

    def reason_labels(self) -> list[str]:
        return [str(self.Reason(r).label) for r in self.reasons if r in self.Reason.values]


class Decision(Recorded):
    """A decision on one case: taken in a meeting, or by a named decider (the NGO alone, the
    mayor). A decision without either is refused by the services."""

    class Kind(models.TextChoices):
        SCENARIO = "scenario", _("Begeleidingsscenario")
        ACTION = "action", _("Actie afgesproken")
        EXTENSION = "extension", _("Verlenging verblijf")
        ESCALATION = "escalation", _("Opschaling")
        ADMISSION_EXCEPTION = "admission_exception", _("Uitzondering bij toelating")
        NOTE = "note", _("Besproken, geen besluit")

    stay = models.ForeignKey(
        "registry.Stay",
        verbose_name=_("verblijf"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("overleg"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    decider = models.CharField(
        _("besloten door"),
        max_length=200,
        blank=True,
        help_text=_(
            "Alleen als er geen overleg is: wie besloot (bv. de maatschappelijke organisatie)."
        ),
    )
    kind = models.CharField(_("soort besluit"), max_length=32, choices=Kind.choices)
    scenario = models.CharField(_("scenario"), max_length=32, choices=Scenario.choices, blank=True)
    text = models.TextField(_("besluit"), blank=True)
    decided_on = models.DateField(_("datum"))
    event = models.ForeignKey(
        "registry.Event",
        verbose_name=_("gebeurtenis"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("besluit")
        verbose_name_plural = _("besluiten")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decided_on}"

    @property
    def in_meeting(self) -> bool:
        return self.meeting_id is not None
