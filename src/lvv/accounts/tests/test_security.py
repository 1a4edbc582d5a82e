"""Authentication and session security: password rules, two-factor, lockout, timeouts, disabling,
headers, CSRF, escaping, plain error pages, and the production checks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp

from lvv.accounts.models import Role, UserSession
from lvv.accounts.signals import LOGIN_AT, SEEN_AT
from lvv.accounts.testing import give_totp_device, login_with_2fa, totp_code
from lvv.registry.models import Stay
from lvv.registry.tests.factories import (
    LVVFactory,
    OrganisationFactory,
    PersonFactory,
    StayFactory,
    UserFactory,
)

LVV = Path(sys.executable).with_name("lvv")


# --- password rules (OWASP ASVS 2.1) ---------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["kort-wacht", "password1234", "Welkom123456", "wachtwoord1234", "x" * 129],
)
def test_weak_common_breached_and_absurd_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize(
    "password",
    ["paarse olifant op de fiets", "y7#Lq2!vZ0pW", "een zin van vierenzestig tekens " * 2],
)
def test_long_passphrases_without_composition_rules_are_accepted(password):
    assert len(password) <= 128
    validate_password(password)


# --- two-factor --------------------------------------------------------------------------------


@pytest.fixture
def alice(db):
    lvv = LVVFactory(name="Amsterdam")
    ngo = OrganisationFactory(name="NGO", kind="ngo")
    user = UserFactory(username="alice", role=Role.CASE_WORKER, organisation=ngo, lvvs=[lvv])
    StayFactory(
        lvv=lvv, organisation=ngo, person=PersonFactory(family_name="<script>alert(1)</script>")
    )
    return user


@pytest.fixture
def alices_stay(alice) -> Stay:
    """The one stay the `alice` fixture makes: at her NGO, with a script tag for a name."""
    return Stay.objects.get()


@override_settings(LVV_REQUIRE_2FA=True)
def test_password_alone_does_not_reach_person_data(client, alice):
    client.force_login(alice)
    response = client.get(reverse("registry:person_list"))
    assert response.status_code == 302 and response["Location"].startswith("/2fa/instellen/")


@override_settings(LVV_REQUIRE_2FA=True)
def test_programme_bureau_needs_no_second_factor(client, db):
    user = UserFactory(role=Role.PROGRAMME_BUREAU)
    client.force_login(user)
    assert client.get(reverse("web:home")).status_code == 200


@override_settings(LVV_REQUIRE_2FA=True)
def test_setup_then_verify_and_a_code_is_single_use(client, alice):
    client.force_login(alice)
    page = client.get(reverse("accounts:otp-setup"))
    assert page.status_code == 200 and b"<svg" in page.content
    device = alice.totpdevice_set.get()
    code = f"{totp(device.bin_key):06d}"
    response = client.post(reverse("accounts:otp-setup"), {"token": code, "next": "/personen/"})
    assert response.status_code == 302 and response["Location"] == "/personen/"
    assert client.get("/personen/").status_code == 200
    # The same code cannot be used again, not even in a fresh login.
    other = Client()
    other.force_login(alice)
    response = other.post(reverse("accounts:otp-verify"), {"token": code})
    assert response.status_code == 200
    assert "al gebruikt" in response.content.decode()
    assert other.get("/personen/").status_code == 302


@override_settings(LVV_REQUIRE_2FA=True)
def test_second_factor_pages_show_no_menu_that_only_leads_back(client, alice):
    client.force_login(alice)
    setup = client.get(reverse("accounts:otp-setup")).content.decode()
    give_totp_device(alice)
    verify = client.get(reverse("accounts:otp-verify")).content.decode()
    for body in (setup, verify):
        assert 'aria-label="Hoofdmenu"' in body and "Uitloggen" in body
        assert f'href="{reverse("registry:person_list")}"' not in body
    login_with_2fa(client, alice)
    home = client.get(reverse("web:home")).content.decode()
    assert f'href="{reverse("registry:person_list")}"' in home


@override_settings(LVV_REQUIRE_2FA=True)
def test_helper_logs_in_past_the_second_factor(client, alice):
    login_with_2fa(client, alice)
    assert client.get(reverse("registry:person_list")).status_code == 200


@override_settings(LVV_REQUIRE_2FA=False)
def test_a_user_with_a_device_is_always_asked_for_the_code(client, alice):
    give_totp_device(alice)
    client.force_login(alice)
    response = client.get(reverse("registry:person_list"))
    assert response.status_code == 302 and response["Location"].startswith("/2fa/")
    ok = client.post(reverse("accounts:otp-verify"), {"token": totp_code(alice)})
    assert ok.status_code == 302


# --- lockout -------------------------------------------------------------------------------------


@override_settings(AXES_ENABLED=True)
def test_five_wrong_passwords_lock_the_account(client, alice):
    for _ in range(5):
        response = client.post(
            reverse("login"), {"username": "alice", "password": "fout-fout-fout"}
        )
        assert response.status_code in (200, 429)
    response = client.post(
        reverse("login"), {"username": "alice", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 429
    assert "tijdelijk geblokkeerd" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- sessions ------------------------------------------------------------------------------------


def _age_session(client, **seconds_ago):
    session = client.session
    now = timezone.now().timestamp()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_idle_session_ends_after_15_minutes(client, alice):
    login_with_2fa(client, alice)
    _age_session(client, **{SEEN_AT: 14 * 60})
    assert client.get(reverse("registry:person_list")).status_code == 200
    _age_session(client, **{SEEN_AT: 15 * 60 + 5})
    response = client.get(reverse("registry:person_list"))
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")
    assert "_auth_user_id" not in client.session


def test_session_ends_after_8_hours_even_when_active(client, alice):
    login_with_2fa(client, alice)
    _age_session(client, **{LOGIN_AT: 8 * 3600 + 5, SEEN_AT: 10})
    response = client.get(reverse("registry:person_list"))
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")


def test_disabling_a_user_ends_their_sessions(client, alice):
    login_with_2fa(client, alice)
    assert UserSession.objects.filter(user=alice).exists()
    assert client.get(reverse("registry:person_list")).status_code == 200
    alice.is_active = False
    alice.save()
    assert not UserSession.objects.filter(user=alice).exists()
    assert client.get(reverse("registry:person_list")).status_code == 302


# --- responses -----------------------------------------------------------------------------------


def test_person_page_headers(client, alice, alices_stay):
    login_with_2fa(client, alice)
    response = client.get(reverse("registry:person_detail", args=[alices_stay.person_id]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_script_in_a_name_is_shown_as_text(client, alice, alices_stay):
    login_with_2fa(client, alice)
    body = client.get(
        reverse("registry:person_detail", args=[alices_stay.person_id])
    ).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_forged_form_post_without_csrf_token_does_nothing(alice, alices_stay):
    client = Client(enforce_csrf_checks=True)
    login_with_2fa(client, alice)
    url = reverse("access:consent", args=[alices_stay.person_id])
    data = {"action": "given", "party": "ind", "categories": ["identity"], "method": "verbal"}
    assert client.post(url, data).status_code == 403
    assert not alices_stay.person.consent_events.exists()


def test_tampered_ids_get_the_same_plain_404(client, alice):
    login_with_2fa(client, alice)
    other = StayFactory()
    for url in (
        f"/personen/{other.person_id}/",
        "/personen/00000000-0000-0000-0000-000000000000/",
        "/personen/not-a-uuid/",
    ):
        response = client.get(url)
        assert response.status_code == 404
        body = response.content.decode()
        assert "Traceback" not in body and other.person.family_name not in body


# --- production settings -------------------------------------------------------------------------


def _lvv(*args, **env):
    base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    base.update(env)
    return subprocess.run([str(LVV), *args], env=base, capture_output=True, text=True, timeout=120)


def test_check_deploy_reports_nothing(tmp_path):
    result = _lvv(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="lvv.example.nl",
        LVV_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_never_skips_two_factor(tmp_path):
    result = _lvv(
        "check",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="lvv.example.nl",
        LVV_REQUIRE_2FA="0",
        LVV_DATA_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "LVV_REQUIRE_2FA" in result.stderr
