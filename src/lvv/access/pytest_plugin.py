"""pytest plugin (loaded by the root conftest.py): every test that uses the database may also use
the access log's own connection (alias "accesslog", lvv.access.routers). Without this, pytest-django
would neither set up a test database for that alias nor allow queries on it."""

from __future__ import annotations

import pytest

DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}

# The wrappers this plugin put in Django's place, so that configuring again does not wrap them twice.
_INSTALLED: set[object] = set()


def pytest_collection_modifyitems(items):
    from django.conf import settings

    log_alias = getattr(settings, "ACCESS_LOG_DATABASE", "default")
    if log_alias == "default":
        return
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = set(getattr(item, "fixturenames", ()))
        if marker is None and not DB_FIXTURES & fixtures:
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        args = tuple(marker.args) if marker else ()
        databases = kwargs.get("databases")
        if databases == "__all__":
            continue
        kwargs["databases"] = sorted({*(databases or ["default"]), log_alias})
        item.add_marker(pytest.mark.django_db(*args, **kwargs), append=False)


def pytest_configure(config):
    """Close every connection (the access log's too) before the test databases are dropped;
    otherwise PostgreSQL refuses to drop a database that the second connection still uses.
    And let the test flush empty the SQLite access log (_keep_append_only_triggers_in_flush)."""
    import django.test.utils as test_utils

    _keep_append_only_triggers_in_flush()

    original = test_utils.teardown_databases
    if original in _INSTALLED:
        return

    def teardown_databases(*args, **kwargs):
        from django.db import connections

        connections.close_all()
        return original(*args, **kwargs)

    _INSTALLED.add(teardown_databases)
    test_utils.teardown_databases = teardown_databases


def _keep_append_only_triggers_in_flush() -> None:
    """Tests only: the flush between transactional tests (TransactionTestCase, `transactional_db`,
    `live_server`) empties every table: with DELETE on SQLite, which the access log's append-only
    triggers refuse (ADR 0104), and with TRUNCATE on PostgreSQL, which its BEFORE TRUNCATE
    triggers refuse (ADR 0111).

    The flush SQL of a test database that holds those triggers takes them out around the emptying:
    on SQLite it drops them and creates them again from the very SQL stored in the database, on
    PostgreSQL it disables and enables them. Django runs the whole list in one transaction, so the
    triggers are gone only inside the flush and come back even when it fails. Production code
    never loads this plugin: there, a flush of the access log is refused by the database."""
    # Through the backends' modules: importing the operations modules first is a circular import.
    from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQL
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLite

    _wrap_flush(SQLite.ops_class, _sqlite_around_flush)
    _wrap_flush(PostgreSQL.ops_class, _postgresql_around_flush)


def _wrap_flush(operations_class, around) -> None:
    """Make `operations_class.sql_flush` return `before + flush + after`, `around` giving the two."""
    original = operations_class.sql_flush
    if original in _INSTALLED:
        return

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        sql = original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not sql:
            return sql
        before, after = around(self, tables)
        return [*before, *sql, *after]

    _INSTALLED.add(sql_flush)
    # A test-only patch of Django's class.
    operations_class.sql_flush = sql_flush


def _sqlite_around_flush(ops, tables) -> tuple[list[str], list[str]]:
    from lvv.access.appendonly import SQLITE_TRIGGER_NAMES

    placeholders = ", ".join(["%s"] * len(SQLITE_TRIGGER_NAMES))
    with ops.connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master "  # noqa: S608 (placeholders only)
            f"WHERE type = 'trigger' AND name IN ({placeholders}) ORDER BY name",
            list(SQLITE_TRIGGER_NAMES),
        )
        triggers = cursor.fetchall()
    drop = [f"DROP TRIGGER {ops.quote_name(name)};" for name, _ in triggers]
    create = [f"{create_sql};" for _, create_sql in triggers]
    return drop, create


def _postgresql_around_flush(ops, tables) -> tuple[list[str], list[str]]:
    from lvv.access.appendonly import PG_TRUNCATE_TRIGGERS

    flushed = [table for table in PG_TRUNCATE_TRIGGERS if table in tables]
    if not flushed:
        return [], []
    with ops.connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE pg_table_is_visible(c.oid) AND c.relname = ANY(%s) AND t.tgname = ANY(%s)"
            " ORDER BY c.relname",
            [flushed, [PG_TRUNCATE_TRIGGERS[table] for table in flushed]],
        )
        triggers = cursor.fetchall()
    q = ops.quote_name
    disable = [f"ALTER TABLE {q(table)} DISABLE TRIGGER {q(name)};" for table, name in triggers]
    enable = [f"ALTER TABLE {q(table)} ENABLE TRIGGER {q(name)};" for table, name in triggers]
    return disable, enable
