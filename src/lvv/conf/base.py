"""Settings shared by every environment. Everything that differs per deployment comes from the
environment; see docs/configuration.md for each variable."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from lvv.conf.env import derive_key, env_bool, env_int, env_list, env_secret, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
_checkout = PACKAGE_DIR.parent.parent
# In a checkout the data folder is ./var; an installed package keeps its data in the user's home.
_default_data = (
    _checkout / "var"
    if (_checkout / "pyproject.toml").exists()
    else Path.home() / ".local/share/lvv"
)
DATA_DIR = Path(env_str("LVV_DATA_DIR", str(_default_data)))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set (or SECRET_KEY_FILE): see docs/configuration.md"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "lvv.accounts",
    "lvv.registry",
    "lvv.access",
    "lvv.workflow",
    "lvv.monitor",
    "lvv.exchange",
    "lvv.web",
    "django_tasks",
    "django_tasks_db",
    "lvv.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Security of sessions and responses (lvv.accounts.middleware, docs/security.md).
    "csp.middleware.CSPMiddleware",
    "lvv.access.context.AccessLogContextMiddleware",
    "lvv.accounts.middleware.SessionTimeoutMiddleware",
    "lvv.accounts.middleware.RequireTwoFactorMiddleware",
    "lvv.accounts.middleware.NoStoreMiddleware",
    # django-axes last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lvv.urls"
WSGI_APPLICATION = "lvv.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'lvv.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets readers work while one writer writes; IMMEDIATE makes writers queue instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# The access log is written through its own connection (lvv.access.routers): lines stay even when
# the request's transaction rolls back. PostgreSQL: same database, own connection (or
# ACCESS_LOG_DATABASE_URL); SQLite: a file of its own next to the register's.
ACCESS_LOG_DATABASE = "accesslog"
# ACCESS_LOG_SEPARATE_DATABASE: is the alias a database of its own (then migrated on its own) or
# a second connection to the register's database?
if env_str("ACCESS_LOG_DATABASE_URL"):
    DATABASES[ACCESS_LOG_DATABASE] = dj_database_url.parse(env_str("ACCESS_LOG_DATABASE_URL"))
    ACCESS_LOG_SEPARATE_DATABASE = True
else:
    DATABASES[ACCESS_LOG_DATABASE] = copy.deepcopy(DATABASES["default"])
    _log_db = DATABASES[ACCESS_LOG_DATABASE]
    ACCESS_LOG_SEPARATE_DATABASE = _log_db["ENGINE"] == "django.db.backends.sqlite3"
    if ACCESS_LOG_SEPARATE_DATABASE and _log_db["NAME"] != ":memory:":
        _name = Path(_log_db["NAME"])
        _log_db["NAME"] = str(
            _name.with_name(f"{_name.stem}-accesslog{_name.suffix or '.sqlite3'}")
        )
DATABASES[ACCESS_LOG_DATABASE]["ATOMIC_REQUESTS"] = False
DATABASES[ACCESS_LOG_DATABASE]["AUTOCOMMIT"] = True
DATABASE_ROUTERS = ["lvv.access.routers.AccessLogRouter"]
# Key of the person pseudonyms in the access log (HMAC-SHA256; lvv.access.pseudonyms).
ACCESS_LOG_PSEUDONYM_KEY = env_secret("ACCESS_LOG_PSEUDONYM_KEY") or derive_key(
    SECRET_KEY, "lvv.access-log-pseudonym"
)
# Retention: days after a person's last outflow before `lvv apply-retention` erases their
# identifying data (docs/privacy.md).
LVV_RETENTION_DAYS = env_int("LVV_RETENTION_DAYS", 730)
# Migrate the separate access-log database together with the register (off in tests).
ACCESS_LOG_MIGRATE_WITH_DEFAULT = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # OWASP ASVS 2.1: passphrases up to 128 characters; breached passwords refused (offline list).
    {"NAME": "lvv.accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "lvv.accounts.validators.BreachedPasswordValidator"},
]
# A breached-password list in the Have I Been Pwned "SHA-1 ordered by hash" format (optional).
LVV_BREACHED_PASSWORDS_FILE = env_str("LVV_BREACHED_PASSWORDS_FILE")

# Authentication (docs/security.md): django-axes counts failed logins and locks the username out
# after 5 for LVV_LOCKOUT_MINUTES; two-factor (TOTP, django-otp) for every role with person data.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LVV_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
LVV_REQUIRE_2FA = env_bool("LVV_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "LVV-register"
OTP_TOTP_THROTTLE_FACTOR = 1
# Idle timeout and absolute session limit (lvv.accounts.middleware).
LVV_SESSION_IDLE_SECONDS = min(env_int("LVV_SESSION_IDLE_MINUTES", 15), 15) * 60
LVV_SESSION_ABSOLUTE_SECONDS = min(env_int("LVV_SESSION_ABSOLUTE_HOURS", 8), 8) * 3600
SESSION_COOKIE_AGE = LVV_SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The project-wide assets (src/lvv/static: app.css, htmx) live outside any app.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # API tokens only (docs/adr/0022-api-token-auth-only.md); the schema views allow anyone.
    "DEFAULT_AUTHENTICATION_CLASSES": ["lvv.exchange.api.authentication.TokenAuthentication"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LVV register API",
    "DESCRIPTION": "API of the central register of the Landelijke Vreemdelingenvoorzieningen.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from our own static files (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "tokenAuth": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "Token <token> (lvv create-token USERNAME)",
            }
        }
    },
    "SECURITY": [{"tokenAuth": []}],
}

# Security headers that hold in every environment; production.py tightens transport security.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp): only our own scripts and styles, never framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Field-level encryption of medical and legal notes (lvv.access.fields; docs/security.md).
# Comma-separated Fernet keys: the first encrypts, all decrypt (rotation).
# Unset: one key derived from SECRET_KEY (set it explicitly so the two can rotate independently).
FIELD_ENCRYPTION_KEYS = [
    key.strip() for key in env_secret("FIELD_ENCRYPTION_KEYS").split(",") if key.strip()
] or [derive_key(SECRET_KEY, "lvv.field-encryption")]

# Background jobs (lvv.jobs, docs/architecture.md): django-tasks. With PostgreSQL the queue is a
# table (django_tasks_db) served by `lvv db_worker` processes, shared by every application server;
# on the embedded SQLite default a job runs in a thread of the server that started it.
TASKS = {
    "default": {
        "BACKEND": env_str("LVV_TASKS_BACKEND")
        or (
            "django_tasks_db.DatabaseBackend"
            if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
            else "lvv.jobs.backends.ThreadBackend"
        )
    }
}
# Hours a finished export job's file stays downloadable before it is removed (lvv clean-jobs, and
# on access), and hours after which a job still queued or running counts as interrupted.
LVV_JOB_FILE_RETENTION_HOURS = env_int("LVV_JOB_FILE_RETENTION_HOURS", 24)
LVV_JOB_STUCK_HOURS = env_int("LVV_JOB_STUCK_HOURS", 12)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The monitor reads through its own alias (lvv.monitor.figures): with MONITOR_DATABASE_URL set, a
# read replica, so national figures never load the primary; otherwise the register's database.
MONITOR_DATABASE_ALIAS = "default"
if env_str("MONITOR_DATABASE_URL"):
    DATABASES["monitor"] = dj_database_url.parse(
        env_str("MONITOR_DATABASE_URL"), conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
    MONITOR_DATABASE_ALIAS = "monitor"
# How long the monitor waits for that replica to replay what the register has committed before it
# counts "as the register stands now" (lvv.monitor.replica; ADR 0110). Seconds.
MONITOR_REPLICA_WAIT = env_int("MONITOR_REPLICA_WAIT", 10)
if MONITOR_REPLICA_WAIT < 0:
    raise ImproperlyConfigured(
        f"MONITOR_REPLICA_WAIT must be 0 or more seconds, not {MONITOR_REPLICA_WAIT}"
    )

# PostgreSQL: the server binds the parameters, and from the second time a connection runs the
# same query psycopg runs it as a prepared statement, so the server skips parsing and planning:
# most of its work on the register's short queries (ADR 0100). DB_PREPARE_THRESHOLD=off keeps
# Django's default (parameters bound by the client, nothing prepared), e.g. behind a pooler in
# transaction mode that cannot keep prepared statements (PgBouncer before 1.21).
_prepare = env_str("DB_PREPARE_THRESHOLD", "2").strip().lower()
if _prepare not in ("off", "none"):
    if not _prepare.isdigit():
        raise ImproperlyConfigured(
            f"DB_PREPARE_THRESHOLD must be a whole number or off, not {_prepare!r}"
        )
    for _db in DATABASES.values():
        if _db["ENGINE"] == "django.db.backends.postgresql":
            _db.setdefault("OPTIONS", {}).update(
                server_side_binding=True, prepare_threshold=int(_prepare)
            )
