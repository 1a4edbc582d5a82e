"""The monitor on a PostgreSQL streaming replica (MONITOR_DATABASE_URL; docs/deployment.md).

A hot standby replays the primary's write-ahead log a little later than the primary commits it.
Figures read there without care would silently miss what was registered just before they were
asked for, and a published monitor would claim a registration cut-off its figures do not hold.
So before the monitor counts "as the register stands now" (the command, publishing, the API),
`wait_for_replica` takes the primary's flushed WAL position, which lies behind every transaction
committed so far, and waits until the replica has replayed up to it. Normally that takes
milliseconds. When the replica is further behind than `MONITOR_REPLICA_WAIT` seconds allow
(replication broken or paused, the standby overloaded), the monitor refuses with `ReplicaBehind`
rather than report stale figures as current (ADR 0110).

The monitor pages do not wait (a page must not hold a web server's thread for seconds): they show
the replica as it stands, and `replica_state` tells them whether it is up to date.

Without a separate monitor database, on SQLite, or when the monitor's database is not in
recovery (a copy, or the primary itself under another name) there is nothing to wait for.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from lvv.monitor.figures import monitor_alias


class ReplicaBehind(Exception):
    """The monitor's replica has not caught up with the register in time. Not bad input: asking
    again later can succeed. The message says how far behind it is and what to check."""


@dataclass(frozen=True)
class ReplicaState:
    """How far the monitor's replica is, for the monitor pages (which do not wait)."""

    caught_up: bool  # it holds everything the register had committed when asked
    replayed_at: dt.datetime | None  # commit time of the last transaction it replayed


def _standby() -> tuple[Any, Any] | None:
    """The monitor's connection and the register's, when the monitor reads a PostgreSQL standby."""
    alias = monitor_alias()
    if alias == DEFAULT_DB_ALIAS:
        return None
    replica, primary = connections[alias], connections[DEFAULT_DB_ALIAS]
    if replica.vendor != "postgresql" or primary.vendor != "postgresql":
        return None
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        if not cursor.fetchone()[0]:
            return None
    return replica, primary


def _committed_so_far(primary) -> str:
    with primary.cursor() as cursor:
        # Flushed, not merely inserted: every committed transaction (synchronous commit) lies
        # behind it, and the primary sends its standbys exactly what it has flushed.
        cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
        return cursor.fetchone()[0]


def _replayed(replica, target: str) -> tuple[bool, Any, bool, dt.datetime | None]:
    """Whether the replica has replayed up to `target`, how many bytes it is short, whether
    replay is paused, and the commit time of the last transaction it replayed."""
    with replica.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false),"
            " pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()),"
            " pg_is_wal_replay_paused(), pg_last_xact_replay_timestamp()",
            [target, target],
        )
        return cursor.fetchone()


def replica_state() -> ReplicaState | None:
    """None when the monitor reads the register itself; else whether its replica is up to date."""
    pair = _standby()
    if pair is None:
        return None
    replica, primary = pair
    caught_up, _behind, _paused, replayed_at = _replayed(replica, _committed_so_far(primary))
    return ReplicaState(caught_up=caught_up, replayed_at=replayed_at)


def wait_for_replica(*, timeout: float | None = None) -> None:
    """Return once the monitor's database holds every transaction the register had committed
    when this was called; raise `ReplicaBehind` after `timeout` seconds (default: the setting
    MONITOR_REPLICA_WAIT)."""
    pair = _standby()
    if pair is None:
        return
    replica, primary = pair
    target = _committed_so_far(primary)
    if timeout is None:
        timeout = settings.MONITOR_REPLICA_WAIT
    deadline = time.monotonic() + timeout
    pause = 0.01
    while True:
        caught_up, behind, paused, _replayed_at = _replayed(replica, target)
        if caught_up:
            return
        if time.monotonic() >= deadline:
            raise ReplicaBehind(_behind_message(timeout, behind, paused))
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def _behind_message(timeout: float, behind, paused: bool) -> str:
    amount = f"{int(behind):,} bytes of WAL" if behind is not None else "an unknown amount"
    cause = (
        "replay is paused on the replica (SELECT pg_wal_replay_resume() there)"
        if paused
        else "check the replication (pg_stat_replication on the primary)"
    )
    return (
        f"the monitor's replica (MONITOR_DATABASE_URL) is still {amount} behind the register "
        f"after {timeout:g} s: {cause}, then try again. Figures read now would miss what was "
        "registered since."
    )
