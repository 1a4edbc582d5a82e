"""Beyond one machine, with a real replica: the monitor reads from a PostgreSQL hot standby.

test_monitor_replica.py shows the monitor's reads go through the "monitor" alias, on a second
connection to the test database. This test builds what docs/deployment.md describes: a primary
and a streaming standby made with pg_basebackup, each a throwaway cluster of this test, and runs
the `lvv` commands against them as an operator would (DATABASE_URL the primary,
MONITOR_DATABASE_URL the standby):

1. the monitor printed from the standby equals the monitor printed from the primary, and its reads
   hit the standby's tables, not the primary's;
2. with replay paused on the standby and new persons imported on the primary, the monitor refuses
   (exit 1, saying replay is paused) instead of printing figures that miss them, and `--publish`
   stores nothing;
3. replay resumed, the monitor on the standby shows the new figures, and `--publish` stores the
   publication on the primary (the standby is read-only) with figures that include them.
Along the way, what the monitor page says of the standby (`replica_state`): behind, then up to date.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from tests.reliability.helpers import (
    CAN_RUN_CLUSTERS,
    PG_BINS,
    command_env,
    pg_ctl,
    run,
    start_cluster,
    stop_cluster,
)

PRIMARY_PORT, STANDBY_PORT = 8110, 8111  # this test's own clusters, never the shared one
PEILDATUM = "2021-12-31"

pytestmark = pytest.mark.skipif(
    not CAN_RUN_CLUSTERS,
    reason="needs the PostgreSQL server binaries and root (to run them as postgres)",
)

HEADER = (
    "LVV,Correspondentienummer,Land van herkomst,Geboortejaar,Geslacht,Doelgroep,"
    "Datum aanmelding,Datum toelating,Begeleidingsscenario,Besproken in LSO\n"
)


def _person_file(path: Path, lvv: str, numbers: range) -> Path:
    rows = "".join(
        f"{lvv},{lvv[0]}-{n:03d},Eritrea,1985,man,convenant,2020-01-02,2020-01-06,terugkeer,ja\n"
        for n in numbers
    )
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def _lvv(args: list[str], env: dict[str, str], *, ok: bool = True) -> subprocess.CompletedProcess:
    done = run(args, env, timeout=300)
    if ok:
        assert done.returncode == 0, done.stderr[-2000:]
    return done


def _replica_state(env: dict[str, str]) -> str:
    """What lvv.monitor.replica.replica_state, which the monitor page shows, says: caught up or
    behind, and whether it knows the time of the last commit the standby replayed."""
    code = (
        "from lvv.monitor.replica import replica_state; s = replica_state(); "
        "print('STATE', 'caught up' if s.caught_up else 'behind',"
        " 'at a known time' if s.replayed_at else 'at no known time')"
    )
    out = _lvv(["shell", "-c", code], env).stdout
    return next(line for line in out.splitlines() if line.startswith("STATE ")).removeprefix(
        "STATE "
    )


def _table_reads(url: str) -> int:
    """Scans of the register's and the monitor's tables since the server started, once every
    other session on the database has ended: a backend reports its scans as it exits, just after
    it leaves pg_stat_activity (hence the pause)."""
    with psycopg.connect(url, autocommit=True) as db:
        for _ in range(100):
            others = db.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()[0]
            if not others:
                break
            time.sleep(0.05)
        time.sleep(0.3)
        return db.execute(
            "SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)"
            " FROM pg_stat_user_tables"
            " WHERE relname LIKE 'registry\\_%' OR relname LIKE 'monitor\\_%'"
        ).fetchone()[0]


def test_the_monitor_reads_a_streaming_standby_and_waits_for_it():
    workdir = Path(tempfile.mkdtemp(prefix="lvv-pg-replica-"))
    workdir.chmod(0o755)
    primary_dir, standby_dir = workdir / "primary", workdir / "standby"
    primary = start_cluster(primary_dir, PRIMARY_PORT)
    standby = primary.replace(f":{PRIMARY_PORT}/", f":{STANDBY_PORT}/")
    try:
        with psycopg.connect(primary.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute("CREATE DATABASE lvv")
        env = command_env(primary, workdir)
        _lvv(["migrate", "--noinput"], env)
        _lvv(["import-persons", str(_person_file(workdir / "first.csv", "Zwolle", range(3)))], env)

        # The standby: a base backup of the primary that follows its WAL (-R writes
        # primary_conninfo and standby.signal), read-only queries allowed (hot_standby is on).
        standby_dir.mkdir()
        shutil.chown(standby_dir, "postgres")
        subprocess.run(
            ["runuser", "-u", "postgres", "--", f"{PG_BINS[-1]}/pg_basebackup", "-h", "127.0.0.1",
             "-p", str(PRIMARY_PORT), "-U", "postgres", "-D", str(standby_dir / "data"), "-R",
             "-X", "stream", "-c", "fast"],
            check=True,
            capture_output=True,
        )  # fmt: skip
        pg_ctl(standby_dir / "data", "-l", str(standby_dir / "log"), "-o",
               f"-k {standby_dir} -p {STANDBY_PORT} -c listen_addresses=127.0.0.1", "-w",
               "start")  # fmt: skip
        with psycopg.connect(standby) as db:
            assert db.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        on_replica = {**env, "MONITOR_DATABASE_URL": standby, "MONITOR_REPLICA_WAIT": "1"}
        monitor = ["monitor", "--peildatum", PEILDATUM, "--format", "json"]

        # 1. The same document, read from the standby (which alone is read: the primary's table
        # scans do not move), as read from the primary.
        primary_reads, standby_reads = _table_reads(primary), _table_reads(standby)
        from_standby = json.loads(_lvv(monitor, on_replica).stdout)
        assert _table_reads(standby) > standby_reads
        assert _table_reads(primary) == primary_reads
        from_primary = json.loads(_lvv(monitor, env).stdout)
        assert from_primary["national"]["intake_total"] == 3
        assert from_standby == from_primary

        # 2. Replay paused: two more persons on the primary, which the standby does not have.
        with psycopg.connect(standby, autocommit=True) as db:
            db.execute("SELECT pg_wal_replay_pause()")
        second = _person_file(workdir / "second.csv", "Zwolle", range(3, 5))
        _lvv(["import-persons", str(second)], env)
        refused = _lvv(monitor, on_replica, ok=False)
        assert refused.returncode == 1
        assert "replay is paused" in refused.stderr
        assert refused.stdout == ""
        refused = _lvv([*monitor, "--publish"], on_replica, ok=False)
        assert refused.returncode == 1
        # What the monitor page says: no commit replayed since the standby was made.
        assert _replica_state(on_replica) == "behind at no known time"
        with psycopg.connect(primary) as db:
            assert db.execute("SELECT count(*) FROM monitor_publishedmonitor").fetchone()[0] == 0

        # 3. Replay resumed: the new figures from the standby; the publication on the primary.
        with psycopg.connect(standby, autocommit=True) as db:
            db.execute("SELECT pg_wal_replay_resume()")
        published = _lvv([*monitor, "--publish"], on_replica)
        assert _replica_state(on_replica) == "caught up at a known time"  # the import's
        assert json.loads(published.stdout)["national"]["intake_total"] == 5
        assert json.loads(published.stdout) == json.loads(_lvv(monitor, env).stdout)
        with psycopg.connect(primary) as db:
            stored = db.execute("SELECT document FROM monitor_publishedmonitor").fetchall()
        assert len(stored) == 1
        assert json.loads(stored[0][0])["national"]["intake_total"] == 5
    finally:
        for directory in (standby_dir, primary_dir):
            stop_cluster(directory)
        shutil.rmtree(workdir, ignore_errors=True)
