"""On SQLite, too, the database itself refuses UPDATE and DELETE on the access log tables (ADR 0104):
a BEFORE UPDATE and a BEFORE DELETE trigger per table that abort the statement, with the message of
PostgreSQL's trigger (migration 0003). Only on the connection that holds the log: on SQLite the
log's own file (lvv.access.routers), migrated together with the register.

SQLite has no statement-level triggers and no TRUNCATE: a flush (DELETE) is refused as well. The
test suite's flush between transactional tests takes the triggers out for the length of that one
transaction (lvv.access.pytest_plugin). A later migration that makes SQLite rebuild one of these
tables (most ALTERs) drops its triggers with the old table: create them again in that migration;
test_database_refuses_update_and_delete_of_log_lines fails until then."""

from django.db import migrations

from lvv.access.appendonly import (
    migrates_access_log,
    sqlite_create_triggers_sql,
    sqlite_drop_triggers_sql,
)


def _applies(schema_editor) -> bool:
    connection = schema_editor.connection
    return connection.vendor == "sqlite" and migrates_access_log(connection)


def create_triggers(apps, schema_editor):
    if not _applies(schema_editor):
        return
    for sql in sqlite_create_triggers_sql():
        schema_editor.execute(sql, None)


def drop_triggers(apps, schema_editor):
    if not _applies(schema_editor):
        return
    for sql in sqlite_drop_triggers_sql():
        schema_editor.execute(sql, None)


class Migration(migrations.Migration):
    dependencies = [("access", "0003_accesslog_append_only_trigger")]

    # The hint routes the operation like the log models: without it the router keeps every
    # operation of the access app off the log's own SQLite file.
    operations = [
        migrations.RunPython(
            create_triggers,
            drop_triggers,
            hints={"model_name": "accessrecord"},
            elidable=False,
        )
    ]
