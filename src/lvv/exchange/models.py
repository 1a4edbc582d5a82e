"""API tokens for system accounts and integration tests (issue 5 item 8, CONTRACTS.md section 5)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX_LENGTH = 8


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """One API token of one user. Only its sha256 digest is stored, with a short non-secret prefix
    to find it; the token itself is shown once, when it is made (`lvv create-token`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gebruiker"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    prefix = models.CharField(_("voorvoegsel"), max_length=PREFIX_LENGTH, unique=True)
    digest = models.CharField(_("sha256 van het token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)
    last_used_at = models.DateTimeField(_("laatst gebruikt op"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, user) -> tuple[ApiToken, str]:
        """Make a new token for `user`; returns the row and the token (the only time it exists)."""
        while True:
            prefix = secrets.token_hex(PREFIX_LENGTH // 2)
            if not cls.objects.filter(prefix=prefix).exists():
                break
        token = f"{prefix}.{secrets.token_urlsafe(32)}"
        return cls.objects.create(user=user, prefix=prefix, digest=token_digest(token)), token
