"""System checks for the security settings that must hold outside development."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

DEV_KEYS = {
    "-u8Sso8MEkXXC50z2ptWqeRxKyCj-JlVqdl0SHhY1Ns=",
    "kUYqcGcbrVDLo1mZJXm0-t8TSr1p_YE8aqI2ydaRkvo=",
}


@register(Tags.security)
def check_two_factor_required(app_configs, **kwargs):
    if not settings.DEBUG and not getattr(settings, "LVV_REQUIRE_2FA", True):
        if getattr(settings, "LVV_TESTING", False):
            return []
        return [
            Error(
                "LVV_REQUIRE_2FA is off while DEBUG is off.",
                hint="Two-factor authentication cannot be skipped outside development.",
                id="lvv.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_deploy_keys(app_configs, **kwargs):
    errors = []
    if DEV_KEYS & set(settings.FIELD_ENCRYPTION_KEYS):
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEYS contains the public development key.",
                hint="Generate a key with `lvv rotate-field-keys --new-key` (docs/security.md).",
                id="lvv.E002",
            )
        )
    if settings.ACCESS_LOG_PSEUDONYM_KEY.startswith(("dev-only", "test-only")):
        errors.append(
            Error(
                "ACCESS_LOG_PSEUDONYM_KEY is the public development value.",
                hint="Set a long random secret (docs/configuration.md).",
                id="lvv.E003",
            )
        )
    return errors
