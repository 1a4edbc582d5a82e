"""The backup and restore drill of docs/backup-restore.md, run: back up, restore elsewhere, compare
row counts of every table and a content hash of the events."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.db import connection, router

from lvv.registry import services
from lvv.registry.tests.factories import StayFactory

pytestmark = pytest.mark.django_db(transaction=True)

EVENT_HASH_SQL = {
    # Every column of every event, in id order: a restore that loses or changes one differs.
    "sqlite": "SELECT id, person_id, stay_id, kind, CAST(valid_on AS TEXT), "
    "CAST(recorded_at AS TEXT), data, supersedes_id FROM registry_event ORDER BY id",
    "postgresql": "SELECT id, person_id::text, stay_id::text, kind, valid_on::text, "
    "recorded_at::text, data::text, supersedes_id FROM registry_event ORDER BY id",
}


def _tables() -> list[str]:
    """The tables of the register's database (a separate access-log database has its own drill)."""
    return sorted(
        m._meta.db_table
        for m in apps.get_models()
        if m._meta.managed and router.allow_migrate_model(connection.alias, m)
    )


def _fingerprint(execute) -> tuple[dict[str, int], str]:
    counts = {t: execute(f'SELECT count(*) FROM "{t}"')[0][0] for t in _tables()}
    digest = hashlib.sha256()
    for row in execute(EVENT_HASH_SQL[connection.vendor]):
        digest.update(repr(tuple(row)).encode())
    return counts, digest.hexdigest()


def _register_some_history() -> None:
    for i in range(3):
        stay = StayFactory(scenario="return", left=bool(i % 2))
        event = services.stay_set_scenario(
            stay=stay, scenario="legalisation", on=stay.admission_date, by=None
        )
        services.event_void(event=event, by=None, reason="Verkeerd dossier.")


def _live_fingerprint():
    def execute(sql):
        with connection.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    return _fingerprint(execute)


def test_sqlite_backup_and_vacuum_into_restore_to_the_same_register(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite drill")
    _register_some_history()
    live = _live_fingerprint()
    assert live[0]["registry_event"] > 10

    # 1. The online backup API (what `sqlite3 lvv.sqlite3 ".backup backup.sqlite3"` uses).
    backup = tmp_path / "backup.sqlite3"
    target = sqlite3.connect(backup)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    # 2. VACUUM INTO: a compact, consistent copy made while the register keeps running.
    vacuumed = tmp_path / "vacuum.sqlite3"
    with connection.cursor() as cur:
        cur.execute("VACUUM INTO %s", [str(vacuumed)])

    for copy in (backup, vacuumed):
        # Restore = put the file in place of the register's database (after stopping the servers).
        restored = tmp_path / f"restored-{copy.stem}.sqlite3"
        shutil.copyfile(copy, restored)
        db = sqlite3.connect(restored)
        try:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert _fingerprint(lambda sql, db=db: db.execute(sql).fetchall()) == live
        finally:
            db.close()


def _pg_tool(name: str) -> str | None:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else shutil.which(name)


def test_postgresql_pg_dump_and_pg_restore_to_the_same_register(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL drill")
    pg_dump, pg_restore = _pg_tool("pg_dump"), _pg_tool("pg_restore")
    if not (pg_dump and pg_restore):
        pytest.skip("pg_dump/pg_restore not installed")
    _register_some_history()
    live = _live_fingerprint()
    s = connection.settings_dict
    conninfo = {
        "host": s["HOST"] or "127.0.0.1",
        "port": str(s["PORT"] or 5432),
        "user": s["USER"],
        "password": s.get("PASSWORD") or "",
    }
    dsn = " ".join(f"{k}={v}" for k, v in conninfo.items() if v)
    dump = tmp_path / "lvv.dump"
    subprocess.run(
        [pg_dump, "--format=custom", f"--file={dump}", f"--dbname={dsn} dbname={s['NAME']}"],
        check=True,
        capture_output=True,
    )
    restored = f"lvv_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{dsn} dbname=postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            [pg_restore, "--no-owner", "--exit-on-error", f"--dbname={dsn} dbname={restored}",
             str(dump)],
            check=True,
            capture_output=True,
        )  # fmt: skip
        with psycopg.connect(f"{dsn} dbname={restored}") as db:
            assert _fingerprint(lambda sql: db.execute(sql).fetchall()) == live
    finally:
        with psycopg.connect(f"{dsn} dbname=postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
