"""Consent services and selectors: record and withdraw consent, read the current consent.

Consent is per participant (person), per party (IND, DT&V, AVIM, medical) and per data category.
Every decision is an append-only `ConsentEvent`; the current state (`ConsentState`) is rebuilt from
the events in the same transaction, so a withdrawal takes effect at once for every later request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from lvv.access.models import ConsentEvent, ConsentState, DataCategory, Party
from lvv.accounts.models import User
from lvv.registry.models import Person, Policy, Stay

# What a participant can consent to per party: the categories that party's role could ever see.
CONSENTABLE: dict[str, tuple[str, ...]] = {
    Party.IND: (
        DataCategory.IDENTITY,
        DataCategory.STAY,
        DataCategory.TRAJECTORY,
        DataCategory.LEGAL,
        DataCategory.DOCUMENTS,
        DataCategory.IND,
    ),
    Party.DTV: (
        DataCategory.IDENTITY,
        DataCategory.STAY,
        DataCategory.TRAJECTORY,
        DataCategory.DOCUMENTS,
    ),
    Party.AVIM: (DataCategory.IDENTITY, DataCategory.STAY, DataCategory.DOCUMENTS),
    Party.MEDICAL: (DataCategory.IDENTITY, DataCategory.STAY, DataCategory.MEDICAL),
}


class ConsentError(ValueError):
    """Consent that cannot be recorded as asked (the message says what to fix)."""


def _check(party: str, categories: Iterable[str]) -> list[str]:
    if party not in Party.values:
        raise ConsentError(f"Onbekende partij: {party!r}.")
    cats = list(dict.fromkeys(categories))
    if not cats:
        raise ConsentError("Kies ten minste één gegevenscategorie.")
    wrong = [c for c in cats if c not in CONSENTABLE[party]]
    if wrong:
        raise ConsentError(
            f"Voor {Party(party).label} kan geen toestemming worden gegeven voor: {', '.join(wrong)}."
        )
    return cats


def _rebuild(person: Person, party: str, category: str) -> ConsentState | None:
    last = (
        ConsentEvent.objects.filter(person=person, party=party, category=category)
        .order_by("-recorded_at", "-id")
        .first()
    )
    if last is None:
        ConsentState.objects.filter(person=person, party=party, category=category).delete()
        return None
    state, _ = ConsentState.objects.update_or_create(
        person=person,
        party=party,
        category=category,
        defaults={"given": last.action == ConsentEvent.Action.GIVEN, "since": last.recorded_at},
    )
    return state


def _record(
    *,
    person: Person,
    party: str,
    categories: Iterable[str],
    action: str,
    method: str,
    by: User | None,
    note: str = "",
    at=None,
) -> list[ConsentEvent]:
    cats = _check(party, categories)
    if method not in ConsentEvent.Method.values:
        raise ConsentError(f"Onbekende manier van vastleggen: {method!r}.")
    at = at or timezone.now()
    events = []
    for category in cats:
        events.append(
            ConsentEvent.objects.create(
                person=person,
                party=party,
                category=category,
                action=action,
                method=method,
                note=note,
                recorded_at=at,
                recorded_by=by if getattr(by, "pk", None) else None,
                organisation=getattr(by, "organisation", None),
            )
        )
        _rebuild(person, party, category)
    return events


@transaction.atomic
def consent_give(
    *,
    person: Person,
    party: str,
    categories: Iterable[str],
    method: str,
    by: User | None,
    note: str = "",
    at=None,
) -> list[ConsentEvent]:
    """Record that the participant consents to sharing these categories with this party."""
    return _record(
        person=person,
        party=party,
        categories=categories,
        action=ConsentEvent.Action.GIVEN,
        method=method,
        by=by,
        note=note,
        at=at,
    )


@transaction.atomic
def consent_withdraw(
    *,
    person: Person,
    party: str,
    categories: Iterable[str] | None = None,
    method: str = ConsentEvent.Method.VERBAL,
    by: User | None,
    note: str = "",
    at=None,
) -> list[ConsentEvent]:
    """Record a withdrawal; it takes effect at once. Without categories: every category that is
    currently given for this party."""
    if categories is None:
        categories = list(
            ConsentState.objects.filter(person=person, party=party, given=True).values_list(
                "category", flat=True
            )
        )
        if not categories:
            return []
    return _record(
        person=person,
        party=party,
        categories=categories,
        action=ConsentEvent.Action.WITHDRAWN,
        method=method,
        by=by,
        note=note,
        at=at,
    )


@dataclass(frozen=True)
class ConsentRow:
    party: str
    party_label: str
    category: str
    category_label: str
    given: bool
    since: object


# The (party, label, category, label) of every consentable pair, per language: a per-process
# constant (the labels are lazy translations, rebuilt on every str()).
_CONSENTABLE_LABELS: dict[str, tuple[tuple[str, str, str, str], ...]] = {}


def _consentable_labels() -> tuple[tuple[str, str, str, str], ...]:
    language = get_language() or ""
    labels = _CONSENTABLE_LABELS.get(language)
    if labels is None:
        labels = tuple(
            (party, str(Party(party).label), cat, str(DataCategory(cat).label))
            for party, cats in CONSENTABLE.items()
            for cat in cats
        )
        _CONSENTABLE_LABELS[language] = labels
    return labels


def consent_overview(person: Person) -> list[ConsentRow]:
    """One row per consentable (party, category), with the current consent (one query)."""
    states = {
        (party, category): (given, since)
        for party, category, given, since in ConsentState.objects.filter(person=person).values_list(
            "party", "category", "given", "since"
        )
    }
    rows = []
    for party, party_label, cat, cat_label in _consentable_labels():
        given, since = states.get((party, cat), (False, None))
        rows.append(
            ConsentRow(
                party=party,
                party_label=party_label,
                category=cat,
                category_label=cat_label,
                given=bool(given),
                since=since,
            )
        )
    return rows


def consent_history(person: Person):
    return (
        ConsentEvent.objects.filter(person=person)
        .select_related("recorded_by", "organisation")
        .order_by("-recorded_at", "-id")
    )


def consent_mode_for(stay: Stay | None) -> str:
    """The LVV's consent mode (at intake, or asked separately later; DOMAIN.md section 8)."""
    if stay is None:
        return Policy.ConsentMode.AT_INTAKE
    policy = Policy.objects.filter(lvv_id=stay.lvv_id).only("consent_mode").first()
    return policy.consent_mode if policy else Policy.ConsentMode.AT_INTAKE


def default_method_for(stay: Stay | None) -> str:
    return method_for_mode(consent_mode_for(stay))


def method_for_mode(mode: str) -> str:
    """The consent form's default method in an LVV with this consent mode."""
    if mode == Policy.ConsentMode.SEPARATE:
        return ConsentEvent.Method.SEPARATE_FORM
    return ConsentEvent.Method.PARTICIPATION_FORM


def latest_consent_mode(person: Person) -> str:
    """`consent_mode_for` the person's latest registered stay (as the consent panel picks it), in
    one query: the stay and its LVV's policy joined."""
    modes = list(
        person.stays.order_by("-registration_date").values_list(
            "lvv__policy__consent_mode", flat=True
        )[:1]
    )
    return (modes[0] if modes else None) or Policy.ConsentMode.AT_INTAKE
