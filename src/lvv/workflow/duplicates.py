"""The national duplicate check ("shopping"): is the person being registered already known in any
LVV?

Blocking first, scoring second, so a check costs a few indexed queries however large the register:
1. exact V-number (indexed column);
2. birth year within one year, same country when both are known (index person_dup_block);
3. without a birth year: the same family name, case-insensitive, on persons and aliases
   (functional indexes person_family_lower / alias_family_lower).
Only the persons in those blocks are scored with rapidfuzz (token-sort/set ratio on the normalised
full names, every name of either side against every alias of the other)."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Lower
from rapidfuzz import fuzz

from lvv.registry.models import Person, PersonAlias

NAME_THRESHOLD = 85  # token-set ratio (0-100) from which two names are considered alike
MAX_BLOCK = 5000  # safety valve: a block this large is scored on family name only


def normalise_name(value: str) -> str:
    """'  Traoré-Diallo ' -> 'traore diallo': no diacritics, no punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in stripped.lower())
    return " ".join(cleaned.split())


def _full(given: str, family: str) -> str:
    return normalise_name(f"{given} {family}")


def name_score(a: str, b: str) -> float:
    """Similarity of two normalised names (0-100), order-insensitive. A name contained in a longer
    one counts only when it has two parts or more ('ali' is not 'ahmed ali')."""
    if not a or not b:
        return 0.0
    score = fuzz.token_sort_ratio(a, b)
    if min(a.count(" "), b.count(" ")) >= 1:
        score = max(score, fuzz.token_set_ratio(a, b))
    return score


@dataclass
class Match:
    """A person record that may be the same human being, with why."""

    person_id: uuid.UUID
    score: int
    reasons: list[str] = field(default_factory=list)


def duplicates_find(
    *,
    given_names: str,
    family_name: str,
    aliases: Sequence[tuple[str, str]] = (),
    birth_year: int | None,
    country: str,
    v_number: str,
    exclude_person: uuid.UUID | str | None = None,
) -> list[Match]:
    """Every person in the national register (all LVVs) that may be this person, best first.

    Reasons are codes: 'v_number', 'name', 'alias', 'birth_year', 'country'. This function does
    not check who asks: callers show the result only through
    lvv.workflow.services.duplicate_check_on_registration, which reveals no file."""
    names = [n for n in (_full(given_names, family_name), *(_full(g, f) for g, f in aliases)) if n]
    found: dict[uuid.UUID, Match] = {}

    if v_number:
        for pk in Person.objects.filter(v_number=v_number).values_list("pk", flat=True):
            found[pk] = Match(pk, 100, ["v_number"])

    # Same family name (or alias family name), case-insensitive: catches persons whose birth year
    # is unknown on one side. The given names count too: given and family names are often swapped.
    lowered = {
        (family_name or "").lower(),
        (given_names or "").lower(),
        *((f or "").lower() for _g, f in aliases),
    } - {""}
    by_family = Q(
        pk__in=Person.objects.annotate(lf=Lower("family_name")).filter(lf__in=lowered).values("pk")
    ) | Q(
        pk__in=PersonAlias.objects.annotate(lf=Lower("family_name"))
        .filter(lf__in=lowered)
        .values("person_id")
    )
    if birth_year:
        block = Q(birth_year__gte=birth_year - 1, birth_year__lte=birth_year + 1)
        if country:
            block &= Q(country=country) | Q(country="")
        block |= by_family & Q(birth_year__isnull=True)
    else:
        block = by_family
    if not lowered and not birth_year:
        block = Q(pk__in=[])
    candidates = list(
        Person.objects.filter(block).values_list(
            "pk", "given_names", "family_name", "birth_year", "country"
        )[: MAX_BLOCK + 1]
    )
    if exclude_person is not None:
        exclude = uuid.UUID(str(exclude_person))
        candidates = [c for c in candidates if c[0] != exclude]
        found.pop(exclude, None)
    if not names or not candidates:
        return sorted(found.values(), key=lambda m: -m.score)

    alias_rows: dict[uuid.UUID, list[str]] = {}
    for person_id, given, family in PersonAlias.objects.filter(
        person_id__in=[c[0] for c in candidates]
    ).values_list("person_id", "given_names", "family_name"):
        alias_rows.setdefault(person_id, []).append(_full(given, family))

    for pk, given, family, by, ctry in candidates:
        if country and ctry and ctry != country:
            continue
        own = _full(given, family)
        best, via_alias = 0.0, False
        for query in names:
            score = name_score(query, own)
            if score > best:
                best, via_alias = score, query != names[0]
            for alias in alias_rows.get(pk, ()):
                score = name_score(query, alias)
                if score > best:
                    best, via_alias = score, True
        if best < NAME_THRESHOLD:
            continue
        reasons = ["alias" if via_alias else "name"]
        if birth_year and by:
            reasons.append("birth_year")
        if country and ctry == country:
            reasons.append("country")
        match = found.get(pk)
        if match is None:
            found[pk] = Match(pk, int(best), reasons)
        else:
            match.reasons.extend(r for r in reasons if r not in match.reasons)
    return sorted(found.values(), key=lambda m: (-m.score, -len(m.reasons)))


REASON_LABELS = {
    "v_number": "zelfde V-nummer",
    "name": "naam lijkt sterk",
    "alias": "naam lijkt op een alias",
    "birth_year": "geboortejaar (±1) gelijk",
    "country": "zelfde land van herkomst",
}


def reason_labels(reasons: Iterable[str]) -> list[str]:
    return [REASON_LABELS.get(r, r) for r in reasons]
