"""Route the access log to its own connection (alias "accesslog").

The log is written through a second connection that autocommits, so a line survives when the
request's transaction rolls back. On PostgreSQL the alias points at the same database (or, with
ACCESS_LOG_DATABASE_URL, at another one); on SQLite, where only one connection can write at a time,
it is a separate file next to the register's (`<name>-accesslog.sqlite3`), migrated together with
the register (lvv.access.apps)."""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

LOG_MODELS = frozenset({"auditrecord", "accessrecord"})


def log_alias() -> str:
    return getattr(settings, "ACCESS_LOG_DATABASE", DEFAULT_DB_ALIAS)


def log_is_separate_database() -> bool:
    """True when the log alias is a database of its own (SQLite file, other server), decided in
    the settings (ACCESS_LOG_SEPARATE_DATABASE), not by comparing connections: during test-database
    setup the two aliases briefly differ."""
    return log_alias() != DEFAULT_DB_ALIAS and getattr(
        settings, "ACCESS_LOG_SEPARATE_DATABASE", False
    )


def is_log_model(app_label: str, model_name: str | None) -> bool:
    return app_label == "access" and (model_name or "").lower() in LOG_MODELS


class AccessLogRouter:
    def _route(self, model):
        if is_log_model(model._meta.app_label, model._meta.model_name):
            return log_alias()
        return None

    def db_for_read(self, model, **hints):
        return self._route(model)

    def db_for_write(self, model, **hints):
        return self._route(model)

    def allow_relation(self, obj1, obj2, **hints):
        one = is_log_model(obj1._meta.app_label, obj1._meta.model_name)
        two = is_log_model(obj2._meta.app_label, obj2._meta.model_name)
        if one and two:
            return True
        if one or two:
            return False
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        separate = log_is_separate_database()
        if is_log_model(app_label, model_name):
            return db == (log_alias() if separate else DEFAULT_DB_ALIAS)
        if separate and db == log_alias():
            return False
        return None
