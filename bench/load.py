"""Bulk loading of the generated dataset into the configured database (Django must be set up).

PostgreSQL: raw `COPY ... FROM STDIN` through psycopg. SQLite: `executemany` in one transaction.
Columns that other apps add later to these tables get their model default, so the loader keeps
working as the schema grows."""

from __future__ import annotations

import datetime as dt
import random

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models

from bench.generate import Table

ORDER = [
    "accounts.Organisation",
    "registry.LVV",
    "accounts.Organisation_lvvs",
    "registry.Policy",
    "registry.Location",
    "registry.CapacityRecord",
    "accounts.User",
    "accounts.User_lvvs",
    "registry.Person",
    "registry.PersonAlias",
    "registry.Stay",
    "registry.Event",
]


def _model(label: str) -> type[models.Model]:
    if label.endswith("_lvvs"):
        owner = apps.get_model(label.removesuffix("_lvvs"))
        return owner._meta.get_field("lvvs").remote_field.through
    return apps.get_model(label)


def _sqlite_converter(field: models.Field):
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.UUIDField):
        return lambda v: v.hex if v is not None else None
    if isinstance(field, models.DateTimeField):
        return lambda v: (
            v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ") if v is not None else None
        )
    if isinstance(field, models.DateField):
        return lambda v: v.isoformat() if v is not None else None
    if isinstance(field, models.BooleanField):
        return lambda v: int(v) if v is not None else None
    return None


def _default(field: models.Field):
    value = field.get_default()
    if isinstance(field, models.JSONField):
        import json

        return json.dumps(value)
    return value


def load(tables: dict[str, Table], *, log=print) -> dict[str, int]:
    """Write every table; returns row counts. The tables must be empty."""
    counts = {}
    vendor = connection.vendor
    with connection.cursor():
        pass
    raw = connection.connection
    if vendor == "sqlite":
        # A bulk load into an empty file: no rollback journal or WAL copy of every page, no fsync,
        # no per-row foreign-key lookups (the generator's rows are consistent; foreign_key_check
        # below proves it once), a large page cache. The settings are restored afterwards.
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute("PRAGMA journal_mode=OFF")
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute("PRAGMA cache_size=-400000")
    for label in ORDER:
        table = tables[label]
        model = _model(label)
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(table.columns) - set(fields)
        if unknown:
            raise RuntimeError(f"{label}: the model has no columns {sorted(unknown)}")
        extra = [f for name, f in fields.items() if name not in table.columns]
        columns = [fields[c].column for c in table.columns] + [f.column for f in extra]
        defaults = tuple(_default(f) for f in extra)
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        db_table = connection.ops.quote_name(model._meta.db_table)
        started = dt.datetime.now()
        # Secondary indexes are built once after the rows are in: much faster than row by row.
        dropped = _drop_secondary_indexes(model._meta.db_table) if len(table.rows) > 50_000 else []
        if vendor == "postgresql":
            with raw.cursor() as cur, cur.copy(f"COPY {db_table} ({quoted}) FROM STDIN") as copy:
                for row in table.rows:
                    copy.write_row(row + defaults)
            raw.commit()
        else:
            converters = [_sqlite_converter(fields[c]) for c in table.columns]
            marks = ", ".join("?" * len(columns))

            def rows(converters=converters, table=table, defaults=defaults):
                for row in table.rows:
                    yield (
                        tuple(
                            conv(v) if conv else v for conv, v in zip(converters, row, strict=True)
                        )
                        + defaults
                    )

            raw.execute("BEGIN")
            raw.executemany(f"INSERT INTO {db_table} ({quoted}) VALUES ({marks})", rows())
            raw.execute("COMMIT")
        with connection.cursor() as cur:
            for statement in dropped:
                cur.execute(statement)
        if vendor == "postgresql":
            raw.commit()
        counts[label] = len(table.rows)
        log(f"  {label}: {len(table.rows):,} rows in {(dt.datetime.now() - started).seconds} s")
    # Derived from the events like the other projection columns, with the register's own SQL
    # (the migration that added the column runs the same), so the generator need not know it.
    from lvv.registry.services import stays_fill_last_valid_on

    started = dt.datetime.now()
    stays_fill_last_valid_on(connection)
    if vendor == "postgresql":
        raw.commit()
    log(f"  registry.Stay.last_valid_on filled in {(dt.datetime.now() - started).seconds} s")
    if vendor == "postgresql":
        sql = connection.ops.sequence_reset_sql(no_style(), [_model(label) for label in ORDER])
        with connection.cursor() as cur:
            for statement in sql:
                cur.execute(statement)
            # A register in service has long been vacuumed. Without this, autovacuum's
            # insert-triggered vacuum of the millions of rows just loaded (every page read,
            # written and frozen) starts a minute later and runs beside whatever the bench
            # measures then, on the same two cores.
            cur.execute("VACUUM (FREEZE, ANALYZE)")
    else:
        with connection.cursor() as cur:
            cur.execute("PRAGMA foreign_key_check")
            if broken := cur.fetchmany(5):
                raise RuntimeError(f"the generated rows break foreign keys: {broken}")
            cur.execute("ANALYZE")
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute("PRAGMA foreign_keys=ON")
    return counts


def _drop_secondary_indexes(db_table: str) -> list[str]:
    """Drop the plain (non-constraint) indexes of a table; returns the statements that rebuild them."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
                [db_table],
            )
        else:
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND NOT EXISTS"
                " (SELECT 1 FROM pg_constraint WHERE conname = indexname)"
                " AND indexdef NOT LIKE 'CREATE UNIQUE%%'",
                [db_table],
            )
        found = cur.fetchall()
        for name, _sql in found:
            cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [sql for _name, sql in found]


def verify_sample(n: int = 300, seed: int = 1) -> int:
    """Check `n` random stays: their projection columns equal `stay_state` of their loaded events.
    Returns the number checked; raises AssertionError on the first difference."""
    from lvv.registry.history import person_state, stay_state
    from lvv.registry.models import Stay
    from lvv.registry.services import STAY_PROJECTION

    ids = list(Stay.objects.values_list("pk", flat=True).order_by("pk")[:50_000])
    sample = random.Random(seed).sample(ids, min(n, len(ids)))
    for stay in Stay.objects.filter(pk__in=sample).select_related("person"):
        state = stay_state(stay.events.all())
        for attr in STAY_PROJECTION:
            got, want = getattr(stay, attr), getattr(state, attr)
            assert got == want, f"stay {stay.pk}: {attr} is {got!r}, history says {want!r}"
        # The monitor reads the person columns it needs too (ADR 0076).
        person = stay.person
        p = person_state(person.events.all())
        if p.birth_date and not p.birth_year:
            p.birth_year = p.birth_date.year
        for attr in ("gender", "birth_year", "country", "first_ind_application_date"):
            got, want = getattr(person, attr), getattr(p, attr)
            assert got == want, f"person {person.pk}: {attr} is {got!r}, history says {want!r}"
    return len(sample)
