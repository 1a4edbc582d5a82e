"""Development: defaults that make `make demo` work on a fresh machine, then the shared base."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
# A fixed, public key for development and tests only (production must set its own).
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "-u8Sso8MEkXXC50z2ptWqeRxKyCj-JlVqdl0SHhY1Ns=")
os.environ.setdefault("ACCESS_LOG_PSEUDONYM_KEY", "dev-only-access-log-pseudonym-key")

from lvv.conf.base import *  # noqa: F403
