from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lvv.workflow.models.recorded import Recorded


class Activity(models.Model):
    """An activity a participant takes part in (language, course, sport, volunteer work, the
    future-orientation training), so the LSO sees what a participant is doing."""

    class Kind(models.TextChoices):
        LANGUAGE = "language", _("Taalles")
        COURSE = "course", _("Cursus of training")
        SPORT = "sport", _("Sport")
        VOLUNTEER = "volunteer", _("Vrijwilligerswerk")
        FUTURE_ORIENTATION = "future_orientation", _("Training toekomstoriëntatie")
        WORK = "work", _("Werkuren / dagbesteding")

    stay = models.ForeignKey(
        "registry.Stay",
        verbose_name=_("verblijf"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    kind = models.CharField(_("soort activiteit"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("omschrijving"), max_length=200)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("einde"), null=True, blank=True)
    portfolio = models.TextField(
        _("portfolio"),
        blank=True,
        help_text=_("Bij de training toekomstoriëntatie: het persoonlijke portfolio."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgelegd door"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("activiteit")
        verbose_name_plural = _("activiteiten")
        ordering = ["-starts_on", "id"]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """Whether the participant attended an activity on a date."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activiteit"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    on = models.DateField(_("datum"))
    present = models.BooleanField(_("aanwezig"), default=True)

    class Meta:
        verbose_name = _("aanwezigheid")
        verbose_name_plural = _("aanwezigheid")
        ordering = ["on"]
        constraints = [models.UniqueConstraint(fields=["activity", "on"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.on} {'aanwezig' if self.present else 'afwezig'}"


class LivingAllowancePayment(Recorded):
    """A living allowance (leefgeld) paid for a period, where the LVV pays one
    (Policy.pays_living_allowance)."""

    stay = models.ForeignKey(
        "registry.Stay",
        verbose_name=_("verblijf"),
        on_delete=models.PROTECT,
        related_name="allowance_payments",
    )
    period_start = models.DateField(_("periode vanaf"))
    amount_cents = models.PositiveIntegerField(_("bedrag (eurocent)"))
    paid_on = models.DateField(_("betaald op"))

    class Meta:
        verbose_name = _("leefgeld")
        verbose_name_plural = _("leefgeld")
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["stay", "period_start"], name="allowance_once")
        ]

    def __str__(self) -> str:
        return f"{self.period_start}: {self.amount_cents / 100:.2f}"
