"""The access log is append-only in the database itself, not only in the ORM (ADR 0104).

PostgreSQL: a trigger function (migration 0003) that row triggers call BEFORE UPDATE OR DELETE and,
since migration 0005, a statement trigger per table calls BEFORE TRUNCATE (ADR 0111). SQLite: for
each log table a BEFORE UPDATE and a BEFORE DELETE trigger that aborts the statement with the same
message (migration 0004); SQLite has no TRUNCATE. The migrations take their SQL from here; change
it only together with a new migration. All are created only on the connection where the access
app's log models are migrated (lvv.access.routers): on SQLite that is the log's own file, never the
register's."""

from __future__ import annotations

from django.db import router

TABLES = ("access_auditrecord", "access_accessrecord")
OPERATIONS = ("UPDATE", "DELETE")


def migrates_access_log(connection) -> bool:
    """Does this connection hold the access-log tables (the shape of migration 0003's check)?"""
    return router.allow_migrate(connection.alias, "access", model_name="accessrecord")


def sqlite_trigger_name(table: str, operation: str) -> str:
    return f"{table}_append_only_{operation.lower()}"


SQLITE_TRIGGER_NAMES = tuple(
    sqlite_trigger_name(table, operation) for table in TABLES for operation in OPERATIONS
)


def sqlite_create_triggers_sql() -> list[str]:
    # RAISE takes a literal message in SQLite, so each trigger spells out its table and operation;
    # the wording is PostgreSQL's (migration 0003), so both databases say the same.
    return [
        f'CREATE TRIGGER "{sqlite_trigger_name(table, operation)}" '
        f'BEFORE {operation} ON "{table}" FOR EACH ROW BEGIN '
        f"SELECT RAISE(ABORT, 'the access log is append-only: {operation} on {table} is not "
        "allowed'); END"
        for table in TABLES
        for operation in OPERATIONS
    ]


def sqlite_drop_triggers_sql() -> list[str]:
    return [f'DROP TRIGGER IF EXISTS "{name}"' for name in SQLITE_TRIGGER_NAMES]


def pg_truncate_trigger_name(table: str) -> str:
    return f"{table}_no_truncate"


PG_TRUNCATE_TRIGGERS = {table: pg_truncate_trigger_name(table) for table in TABLES}


def pg_create_truncate_triggers_sql() -> list[str]:
    # The function of migration 0003 raises "... append-only: TRUNCATE on <table> ...".
    return [
        f'CREATE TRIGGER "{name}" BEFORE TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION lvv_access_log_append_only()"
        for table, name in PG_TRUNCATE_TRIGGERS.items()
    ]


def pg_drop_truncate_triggers_sql() -> list[str]:
    return [
        f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"'
        for table, name in PG_TRUNCATE_TRIGGERS.items()
    ]
