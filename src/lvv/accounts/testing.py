"""Test helpers for logging in past the second factor (tests of every app may use these).

`login_with_2fa(client, user)` is `client.force_login(user)` plus a confirmed TOTP device and the
OTP-verified mark in the session, exactly what the real verify step leaves behind. For browser tests,
`totp_code(user)` gives the current code of the user's device (create one with `give_totp_device`)."""

from __future__ import annotations

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_KEY_HEX = "3132333435363738393031323334353637383930"  # RFC 6238 test secret


def give_totp_device(user, *, key_hex: str = DEMO_KEY_HEX) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", key=key_hex, confirmed=True)
    return device


def totp_code(user, *, offset_steps: int = 0) -> str:
    device = give_totp_device(user)
    code = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift + offset_steps,
    )
    return f"{code:0{device.digits}d}"


def login_with_2fa(client, user) -> TOTPDevice:
    """Log the test client in as `user` with the second factor passed."""
    device = give_totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    if settings.SESSION_COOKIE_NAME in client.cookies:
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return device
