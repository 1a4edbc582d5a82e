"""Who may see and do what with which person data: the access matrix as code.

`MATRIX` is the single, machine-readable statement of the rules; docs/access-matrix.md is generated
from it (`lvv access-matrix`) and a test fails when the two differ. Only lvv.access.gate (and the
access layer's own views) call these functions; everything else goes through the gate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard

from django.db.models import Exists, OuterRef, Q, QuerySet

from lvv.access.models import ConsentState, DataCategory, Party
from lvv.accounts.models import Role, User
from lvv.registry.models import LVV, Stay

NOTHING = Q(pk__in=[])
C = DataCategory

VIEW, CHANGE, EXPORT = "view", "change", "export"


class Scope:
    """Which persons a role can reach at all (before categories)."""

    LVV = "lvv"  # every person with a stay in the user's LVVs
    NGO = "ngo"  # persons guided by the user's own organisation in the user's LVVs
    CONSENT = "consent"  # persons in the user's LVVs who consented to sharing with the role's party
    NONE = "none"  # no person pages at all


@dataclass(frozen=True)
class RoleRule:
    scope: str
    party: str | None = None  # the consent party, for Scope.CONSENT
    # category -> actions; for consent roles only the categories the person consented to apply.
    categories: dict[str, frozenset[str]] | None = None
    # Non-person capabilities.
    aggregates: bool = False  # the monitor (figures, no persons)
    research_export: bool = False  # pseudonymised per-person file
    access_log: bool = False  # the access log and subject access reports
    configuration: bool = False  # LVVs, policies, locations, users (no case data)
    two_factor: bool = True  # must pass a second factor


_VC = frozenset({VIEW, CHANGE})
_VCE = frozenset({VIEW, CHANGE, EXPORT})
_V = frozenset({VIEW})

MATRIX: dict[str, RoleRule] = {
    Role.COORDINATOR: RoleRule(
        scope=Scope.LVV,
        categories={
            C.IDENTITY: _VCE,
            C.STAY: _VCE,
            C.TRAJECTORY: _VCE,
            C.LEGAL: _VC,
            C.DOCUMENTS: _VC,
            C.IND: _V,
        },
        aggregates=True,
    ),
    Role.CASE_WORKER: RoleRule(
        scope=Scope.NGO,
        categories={
            C.IDENTITY: _VCE,
            C.STAY: _VCE,
            C.TRAJECTORY: _VCE,
            C.LEGAL: _VC,
            C.DOCUMENTS: _VC,
            C.IND: _V,
        },
    ),
    Role.IND: RoleRule(
        scope=Scope.CONSENT,
        party=Party.IND,
        categories={
            C.IDENTITY: _V,
            C.STAY: _V,
            C.TRAJECTORY: _V,
            C.LEGAL: _V,
            C.DOCUMENTS: _V,
            C.IND: _VC,
        },
    ),
    Role.DTV: RoleRule(
        scope=Scope.CONSENT,
        party=Party.DTV,
        categories={C.IDENTITY: _V, C.STAY: _V, C.TRAJECTORY: _V, C.DOCUMENTS: _V},
    ),
    Role.AVIM: RoleRule(
        scope=Scope.CONSENT,
        party=Party.AVIM,
        categories={C.IDENTITY: _V, C.STAY: _V, C.DOCUMENTS: _V},
    ),
    Role.MEDICAL: RoleRule(
        scope=Scope.CONSENT,
        party=Party.MEDICAL,
        categories={C.IDENTITY: _V, C.STAY: _V, C.MEDICAL: _VC},
    ),
    Role.PROGRAMME_BUREAU: RoleRule(scope=Scope.NONE, aggregates=True, two_factor=False),
    Role.RESEARCHER: RoleRule(scope=Scope.NONE, research_export=True),
    Role.ADMINISTRATOR: RoleRule(scope=Scope.NONE, configuration=True),
    Role.PRIVACY_OFFICER: RoleRule(scope=Scope.NONE, access_log=True),
}

NO_RULE = RoleRule(scope=Scope.NONE, two_factor=False)

# Roles that work with person data in their own LVVs and register and change stays.
CASE_ROLES = frozenset({Role.COORDINATOR, Role.CASE_WORKER})


def _active(user: User | None) -> TypeGuard[User]:
    return bool(user and user.is_authenticated and user.is_active)


def rule_for(user: User | None) -> RoleRule:
    if not _active(user):
        return NO_RULE
    return MATRIX.get(user.role, NO_RULE)


def lvvs_of(user: User) -> QuerySet[LVV]:
    if not _active(user):
        return LVV.objects.none()
    return user.lvvs.all()


def _consent_exists(party: str, categories) -> Exists:
    return Exists(
        ConsentState.objects.filter(
            person=OuterRef("person"), party=party, given=True, category__in=list(categories)
        )
    )


def stay_filter(user: User) -> Q:
    """A filter on Stay for the stays this user may see."""
    rule = rule_for(user)
    if rule.scope == Scope.LVV:
        return Q(lvv__in=user.lvvs.all())
    if rule.scope == Scope.NGO and user.organisation_id:
        return Q(lvv__in=user.lvvs.all(), organisation_id=user.organisation_id)
    if rule.scope == Scope.CONSENT and rule.party and rule.categories:
        return Q(lvv__in=user.lvvs.all()) & Q(_consent_exists(rule.party, rule.categories))
    return NOTHING


def can_see_persons(user: User) -> bool:
    return rule_for(user).scope != Scope.NONE


def registrable_lvvs(user: User) -> QuerySet[LVV]:
    """The LVVs in which the user may register persons (one query, whatever their number)."""
    if not (_active(user) and user.role in CASE_ROLES):
        return LVV.objects.none()
    return user.lvvs.all()


def can_register_in(user: User, lvv: LVV) -> bool:
    return registrable_lvvs(user).filter(pk=lvv.pk).exists()


def may_change_stays(user: User) -> bool:
    """Whether the user's role changes stays at all (which ones: those in `stay_filter`)."""
    return _active(user) and user.role in CASE_ROLES


