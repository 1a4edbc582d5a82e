"""Shared by the reliability tests: a database file (or PostgreSQL database) copied from the test
database in milliseconds, for commands run in a subprocess, and how to run them."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
from django.db import connection, connections

ROOT = Path(__file__).resolve().parents[2]
LVV = str(Path(sys.executable).with_name("lvv"))
PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
# Tests that run PostgreSQL clusters of their own need its server binaries and root (to run them as
# the postgres user); skipped otherwise.
CAN_RUN_CLUSTERS = bool(PG_BINS) and os.geteuid() == 0 and shutil.which("runuser") is not None


def pg_ctl(data: Path, *args: str, check: bool = True) -> None:
    """`pg_ctl -D data ...` as the postgres user."""
    subprocess.run(
        ["runuser", "-u", "postgres", "--", f"{PG_BINS[-1]}/pg_ctl", "-D", str(data), *args],
        check=check,
        capture_output=True,
    )


def start_cluster(directory: Path, port: int) -> str:
    """A throwaway PostgreSQL cluster of one test in `directory` (scripts/throwaway-postgres.sh),
    listening on 127.0.0.1:`port`; returns its URL (database `lvv`, not created yet)."""
    return subprocess.run(
        [str(ROOT / "scripts" / "throwaway-postgres.sh"), str(directory), str(port)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def stop_cluster(directory: Path) -> None:
    """Stop a cluster of `start_cluster` (or one made from it) at once, if it runs."""
    pg_ctl(directory / "data", "-m", "immediate", "stop", check=False)


def copy_test_database(tmp_path: Path) -> str:
    """A DATABASE_URL for a copy of the (migrated, committed) test database, which a subprocess
    may use and kill as it likes."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        target = tmp_path / "register.sqlite3"
        with connection.cursor() as cur:
            cur.execute("VACUUM INTO %s", [str(target)])
        if "accesslog" in connections.settings:
            log_target = tmp_path / "register-accesslog.sqlite3"
            with connections["accesslog"].cursor() as cur:
                cur.execute("VACUUM INTO %s", [str(log_target)])
        return f"sqlite:///{target}"
    name = f"lvv_rel_{uuid.uuid4().hex[:12]}"
    source = connection.settings_dict["NAME"]
    connections.close_all()  # a template database may have no other sessions
    with psycopg.connect(_pg_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return _pg_url(name)


def drop_copy(url: str) -> None:
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(_pg_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def command_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="lvv.conf.test",
        LVV_DATA_DIR=str(tmp_path / "data"),
        LOG_LEVEL="WARNING",
    )
    if database_url.startswith("sqlite"):
        env["ACCESS_LOG_DATABASE_URL"] = f"sqlite:///{tmp_path / 'register-accesslog.sqlite3'}"
    return env


def run(args: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LVV, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False, **kw
    )
