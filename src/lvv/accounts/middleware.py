"""Session and response security (issue 5, docs/security.md).

- `SessionTimeoutMiddleware`: logs out after LVV_SESSION_IDLE_SECONDS without a request (<= 15
  minutes) and LVV_SESSION_ABSOLUTE_SECONDS after login (<= 8 hours), whatever happens in between.
- `RequireTwoFactorMiddleware`: a logged-in user whose role can see person data must pass the
  second factor (TOTP, django-otp) before any other page; users with a device always must.
- `NoStoreMiddleware`: `Cache-Control: no-store` on every response to a logged-in user (pages with
  person data must not stay in browser or proxy caches); simplest rule that cannot be forgotten."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from lvv.accounts.signals import HAS_DEVICE, LOGIN_AT, SEEN_AT

# Paths a half-logged-in user may reach (besides the two-factor pages themselves).
OPEN_PREFIXES = ("/static/", "/inloggen/", "/uitloggen/", "/2fa/", "/favicon")


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = timezone.now().timestamp()
            login_at = request.session.get(LOGIN_AT, now)
            seen_at = request.session.get(SEEN_AT, now)
            idle = now - seen_at > settings.LVV_SESSION_IDLE_SECONDS
            expired = now - login_at > settings.LVV_SESSION_ABSOLUTE_SECONDS
            if idle or expired:
                logout(request)
                messages.info(
                    request,
                    "U bent uitgelogd omdat u een tijd niets heeft gedaan. Log opnieuw in."
                    if idle
                    else "Uw sessie was 8 uur oud en is beëindigd. Log opnieuw in.",
                )
                if request.path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse({"detail": "Session expired."}, status=401)
                return redirect(f"{reverse('login')}?{urlencode({'next': request.path})}")
            if LOGIN_AT not in request.session:
                request.session[LOGIN_AT] = login_at
            # Write the session at most once a minute (the idle limit is checked against it, so
            # the effective idle timeout lies between 14 and 15 minutes).
            if now - seen_at >= 60 or SEEN_AT not in request.session:
                request.session[SEEN_AT] = now
        return self.get_response(request)


def _has_device(request) -> bool:
    """Whether the user has a confirmed TOTP device; looked up once per session."""
    cached = request.session.get(HAS_DEVICE)
    if cached is None:
        from django_otp import user_has_device

        cached = user_has_device(request.user, confirmed=True)
        request.session[HAS_DEVICE] = cached
    return cached


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and not _is_verified(user)
        ):
            from lvv.access.rules import needs_two_factor

            has_device = _has_device(request)
            if has_device or (settings.LVV_REQUIRE_2FA and needs_two_factor(user)):
                if request.path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse(
                        {"detail": "Two-factor authentication required."}, status=403
                    )
                target = "accounts:otp-verify" if has_device else "accounts:otp-setup"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True)
        return response