def can_change_stay(user: User, stay: Stay) -> bool:
    return may_change_stays(user) and Stay.objects.filter(stay_filter(user), pk=stay.pk).exists()


def role_categories(user: User, action: str = VIEW) -> set[str]:
    """The categories the user's role allows for `action`, before consent."""
    rule = rule_for(user)
    return {cat for cat, actions in (rule.categories or {}).items() if action in actions}


def consented_categories(person_id, party: str) -> set[str]:
    return set(
        ConsentState.objects.filter(person_id=person_id, party=party, given=True).values_list(
            "category", flat=True
        )
    )


def visible_categories(user: User, person_id, action: str = VIEW) -> set[str]:
    """The categories of this person's data the user may see (or change/export). Assumes the
    person is reachable for the user (the gate checks that first)."""
    rule = rule_for(user)
    allowed = role_categories(user, action)
    if rule.scope == Scope.CONSENT:
        # A consent rule names its party; without one, nothing is consented to.
        allowed &= consented_categories(person_id, rule.party) if rule.party else set()
    return allowed


def visible_categories_bulk(user: User, person_ids, action: str = VIEW) -> dict[Any, set[str]]:
    """`visible_categories` of many persons at once, with at most one query (the consent state of
    all of them): the same rule, for lists. Assumes the persons are reachable (the gate checks)."""
    rule = rule_for(user)
    allowed = role_categories(user, action)
    ids = list(dict.fromkeys(person_ids))
    if rule.scope != Scope.CONSENT:
        return {pid: set(allowed) for pid in ids}
    consented: dict[Any, set[str]] = {pid: set() for pid in ids}
    if ids and allowed:
        for pid, category in ConsentState.objects.filter(
            person_id__in=ids, party=rule.party, given=True
        ).values_list("person_id", "category"):
            consented[pid].add(category)
    return {pid: allowed & consented[pid] for pid in ids}


def can_export_caseload(user: User) -> bool:
    return bool(role_categories(user, EXPORT))


def can_see_aggregates(user: User) -> bool:
    return rule_for(user).aggregates


def can_research_export(user: User) -> bool:
    return rule_for(user).research_export


def can_view_access_log(user: User) -> bool:
    return rule_for(user).access_log


def can_configure(user: User) -> bool:
    return rule_for(user).configuration or bool(_active(user) and user.is_superuser)


def can_record_consent(user: User) -> bool:
    return _active(user) and user.role in CASE_ROLES


def needs_two_factor_for_rule(rule: RoleRule) -> bool:
    return rule.two_factor or rule.scope != Scope.NONE


def needs_two_factor(user: User) -> bool:
    """Every role that can see person data, the access log or per-person exports."""
    if not _active(user):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return rule_for(user).two_factor or can_see_persons(user)
