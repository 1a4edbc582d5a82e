"""The national duplicate check ("shopping"): is the person being registered already known in any
LVV?

Blocking first, scoring second, so a check costs a few indexed queries however large the register:
1. exact V-number (indexed column);
2. birth year within one year and the same country, when both are known (index
   person_dup_block);
3. the same family name (or a given name, for swapped names), case-insensitive, on persons and
   aliases (functional indexes person_family_lower / alias_family_lower): this block finds
   persons whose birth year or country is unknown on either side.
Only the persons in those blocks are scored with rapidfuzz (token-sort/set ratio on the normalised
full names, every name of either side against every alias of the other)."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models.functions import Lower
from rapidfuzz import fuzz, process

from lvv.registry.models import Person, PersonAlias

NAME_THRESHOLD = 85  # token-set ratio (0-100) from which two names are considered alike
MAX_BLOCK = 5000  # safety valve: a block this large is scored on family name only


_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=200_000)
def normalise_name(value: str) -> str:
    """'  Traoré-Diallo ' -> 'traore diallo': no diacritics, no punctuation, single spaces.
    Cached: the same names come back in every block."""
    if value.isascii():
        return _NON_ALNUM.sub(" ", value.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in stripped.lower())
    return " ".join(cleaned.split())


def _full(given: str, family: str) -> str:
    return normalise_name(f"{given or ''} {family or ''}")


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
        for pk in Person.objects.filter(v_number=v_number).order_by().values_list("pk", flat=True):
            found[pk] = Match(pk, 100, ["v_number"])

    # Each block is its own indexed query (an OR across them would defeat the indexes).
    fields = ("pk", "given_names", "family_name", "birth_year", "country")
    in_block: dict[uuid.UUID, tuple] = {}
    if birth_year and country:
        # Birth year within one year and the same country (or an unknown country).
        block = Person.objects.filter(
            birth_year__gte=birth_year - 1,
            birth_year__lte=birth_year + 1,
            country__in=[country, ""],
        )
        for row in block.order_by().values_list(*fields)[:MAX_BLOCK]:
            in_block[row[0]] = row
    # Same family name (or alias family name), case-insensitive; the given names count too, as
    # given and family names are often swapped. Catches persons whose birth year or country is
    # unknown on either side (a misspelt family name is then found only through the V-number).
    lowered = {
        (family_name or "").lower(),
        (given_names or "").lower(),
        *((f or "").lower() for _g, f in aliases),
    } - {""}
    if lowered:
        by_name = set(
            Person.objects.annotate(lf=Lower("family_name"))
            .filter(lf__in=lowered)
            .order_by()
            .values_list("pk", flat=True)[:MAX_BLOCK]
        ) | set(
            PersonAlias.objects.annotate(lf=Lower("family_name"))
            .filter(lf__in=lowered)
            .values_list("person_id", flat=True)[:MAX_BLOCK]
        )
        by_name -= set(in_block)
        if by_name:
            rows = Person.objects.filter(pk__in=list(by_name)).order_by().values_list(*fields)
            for row in rows:
                if birth_year and row[3] is not None and abs(row[3] - birth_year) > 1:
                    continue  # a known, different birth year: not this person
                in_block[row[0]] = row
    candidates = list(in_block.values())
    if exclude_person is not None:
        exclude = uuid.UUID(str(exclude_person))
        candidates = [c for c in candidates if c[0] != exclude]
        found.pop(exclude, None)
    if not names or not candidates:
        return sorted(found.values(), key=lambda m: -m.score)

    candidates = [c for c in candidates if not (country and c[4] and c[4] != country)]
    # Every name of every candidate (own name first, then aliases), scored against every name of
    # the person in one vectorised rapidfuzz call per scorer.
    choices: list[str] = []
    owner: list[int] = []
    is_alias: list[bool] = []
    index = {c[0]: n for n, c in enumerate(candidates)}
    for n, c in enumerate(candidates):
        choices.append(_full(c[1], c[2]))
        owner.append(n)
        is_alias.append(False)
    if candidates:
        for person_id, given, family in (
            PersonAlias.objects.filter(person_id__in=list(index))
            .order_by()
            .values_list("person_id", "given_names", "family_name")
        ):
            choices.append(_full(given, family))
            owner.append(index[person_id])
            is_alias.append(True)
    if not choices:
        return sorted(found.values(), key=lambda m: -m.score)
    sort_scores = process.cdist(names, choices, scorer=fuzz.token_sort_ratio, processor=None)
    set_scores = process.cdist(names, choices, scorer=fuzz.token_set_ratio, processor=None)
    multi_query = [" " in q for q in names]
    multi_choice = [" " in c for c in choices]
    best: dict[int, tuple[float, bool]] = {}
    for qi in range(len(names)):
        for ci in range(len(choices)):
            score = float(sort_scores[qi][ci])
            if multi_query[qi] and multi_choice[ci]:
                score = max(score, float(set_scores[qi][ci]))
            if score < NAME_THRESHOLD:
                continue
            n = owner[ci]
            via_alias = is_alias[ci] or qi > 0
            if n not in best or score > best[n][0]:
                best[n] = (score, via_alias)
    for n, (score, via_alias) in best.items():
        pk, _given, _family, by, ctry = candidates[n]
        reasons = ["alias" if via_alias else "name"]
        if birth_year and by:
            reasons.append("birth_year")
        if country and ctry == country:
            reasons.append("country")
        match = found.get(pk)
        if match is None:
            found[pk] = Match(pk, int(score), reasons)
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
