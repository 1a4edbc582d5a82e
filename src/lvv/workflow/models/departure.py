from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lvv.workflow.models.recorded import Recorded


class ForcedDepartureCheck(Recorded):
    """DT&V's record that the guiding NGO was asked before forced departure was set in motion,
    and what it answered (Policy.forced_departure_requires_ngo_check, Groningen practice)."""

    stay = models.ForeignKey(
        "registry.Stay",
        verbose_name=_("verblijf"),
        on_delete=models.PROTECT,
        related_name="forced_departure_checks",
    )
    ngo = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("begeleidende organisatie"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    asked_on = models.DateField(_("gevraagd op"), null=True, blank=True)
    no_objection = models.BooleanField(_("geen bezwaar"), null=True, blank=True)
    ngo_answer = models.TextField(_("antwoord van de organisatie"), blank=True)
    started_on = models.DateField(_("gedwongen vertrek in gang gezet op"), null=True, blank=True)

    class Meta:
        verbose_name = _("navraag gedwongen vertrek")
        verbose_name_plural = _("navragen gedwongen vertrek")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"Navraag {self.asked_on}"
