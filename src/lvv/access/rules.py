"""Who may see and change which stays: the access matrix (docs/access-matrix.md) as code.

Only lvv.access.gate calls these; everything else goes through the gate."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lvv.accounts.models import Role, User
from lvv.registry.models import LVV, Stay

NOTHING = Q(pk__in=[])

# Roles that work with person data in their own LVVs.
CASE_ROLES = frozenset({Role.COORDINATOR, Role.CASE_WORKER})


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def lvvs_of(user: User) -> QuerySet[LVV]:
    if not _active(user):
        return LVV.objects.none()
    return user.lvvs.all()


def stay_filter(user: User) -> Q:
    """A filter on Stay for the stays this user may see."""
    if not _active(user):
        return NOTHING
    if user.role == Role.COORDINATOR:
        return Q(lvv__in=user.lvvs.all())
    if user.role == Role.CASE_WORKER and user.organisation_id:
        return Q(lvv__in=user.lvvs.all(), organisation_id=user.organisation_id)
    return NOTHING


def can_see_persons(user: User) -> bool:
    return _active(user) and user.role in CASE_ROLES


def can_register_in(user: User, lvv: LVV) -> bool:
    return can_see_persons(user) and user.lvvs.filter(pk=lvv.pk).exists()


def can_change_stay(user: User, stay: Stay) -> bool:
    return can_see_persons(user) and Stay.objects.filter(stay_filter(user), pk=stay.pk).exists()
