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

Without a separate monitor database, on SQLite, or when the monitor's database is not in
recovery (a copy, or the primary itself under another name) there is nothing to wait for.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from lvv.monitor.figures import monitor_alias


class ReplicaBehind(Exception):
    """The monitor's replica has not caught up with the register in time. Not bad input: asking
    again later can succeed. The message says how far behind it is and what to check."""


def wait_for_replica(*, timeout: float | None = None) -> None:
    """Return once the monitor's database holds every transaction the register had committed
    when this was called; raise `ReplicaBehind` after `timeout` seconds (default: the setting
    MONITOR_REPLICA_WAIT)."""
    alias = monitor_alias()
    if alias == DEFAULT_DB_ALIAS:
        return
    replica, primary = connections[alias], connections[DEFAULT_DB_ALIAS]
    if replica.vendor != "postgresql" or primary.vendor != "postgresql":
        return
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        if not cursor.fetchone()[0]:
            return
    with primary.cursor() as cursor:
        # Flushed, not merely inserted: every committed transaction (synchronous commit) lies
        # behind it, and the primary sends its standbys exactly what it has flushed.
        cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
        target = cursor.fetchone()[0]
    if timeout is None:
        timeout = settings.MONITOR_REPLICA_WAIT
    deadline = time.monotonic() + timeout
    pause = 0.01
    while True:
        with replica.cursor() as cursor:
            cursor.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn,"
                " pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()),"
                " pg_is_wal_replay_paused()",
                [target, target],
            )
            caught_up, behind, paused = cursor.fetchone()
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
