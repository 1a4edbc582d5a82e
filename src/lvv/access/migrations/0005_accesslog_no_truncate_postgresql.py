"""On PostgreSQL the database also refuses TRUNCATE of the access log tables (ADR 0111): a BEFORE
TRUNCATE statement trigger per table calls migration 0003's function, so the message is the same
("the access log is append-only: TRUNCATE on access_accessrecord is not allowed"). Row triggers do
not see TRUNCATE; until now only the application role's privileges stopped it.

The test suite's flush between transactional tests truncates every table: it disables these two
triggers for the length of that one transaction (lvv.access.pytest_plugin)."""

from django.db import migrations

from lvv.access.appendonly import (
    migrates_access_log,
    pg_create_truncate_triggers_sql,
    pg_drop_truncate_triggers_sql,
)


def _applies(schema_editor) -> bool:
    connection = schema_editor.connection
    return connection.vendor == "postgresql" and migrates_access_log(connection)


def create_triggers(apps, schema_editor):
    if not _applies(schema_editor):
        return
    for sql in pg_create_truncate_triggers_sql():
        schema_editor.execute(sql, None)


def drop_triggers(apps, schema_editor):
    if not _applies(schema_editor):
        return
    for sql in pg_drop_truncate_triggers_sql():
        schema_editor.execute(sql, None)


class Migration(migrations.Migration):
    dependencies = [("access", "0004_accesslog_append_only_sqlite_triggers")]

    # Routed like the log models (see 0004).
    operations = [
        migrations.RunPython(
            create_triggers,
            drop_triggers,
            hints={"model_name": "accessrecord"},
            elidable=False,
        )
    ]
