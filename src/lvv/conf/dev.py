"""Development: defaults that make `make demo` work on a fresh machine, then the shared base."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-never-use-in-production")

from lvv.conf.base import *  # noqa: F403
