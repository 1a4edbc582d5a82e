"""The event's three optional references (recorded by, on behalf of an organisation, the event a
void withdraws) are empty on nearly every event: their full single-column indexes become partial
indexes of the rows that have one (ADR 0084). The full indexes are dropped directly (the same
generated names on SQLite and PostgreSQL) instead of by AlterField, which on SQLite would copy the
whole event table three times."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FULL_INDEXES = [
    ("registry_event_organisation_id_b3ce3a8f", "organisation_id"),
    ("registry_event_recorded_by_id_59737733", "recorded_by_id"),
    ("registry_event_supersedes_id_82f250c5", "supersedes_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_manager_with_organisation"),
        ("registry", "0006_person_name_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="event",
                    name="organisation",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                        verbose_name="namens organisatie",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="recorded_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="geregistreerd door",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="supersedes",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="superseded_by",
                        to="registry.event",
                        verbose_name="trekt in",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "registry_event" ("{column}")',
                )
                for name, column in FULL_INDEXES
            ],
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("recorded_by__isnull", False)),
                fields=["recorded_by"],
                name="event_recorded_by",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("organisation__isnull", False)),
                fields=["organisation"],
                name="event_organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("supersedes__isnull", False)),
                fields=["supersedes"],
                name="event_supersedes",
            ),
        ),
    ]
