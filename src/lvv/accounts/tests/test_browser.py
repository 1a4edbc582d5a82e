"""Login lockout, two-factor and session timeout, in the browser (Chromium through Playwright)."""

from __future__ import annotations

import base64
import re
from importlib import import_module

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import totp

from lvv.accounts.models import Role, UserSession
from lvv.accounts.signals import SEEN_AT
from lvv.registry.tests.factories import LVVFactory, OrganisationFactory, UserFactory
from lvv.web.tests.browser import DEFAULT_PASSWORD, SCREENSHOT_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def carla(transactional_db):
    lvv = LVVFactory(name="Amsterdam")
    ngo = OrganisationFactory(name="NGO", kind="ngo")
    return UserFactory(username="carla", role=Role.CASE_WORKER, organisation=ngo, lvvs=[lvv])


def _password_step(page, live_server, username, password=DEFAULT_PASSWORD, next_path="/personen/"):
    page.goto(f"{live_server.url}/inloggen/?next={next_path}")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


def _code(secret_b32: str, steps_ahead: int = 0) -> str:
    key = base64.b32decode(secret_b32)
    return f"{totp(key, drift=steps_ahead):06d}"


# Throttling after a wrong code (django-otp) is off here so the test need not wait a second.
@override_settings(LVV_REQUIRE_2FA=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_two_factor_setup_and_verify_in_the_browser(browser_page, live_server, carla):
    page = browser_page
    _password_step(page, live_server, "carla")
    assert "/2fa/instellen/" in page.url
    assert page.locator("figure.qr svg").count() == 1
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "access-2fa-setup.png"), full_page=True)
    secret = re.sub(r"\s", "", page.locator("code").first.inner_text())
    used_code = _code(secret)
    page.get_by_label("Code uit uw authenticator-app").fill(used_code)
    page.get_by_role("button", name="Instellen en doorgaan").click()
    page.wait_for_load_state()
    assert page.url.endswith("/personen/")

    # Log out and in again: the code is asked; the code already used is refused, the next works.
    page.context.clear_cookies()
    _password_step(page, live_server, "carla")
    assert "/2fa/" in page.url and "instellen" not in page.url
    # The very code used at setup, not a fresh one: a 30-second step may have passed meanwhile.
    page.get_by_label("Code uit uw authenticator-app").fill(used_code)
    page.get_by_role("button", name="Controleren").click()
    assert (
        page.get_by_role("alert").inner_text().startswith("Deze code klopt niet of is al gebruikt")
    )
    page.screenshot(path=str(SCREENSHOT_DIR / "access-2fa-verify-reused.png"), full_page=True)
    page.get_by_label("Code uit uw authenticator-app").fill(_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Controleren").click()
    page.wait_for_load_state()
    assert page.url.endswith("/personen/")


@override_settings(AXES_ENABLED=True)
def test_lockout_after_five_failed_logins_in_the_browser(browser_page, live_server, carla):
    page = browser_page
    for _ in range(5):
        _password_step(page, live_server, "carla", password="dit-is-niet-goed")
    _password_step(page, live_server, "carla")
    assert "tijdelijk geblokkeerd" in page.content()
    page.screenshot(path=str(SCREENSHOT_DIR / "access-lockout.png"), full_page=True)
    page.goto(f"{live_server.url}/personen/")
    assert "/inloggen/" in page.url


def test_idle_session_times_out_in_the_browser(browser_page, live_server, carla):
    page = browser_page
    _password_step(page, live_server, "carla")
    assert page.url.endswith("/personen/")
    # Sixteen minutes pass without a request (the session's last-seen time is moved back).
    key = UserSession.objects.get(user=carla).session_key
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    store[SEEN_AT] = timezone.now().timestamp() - 16 * 60
    store.save()
    page.goto(f"{live_server.url}/personen/")
    assert "/inloggen/" in page.url
    assert "uitgelogd" in page.content()
