"""On PostgreSQL the database itself refuses UPDATE and DELETE on the access log tables, so that
not even a bug or a raw query in the application can change what was logged (issue 5)."""

from django.db import migrations

TABLES = ["access_auditrecord", "access_accessrecord"]

FUNCTION = """
CREATE OR REPLACE FUNCTION lvv_access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def _applies(schema_editor) -> bool:
    from django.db import router

    return schema_editor.connection.vendor == "postgresql" and router.allow_migrate(
        schema_editor.connection.alias, "access", model_name="accessrecord"
    )


def create_triggers(apps, schema_editor):
    if not _applies(schema_editor):
        return
    schema_editor.execute(FUNCTION, None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION lvv_access_log_append_only();"
        )


def drop_triggers(apps, schema_editor):
    if not _applies(schema_editor):
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS lvv_access_log_append_only();")


class Migration(migrations.Migration):
    dependencies = [("access", "0002_consent_accesslog")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
