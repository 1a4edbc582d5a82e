"""The national duplicate check ("shopping"): is the person being registered already known in any
LVV?

Blocking first, scoring second, in ONE query however large the register (ADR 0053, ADR 0080):
1. exact V-number (indexed column);
2. phonetic keys of every name part (`NameKey`, a derived table of this app: index on key,
   country, birth year): any person or alias sharing a key with any name part of the person,
   restricted in the index to the same or an unknown country and a birth year within one year (or
   unknown), as the scoring would anyway; the persons sharing the most keys first, at most
   KEY_CAP of them;
3. the exact family name, case-insensitive, on persons and aliases without keys (functional indexes person_family_lower / alias_family_lower):
   persons whose keys are not built yet (a bulk load) are still found as before.
(ADR 0053's birth-year/country block is gone: hundreds of rows per check, and on the benchmark's
probes it found nobody the keys did not.)
The candidates come back with their own names and their aliases' names in the same query and are
scored with rapidfuzz in vectorised `cdist` calls (token sort ratio, and token set ratio when
both names have two parts or more; on the written and on the romanisation-folded names), every
name of either side against every name of the other."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from lvv.registry.models import Person, PersonAlias

NAME_THRESHOLD = 85  # token-set ratio (0-100) from which two names are considered alike
KEY_CAP = 200  # at most this many persons from the name-key block (most shared keys first)
NAME_CAP = 1000  # ... from the exact family-name block


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
    from rapidfuzz import fuzz  # imported on first use: every `lvv` command loads this module

    if not a or not b:
        return 0.0
    score = fuzz.token_sort_ratio(a, b)
    if min(a.count(" "), b.count(" ")) >= 1:
        score = max(score, fuzz.token_set_ratio(a, b))
    return score


# Phonetic keys ----------------------------------------------------------------------------------

# Particles that say little about who someone is; they get no key of their own.
_PARTICLES = "al el ul abu abou bin ben ibn bint ould ag de da di du dos das van der den le la y"
PARTICLES = frozenset(_PARTICLES.split(" "))
# Romanisations of the same sound, folded before vowels are dropped (order matters: digraphs
# first). 'ch' is read as the French 'sh' (Chaaban / Shaaban, Cherif / Sherif).
_FOLDS = (
    ("sch", "s"), ("sh", "s"), ("ch", "s"), ("kh", "h"), ("gh", "g"), ("ph", "f"), ("dj", "j"),
    ("dh", "d"), ("th", "t"), ("ck", "k"), ("q", "k"), ("c", "k"), ("x", "ks"), ("z", "s"),
    ("w", "v"),
)  # fmt: skip
_DROP = str.maketrans("", "", "aeiouyh")
_REPEAT = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def phonetic_key(token: str) -> str:
    """A consonant skeleton of one normalised name part that survives the usual variation in
    romanisation and vowel typos: Mohammed, Mohamed, Muhammad -> 'md'; Hussein, Husain,
    Hossein -> 'hsn'. The first letter stays (any vowel as 'a'); later vowels and 'h' go; doubled
    letters count once. Empty for particles and parts of one letter."""
    if len(token) < 2 or token in PARTICLES:
        return ""
    for old, new in _FOLDS:
        if old in token:
            token = token.replace(old, new)
    head = "a" if token[0] in "aeiouy" else token[0]
    key = _REPEAT.sub(r"\1", head + token[1:].translate(_DROP))
    return key[:16]


_VOWELS = str.maketrans("oeyu", "uiiu")


@lru_cache(maxsize=200_000)
def fold_name(name: str) -> str:
    """A normalised name with romanisation folded but vowels kept apart (o/u, e/i/y, a), for
    scoring: 'mohammed hussein' and 'muhammad husain' -> 'muhamid husin' / 'muhamad husain'
    score 89 where the written forms score 77, while 'hassan' and 'hussein' stay apart."""
    out = []
    for token in name.split():
        for old, new in _FOLDS:
            if old in token:
                token = token.replace(old, new)
        out.append(_REPEAT.sub(r"\1", token.translate(_VOWELS)))
    return " ".join(out)


def name_keys(names: Iterable[str]) -> set[str]:
    """The keys of every part of the given normalised names."""
    return {k for name in names for part in name.split() if (k := phonetic_key(part))}


# The derived table ------------------------------------------------------------------------------


def _key_rows(people: Iterable[tuple], aliases: dict) -> list:
    from lvv.workflow.models import NameKey

    rows = []
    for pk, given, family, birth_year, country in people:
        names = [_full(given, family), *(_full(g, f) for g, f in aliases.get(pk, ()))]
        for code in sorted(name_keys(names)):
            rows.append(
                NameKey(person_id=pk, code=code, birth_year=birth_year, country=country or "")
            )
    return rows


_PERSON_FIELDS = ("pk", "given_names", "family_name", "birth_year", "country")


def name_keys_refresh(person_ids: Iterable[uuid.UUID]) -> None:
    """Rebuild the name keys of these persons from their current columns and aliases. Writers
    that bypass `Model.save` (bulk imports, restores) call this, or `name_keys_rebuild`."""
    from lvv.workflow.models import NameKey

    ids = list(person_ids)
    if not ids:
        return
    aliases: dict = {}
    for pk, given, family in PersonAlias.objects.filter(person_id__in=ids).values_list(
        "person_id", "given_names", "family_name"
    ):
        aliases.setdefault(pk, []).append((given, family))
    people = Person.objects.filter(pk__in=ids).order_by().values_list(*_PERSON_FIELDS)
    with transaction.atomic():
        NameKey.objects.filter(person_id__in=ids).delete()
        NameKey.objects.bulk_create(_key_rows(people, aliases), batch_size=2000)


def name_keys_rebuild(*, batch: int = 20_000) -> int:
    """Rebuild the whole table from the persons and aliases (after a bulk load); returns the rows
    written."""
    from lvv.workflow.models import NameKey

    written = 0
    with transaction.atomic():
        NameKey.objects.all().delete()
        aliases: dict = {}
        for pk, given, family in PersonAlias.objects.values_list(
            "person_id", "given_names", "family_name"
        ).iterator(chunk_size=batch):
            aliases.setdefault(pk, []).append((given, family))
        people = Person.objects.order_by().values_list(*_PERSON_FIELDS).iterator(chunk_size=batch)
        chunk: list[tuple] = []
        for row in people:
            chunk.append(row)
            if len(chunk) == batch:
                written += len(NameKey.objects.bulk_create(_key_rows(chunk, aliases), 5000))
                chunk = []
        written += len(NameKey.objects.bulk_create(_key_rows(chunk, aliases), 5000))
    return written


def name_keys_stale() -> bool:
    """True when persons with a name exist but no key at all (a bulk load or restore without a
    rebuild); two cheap EXISTS queries."""
    from lvv.workflow.models import NameKey

    if NameKey.objects.exists():
        return False
    return Person.objects.exclude(given_names="", family_name="").exists()


@receiver(post_save, sender=Person, dispatch_uid="workflow.name_keys_person")
def _person_saved(sender, instance: Person, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or (created and not (instance.given_names or instance.family_name)):
        return  # a fixture, or the empty row person_create starts with
    name_keys_refresh([instance.pk])


@receiver(post_save, sender=PersonAlias, dispatch_uid="workflow.name_keys_alias_saved")
@receiver(post_delete, sender=PersonAlias, dispatch_uid="workflow.name_keys_alias_deleted")
def _alias_changed(sender, instance: PersonAlias, raw: bool = False, **kwargs) -> None:
    if not raw:
        name_keys_refresh([instance.person_id])


# The check --------------------------------------------------------------------------------------


@dataclass
class Match:
    """A person record that may be the same human being, with why."""

    person_id: uuid.UUID
    score: int
    reasons: list[str] = field(default_factory=list)


def _in(values: Sequence) -> str:
    return ", ".join(["%s"] * len(values))


def _candidate_sql(
    *, v_number: str, keys: Sequence[str], lowered: Sequence[str], birth_year, country: str
) -> tuple[str, list]:
    """The one query: candidate ids from every block (each an indexed look-up with its own cap),
    then their rows and their aliases' rows."""
    from lvv.workflow.models import NameKey

    q = connection.ops.quote_name
    person, alias, key = (q(m._meta.db_table) for m in (Person, PersonAlias, NameKey))
    blocks: list[str] = []
    params: list = []
    if v_number:
        blocks.append(f"SELECT id FROM {person} WHERE v_number = %s")  # noqa: S608 (quoted table names, values as parameters)
        params.append(v_number)
    year_ok = "(birth_year BETWEEN %s AND %s OR birth_year IS NULL)"
    years = [birth_year - 1, birth_year + 1] if birth_year else []
    if keys:
        where = [f"code IN ({_in(keys)})"]
        params.extend(keys)
        if country:
            where.append("country IN (%s, '')")
            params.append(country)
        if birth_year:
            where.append(year_ok)
            params.extend(years)
        blocks.append(
            f"SELECT person_id FROM (SELECT person_id FROM {key} WHERE {' AND '.join(where)}"  # noqa: S608 (quoted table names, values as parameters)
            f" GROUP BY person_id ORDER BY COUNT(*) DESC, person_id LIMIT {KEY_CAP}) k"
        )
    if lowered:
        where, extra = [f"LOWER(family_name) IN ({_in(lowered)})"], list(lowered)
        if country:
            where.append("country IN (%s, '')")
            extra.append(country)
        if birth_year:
            where.append(year_ok)
            extra.extend(years)
        # Only persons without keys: the others are in the key block already.
        keyless = f"NOT EXISTS (SELECT 1 FROM {key} n WHERE n.person_id = {{}})"  # noqa: S608
        blocks.append(
            f"SELECT id FROM (SELECT id FROM {person} p WHERE {' AND '.join(where)}"  # noqa: S608 (quoted table names, values as parameters)
            f" AND {keyless.format('p.id')} ORDER BY id LIMIT {NAME_CAP}) f"
        )
        params.extend(extra)
        blocks.append(
            f"SELECT person_id FROM (SELECT person_id FROM {alias} a"  # noqa: S608 (quoted table names, values as parameters)
            f" WHERE LOWER(family_name) IN ({_in(lowered)}) AND {keyless.format('a.person_id')}"
            f" ORDER BY person_id LIMIT {NAME_CAP}) a"
        )
        params.extend(lowered)
    sql = (
        f"WITH cand(id) AS ({' UNION '.join(blocks)}) "  # noqa: S608 (quoted table names, values as parameters)
        f"SELECT id, 0, given_names, family_name, birth_year, country, v_number FROM {person}"
        f" WHERE id IN (SELECT id FROM cand) "
        f"UNION ALL SELECT person_id, 1, given_names, family_name, NULL, NULL, NULL FROM {alias}"
        f" WHERE person_id IN (SELECT id FROM cand)"
    )
    return sql, params


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


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
    One query, whatever the size of the register.

    Reasons are codes: 'v_number', 'name', 'alias', 'birth_year', 'country'. This function does
    not check who asks: callers show the result only through
    lvv.workflow.services.duplicate_check_on_registration, which reveals no file."""
    names = [n for n in (_full(given_names, family_name), *(_full(g, f) for g, f in aliases)) if n]
    # Exact whole family names, for persons without keys (the keys also cover swapped names; the
    # given name is left out here: a common one would scan thousands of rows for nothing).
    lowered = sorted(
        {(family_name or "").lower(), *((f or "").lower() for _g, f in aliases)} - {""}
    )
    keys = sorted(name_keys(names))
    if not (v_number or keys or lowered):
        return []
    sql, params = _candidate_sql(
        v_number=v_number, keys=keys, lowered=lowered, birth_year=birth_year, country=country
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()

    exclude = uuid.UUID(str(exclude_person)) if exclude_person is not None else None
    found: dict = {}  # driver's id -> Match
    persons: dict = {}  # driver's id -> (given, family, birth year, country)
    alias_rows: list[tuple] = []
    # Ids stay as the driver returns them (a hex string on SQLite); only matches become UUIDs.
    skip = {exclude, exclude.hex, str(exclude)} if exclude is not None else set()
    for pk, is_alias, given, family, by, ctry, vnr in rows:
        if pk in skip:
            continue
        if is_alias:
            alias_rows.append((pk, given, family))
            continue
        persons[pk] = (given, family, by, ctry)
        if v_number and vnr == v_number:
            found[pk] = Match(_uuid(pk), 100, ["v_number"])
    if not names or not persons:
        return sorted(found.values(), key=lambda m: -m.score)

    import numpy as np  # imported on first use: every `lvv` command (the monitor too) loads
    from rapidfuzz import fuzz, process  # this module, and these cost 0.2 s to import

    # Every name of every admissible candidate (own name first, then aliases) against every name
    # of the person, in one vectorised rapidfuzz call per scorer. A known, different country or a
    # birth year more than one year apart rules a name match out.
    order = [
        pk
        for pk, (_g, _f, by, ctry) in persons.items()
        if not (country and ctry and ctry != country)
        and not (birth_year and by is not None and abs(by - birth_year) > 1)
    ]
    index = {pk: n for n, pk in enumerate(order)}
    choices = [_full(persons[pk][0], persons[pk][1]) for pk in order]
    owner = list(range(len(order)))
    is_alias_choice = [False] * len(order)
    for pk, given, family in alias_rows:
        if pk in index:
            choices.append(_full(given, family))
            owner.append(index[pk])
            is_alias_choice.append(True)
    if not choices:
        return sorted(found.values(), key=lambda m: -m.score)
    # The written forms and the folded forms (fold_name): the better of the two counts.
    multi = np.array([" " in q for q in names])[:, None] & np.array([" " in c for c in choices])

    def name_scores(query: list[str], choice: list[str]) -> np.ndarray:
        sort_scores = process.cdist(query, choice, scorer=fuzz.token_sort_ratio, processor=None)
        set_scores = process.cdist(query, choice, scorer=fuzz.token_set_ratio, processor=None)
        return np.where(multi, np.maximum(sort_scores, set_scores), sort_scores)

    scores = np.maximum(
        name_scores(names, choices),
        name_scores([fold_name(n) for n in names], [fold_name(c) for c in choices]),
    )
    best_query = scores.argmax(axis=0)
    best_score = scores.max(axis=0)
    best: dict[int, tuple[float, bool]] = {}
    for ci in np.nonzero(best_score >= NAME_THRESHOLD)[0].tolist():
        n, score = owner[ci], float(best_score[ci])
        via_alias = is_alias_choice[ci] or best_query[ci] > 0
        if n not in best or score > best[n][0]:
            best[n] = (score, bool(via_alias))
    for n, (score, via_alias) in best.items():
        pk = order[n]
        _g, _f, by, ctry = persons[pk]
        reasons = ["alias" if via_alias else "name"]
        if birth_year and by:
            reasons.append("birth_year")
        if country and ctry == country:
            reasons.append("country")
        match = found.get(pk)
        if match is None:
            found[pk] = Match(_uuid(pk), int(score), reasons)
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
