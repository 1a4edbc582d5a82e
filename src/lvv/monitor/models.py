from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PublishedMonitor(models.Model):
    """One published monitor: the exact JSON as published, its content hash, and what is needed to
    reproduce it (peildatum, scheme, registration cut-off, suppression threshold). Append-only."""

    peildatum = models.DateField(_("peildatum"))
    scheme = models.CharField(_("telwijze"), max_length=16)
    known_at = models.DateTimeField(
        _("registratie tot en met"),
        help_text=_("Alleen wat op dit moment in het register stond telt mee."),
    )
    suppress_small_cells = models.PositiveIntegerField(
        _("kleine aantallen onderdrukt onder"), null=True, blank=True
    )
    document = models.TextField(_("JSON-document"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    published_at = models.DateTimeField(_("gepubliceerd op"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gepubliceerd door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("gepubliceerde monitor")
        verbose_name_plural = _("gepubliceerde monitors")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"Monitor {self.peildatum:%d-%m-%Y} ({self.scheme}) {self.sha256[:12]}"
