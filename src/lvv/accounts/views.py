"""Second-factor pages: set up a TOTP authenticator (QR code) and verify a code after the password.

A code is single use: django-otp's TOTPDevice remembers the last time step it accepted and refuses
that step again, and throttles repeated wrong codes."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from lvv.accounts.sessions import session_forget, session_remember


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code uit uw authenticator-app",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
        error_messages={
            "required": "Vul de code van 6 cijfers in.",
            "min_length": "De code heeft 6 cijfers.",
            "max_length": "De code heeft 6 cijfers.",
        },
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("De code bestaat uit 6 cijfers.")
        return token


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


def _verified(request, device) -> None:
    old_key = request.session.session_key
    otp_login(request, device)
    # A new privilege level gets a new session id (session fixation).
    request.session.cycle_key()
    session_forget(session_key=old_key)
    session_remember(user=request.user, session_key=request.session.session_key)


def _confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


@never_cache
@sensitive_post_parameters("token")
@login_required
def otp_verify(request):
    device = _confirmed_device(request.user)
    if device is None:
        return redirect(f"/2fa/instellen/?next={_next(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            _verified(request, device)
            return redirect(_next(request))
        form.add_error(
            "token",
            "Deze code klopt niet of is al gebruikt. Wacht op de volgende code en probeer opnieuw."
            if allowed
            else "Te veel onjuiste codes. Wacht even en probeer het dan opnieuw.",
        )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")


@never_cache
@sensitive_post_parameters("token")
@login_required
def otp_setup(request):
    if _confirmed_device(request.user) is not None:
        return redirect(f"/2fa/?next={_next(request)}")
    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Authenticator-app"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            request.session.pop("lvv_has_otp_device", None)
            _verified(request, device)
            return redirect(_next(request))
        form.add_error(
            "token", "Deze code klopt niet. Controleer de tijd op uw telefoon en probeer opnieuw."
        )
    import base64

    secret = base64.b32encode(device.bin_key).decode("ascii")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "next": _next(request),
            "qr_svg": _qr_svg(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )
