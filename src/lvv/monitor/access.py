"""Who sees which monitor figures: one explicit function (docs/monitor.md, "Wie ziet wat").

Figures are aggregates; tracing a figure to the stays behind it goes through lvv.access.gate
(`stays_visible_to`, access-logged) and is offered only to roles that may see persons."""

from __future__ import annotations

from dataclasses import dataclass

from lvv.access import gate
from lvv.accounts.models import Role, User


@dataclass(frozen=True)
class MonitorScope:
    may_view: bool = False
    lvv_names: frozenset[str] | None = None  # LVV columns shown; None = every LVV
    compute_scope: frozenset[str] | None = None  # what "national" sums over; None = every LVV
    may_trace: bool = False  # numbers link to the (gate-filtered) list of stays
    may_publish: bool = False


def monitor_scope(user: User) -> MonitorScope:
    if not (user and user.is_authenticated and user.is_active):
        return MonitorScope()
    own = frozenset(gate.lvvs_of(user).values_list("name", flat=True))
    if user.role == Role.PROGRAMME_BUREAU:
        return MonitorScope(may_view=True, may_publish=True)
    if user.role == Role.RESEARCHER:
        return MonitorScope(may_view=True)
    if user.role == Role.COORDINATOR:
        # Their own LVVs and the national figures; the others' columns are not theirs to see.
        return MonitorScope(
            may_view=True, lvv_names=own, may_trace=gate.can_see_persons(user), may_publish=True
        )
    if user.role == Role.CASE_WORKER:
        # Their LVV's figures only; "national" then totals their own LVVs.
        return MonitorScope(
            may_view=True, lvv_names=own, compute_scope=own, may_trace=gate.can_see_persons(user)
        )
    return MonitorScope()
