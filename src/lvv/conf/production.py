"""Production: nothing insecure has a default here; transport security is on."""

from lvv.conf.base import *  # noqa: F403
from lvv.conf.base import DEBUG, LVV_REQUIRE_2FA
from lvv.conf.env import env_bool, env_int

if DEBUG:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DEBUG must be off in production settings")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

if not LVV_REQUIRE_2FA:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "LVV_REQUIRE_2FA cannot be off in production: two-factor is mandatory"
    )
