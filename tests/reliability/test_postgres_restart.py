"""The database restarting under load loses no committed event: a writer appends events from a
thread while its own throwaway PostgreSQL cluster is killed (immediate shutdown, as a crash) and
started again; every commit it was told about must be there afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from tests.reliability.helpers import CAN_RUN_CLUSTERS, ROOT, pg_ctl, start_cluster, stop_cluster

PORT = 8109  # this test's own cluster, never the shared one

pytestmark = pytest.mark.skipif(
    not CAN_RUN_CLUSTERS,
    reason="needs the PostgreSQL server binaries and root (to run them as postgres)",
)


def _wait_for(proc: subprocess.Popen, word: str, timeout: float) -> list[str]:
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
        if line.startswith(word):
            return lines
    raise AssertionError(f"writer never said {word!r}: {lines[-5:]}")


def test_restart_under_load_loses_no_committed_event():
    workdir = Path(tempfile.mkdtemp(prefix="lvv-pg-restart-"))
    workdir.chmod(0o755)
    pgdir = workdir / "pg"
    url = start_cluster(pgdir, PORT)
    data = pgdir / "data"
    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute("CREATE DATABASE lvv")
        stop = workdir / "stop"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        env.update(
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="lvv.conf.test",
            STOP_FILE=str(stop),
            DB_CONN_MAX_AGE="60",
            LVV_DATA_DIR=str(workdir / "data"),
        )
        writer = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("pg_writer.py"))],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        out = _wait_for(writer, "ready", timeout=240)
        time.sleep(1.5)  # under load
        pg_ctl(data, "-m", "immediate", "-w", "stop")  # as a crash: no clean shutdown
        time.sleep(0.5)
        pg_ctl(data, "-l", str(pgdir / "log"), "-o",
               f"-k {pgdir} -p {PORT} -c listen_addresses=127.0.0.1", "-w", "start")  # fmt: skip
        time.sleep(2.0)  # writes resume after the restart
        stop.touch()
        rest, _ = writer.communicate(timeout=60)
        out += rest.splitlines()
        acked = [int(line.split()[1]) for line in out if line.startswith("acked ")]
        failures = [line for line in out if line.startswith("failed")]
        with psycopg.connect(url) as db:
            present = {
                row[0]
                for row in db.execute(
                    "SELECT id FROM registry_event WHERE kind = 'person_corrected'"
                ).fetchall()
            }
        assert acked, "the writer committed nothing"
        assert failures, "the restart did not interrupt the writer: nothing was tested"
        assert set(acked) <= present, f"lost committed events: {sorted(set(acked) - present)}"
        # The writer carried on after the restart (it reconnected by itself).
        last_failure = max(i for i, line in enumerate(out) if line.startswith("failed"))
        assert any(line.startswith("acked") for line in out[last_failure:])
    finally:
        stop_cluster(pgdir)
        shutil.rmtree(workdir, ignore_errors=True)
