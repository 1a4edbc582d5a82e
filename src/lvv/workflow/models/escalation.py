from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvv.workflow.fields import EncryptedTextField


class Escalation(models.Model):
    """A case escalated to the local steering group or the national MRT. The dossier is assembled
    from the case at the moment of escalation (services.escalation_dossier) and kept as it was
    sent; the advice and what was done with it are recorded afterwards."""

    class Level(models.TextChoices):
        STEERING = "steering", _("Stuurgroep")
        MRT = "mrt", _("MRT (Multidisciplinair Review Team)")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Voorgesteld")
        SUBMITTED = "submitted", _("Ingediend")
        ADVISED = "advised", _("Advies ontvangen")
        CLOSED = "closed", _("Afgerond")

    stay = models.ForeignKey(
        "registry.Stay",
        verbose_name=_("verblijf"),
        on_delete=models.PROTECT,
        related_name="escalations",
    )
    level = models.CharField(_("niveau"), max_length=16, choices=Level.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    question = models.TextField(_("vraag aan het gremium"))
    positions = models.JSONField(
        _("standpunten van de partijen"),
        default=dict,
        blank=True,
        help_text=_("Per partij (IND, DT&V, AVIM, gemeente, maatschappelijke organisatie)."),
    )
    dossier = EncryptedTextField(_("dossier (Markdown)"), blank=True)
    proposed_on = models.DateField(_("voorgesteld op"))
    submitted_on = models.DateField(_("ingediend op"), null=True, blank=True)
    advice = models.TextField(_("advies"), blank=True)
    advised_on = models.DateField(_("advies ontvangen op"), null=True, blank=True)
    follow_up = models.TextField(_("opvolging van het advies"), blank=True)
    meeting = models.ForeignKey(
        "workflow.Meeting",
        verbose_name=_("besloten in"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgelegd door"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("vastgelegd op"), default=timezone.now)

    class Meta:
        verbose_name = _("opschaling")
        verbose_name_plural = _("opschalingen")
        ordering = ["-proposed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.proposed_on}"


POSITION_PARTIES = [
    ("municipality", _("Gemeente")),
    ("ngo", _("Maatschappelijke organisatie")),
    ("ind", _("IND")),
    ("dtv", _("DT&V")),
    ("avim", _("AVIM")),
]
