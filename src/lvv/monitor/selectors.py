"""Reads of the monitor app: the stays behind a figure, through the access gate."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from lvv.access import gate
from lvv.access.models import ProcessingActivity
from lvv.accounts.models import User
from lvv.monitor import figures, reconcile
from lvv.monitor.models import PublishedMonitor
from lvv.registry.models import Stay
from lvv.registry.taxonomy import TargetGroup


def stay_ids_behind(
    *,
    peildatum: dt.date,
    scheme: str,
    lvv_name: str,
    cell: str,
    known_at: dt.datetime | None = None,
    target_group: str = TargetGroup.CONVENANT,
) -> set:
    """The ids of the stays a figure counts (before any access check)."""
    facts = figures.collect(peildatum=peildatum, known_at=known_at, lvv_names=[lvv_name])
    return {
        s.stay_id
        for s in facts.stays
        if s.target_group == target_group
        and cell in figures.stay_cells(s, facts.person(s), peildatum=peildatum, scheme=scheme)
    }


def monitor_stays_for(user: User, ids: set, *, operation: str = "read") -> list[Stay]:
    """The stays among `ids` the user may see, access-logged per person for the monitor."""
    stays = (
        gate.stays_visible_to(user)
        .filter(pk__in=list(ids))
        .select_related("person", "lvv")
        .order_by("admission_date", "id")
    )
    rows = list(stays)
    gate.log_access(
        user,
        persons=[s.person_id for s in rows],
        operation=operation,
        activity=ProcessingActivity.MONITOR,
        categories=("identity", "stay"),
    )
    return rows


def reconcile_rows_for(user: User, rows: list[reconcile.Difference]) -> list[tuple]:
    """The reconciliation rows with the stay, for the stays the user may see (access-logged)."""
    visible = {str(s.pk): s for s in monitor_stays_for(user, {r.stay_id for r in rows})}
    return [(r, visible[r.stay_id]) for r in rows if r.stay_id in visible]


def published_monitors() -> QuerySet[PublishedMonitor]:
    return PublishedMonitor.objects.select_related("published_by")
