"""The database connection settings of lvv.conf.base (ADR 0100)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections

LVV = Path(sys.executable).with_name("lvv")


@pytest.mark.postgres_only
@pytest.mark.django_db(databases=["default", "accesslog"])
def test_postgres_connections_prepare_repeated_queries():
    for alias in ("default", "accesslog"):
        conn = connections[alias]
        if conn.vendor != "postgresql":
            pytest.skip("PostgreSQL only")
        with conn.cursor() as cursor:
            for _ in range(3):
                cursor.execute(
                    "SELECT count(*) AS prepared_probe FROM django_migrations WHERE app = %s",
                    ["registry"],
                )
                assert cursor.fetchone()[0] > 0
            # Prepared, with the parameter bound by the server ($1), not written into the text.
            cursor.execute(
                "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%AS prepared_probe FROM%"],
            )
            assert [row[0] for row in cursor.fetchall()] == [
                "SELECT count(*) AS prepared_probe FROM django_migrations WHERE app = $1"
            ], alias


def _check(**env) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    base.update(env)
    return subprocess.run(
        [str(LVV), "check"], env=base, capture_output=True, text=True, timeout=120
    )


def test_a_wrong_prepare_threshold_says_what_to_write(tmp_path):
    result = _check(
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        DB_PREPARE_THRESHOLD="sometimes",
        LVV_DATA_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "DB_PREPARE_THRESHOLD must be a whole number or off, not 'sometimes'" in result.stderr
