"""Tests: fast hashing, no network, the same base otherwise."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")
# A fixed, public key for development and tests only (production must set its own).
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "kUYqcGcbrVDLo1mZJXm0-t8TSr1p_YE8aqI2ydaRkvo=")
os.environ.setdefault("ACCESS_LOG_PSEUDONYM_KEY", "test-only-access-log-pseudonym-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# Background jobs run at once, inside the test (lvv.jobs).
os.environ.setdefault("LVV_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

from lvv.conf.base import *  # noqa: F403
from lvv.conf.base import DATA_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = DATA_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ACCESS_LOG_MIGRATE_WITH_DEFAULT = False
# Tests log in with client.force_login/client.login: two-factor and lockout are switched on by the
# tests that test them (lvv.accounts.testing.login_with_2fa passes the second factor). Production
# settings refuse LVV_REQUIRE_2FA=0 (lvv.conf.production, check lvv.E001).
LVV_REQUIRE_2FA = False
LVV_TESTING = True
AXES_ENABLED = False
