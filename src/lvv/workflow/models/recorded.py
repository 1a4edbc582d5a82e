from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Recorded(models.Model):
    """Who recorded a row of the workflow, and when. Shared by the records a user enters on a
    stay: identity investigation, medical intake, decision, forced-departure check, living
    allowance."""

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgelegd door"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("vastgelegd op"), default=timezone.now)

    class Meta:
        abstract = True
