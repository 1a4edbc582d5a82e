"""The monitor's figures (CONTRACTS.md sections 3-4), computed from events in one pass.

How it works, and why it is fast enough at national scale:
1. `collect` reads only the needed event kinds, unsorted, through `MONITOR_DATABASE_ALIAS` in two
   queries (stay events, person events; unused data keys removed in SQL), groups and orders the rows
   per stay in Python and folds each stay once: a specialised fold for stays and persons without
   voids, the register's own `lvv.registry.history.stay_state` / `person_state` for the rest, kept
   equal by `tests/test_fold_property.py` (ADR 38), so the monitor can never disagree with the case
   file about what was true on the peildatum.
2. `stay_cells` says, for one stay and one scheme, which cells of the JSON it counts in
   (`"occupancy"`, `"outflow_by_type.return"`, `"background.gender.male"`, ...). The figures are
   counts of those cells; a drill-down list is the stays carrying one cell; the reconciliation
   compares the cells of one stay under both schemes.
3. A `Tally` counts how many admitted stays carry each distinct value of each part of the cells,
   per LVV and target group; `monitor_compute` turns it into the contract document. Without
   `--as-registered-on` it reads the tally straight from the stay and person projection in one
   query, without per-stay facts (ADR 76, ADR 90); `collect` (above) serves the cut-off, the web
   pages, drill-down and reconciliation, and `document_from_facts` counts its facts the same way.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import hashlib
import json
import math
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from operator import itemgetter
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import Max, Min

from lvv.registry.countries import STATELESS, all_countries
from lvv.registry.history import PERSON_DATE_FIELDS, PersonState, _date, person_state, stay_state
from lvv.registry.models import LVV, CapacityRecord, Event, EventKind, Person, Stay, StayStatus
from lvv.registry.taxonomy import (
    MONITOR_OUTFLOW_BUCKET,
    MONITOR_OUTFLOW_KEYS,
    OUTFLOW_CLASS,
    FollowUp,
    Gender,
    OutflowType,
    Scenario,
    TargetGroup,
)

EVALUATION = "evaluation"
PROGRAMME = "programme"
SCHEMES = (EVALUATION, PROGRAMME)

SCENARIO_KEYS = (
    "legalisation",
    "return",
    "onward_migration",
    "not_yet_determined",
    "medical_stabilisation",
    "not_discussed_in_lso",
)
CLASS_KEYS = ("durable", "semi_durable", "non_durable")
GENDER_KEYS = ("male", "female", "unknown")
AGE_BANDS = ("0-17", "18-25", "26-35", "36-45", "46-55", "56-65", "66+", "unknown")
REGION_KEYS = (
    "sub_saharan_africa",
    "middle_east",
    "asia",
    "north_africa",
    "latin_america",
    "europe_non_eu",
    "eu",
    "other",
    "stateless",
    "unknown",
)
TOP_COUNTRIES = 10
WAITING_LIST = "waiting_list"  # the cell of a stay on the waiting list on the peildatum (ADR 102)

# The programme scheme's rules (CONTRACTS.md section 3); the reconciliation names them.
RULE_ONWARD_AS_RETURN = "onward_migration_as_return"
RULE_MEDICAL_AS_NOT_YET_DETERMINED = "medical_stabilisation_as_not_yet_determined"
RULE_NOT_DISCUSSED_IN_LSO = "not_discussed_in_lso"
RULE_DETENTION_FORCED_DEPARTURE = "detention_forced_departure_as_return"
RULES = (
    RULE_ONWARD_AS_RETURN,
    RULE_MEDICAL_AS_NOT_YET_DETERMINED,
    RULE_NOT_DISCUSSED_IN_LSO,
    RULE_DETENTION_FORCED_DEPARTURE,
)

# Event kinds the figures depend on; the others (location, organisation, extension) change
# nothing the monitor reports, so they are not read. The waiting list and the refusal decide who
# is on the waiting list on the peildatum (ADR 102); their data is never read.
STAY_KINDS = (
    EventKind.STAY_REGISTERED,
    EventKind.STAY_DETAILS_CORRECTED,
    EventKind.STAY_WAITLISTED,
    EventKind.STAY_REFUSED,
    EventKind.STAY_ADMITTED,
    EventKind.SCENARIO_SET,
    EventKind.OUTFLOW_REGISTERED,
    EventKind.FOLLOW_UP_REGISTERED,
    EventKind.EVENT_VOIDED,
)
PERSON_KINDS = (EventKind.PERSON_RECORDED, EventKind.PERSON_CORRECTED, EventKind.EVENT_VOIDED)
CHUNK = 10_000


class MonitorInputError(ValueError):
    """Input the monitor cannot compute figures for; the message says what to fix."""


def monitor_alias() -> str:
    return getattr(settings, "MONITOR_DATABASE_ALIAS", "default")


def round_half_away(value: Fraction | None, places: int = 1) -> float | None:
    """Round half away from zero (CONTRACTS.md section 3), exactly: 37.75 -> 37.8, -0.25 -> -0.3."""
    if value is None:
        return None
    scale = 10**places
    scaled = Fraction(value) * scale
    magnitude = math.floor(abs(scaled) + Fraction(1, 2))
    return math.copysign(magnitude, scaled) / scale if magnitude else 0.0


def age_band(age: int | None) -> str:
    if age is None:
        return "unknown"
    if age <= 17:
        return "0-17"
    for upper, band in ((25, "18-25"), (35, "26-35"), (45, "36-45"), (55, "46-55"), (65, "56-65")):
        if age <= upper:
            return band
    return "66+"


def region_key(country: str) -> str:
    if not country:
        return "unknown"
    found = all_countries().get(country)
    return found.region if found else "other"


# Folding events -----------------------------------------------------------------------------------


_NO_DATA_NEEDED = frozenset(
    {
        EventKind.STAY_ADMITTED,
        EventKind.STAY_WAITLISTED,
        EventKind.STAY_REFUSED,
        EventKind.EVENT_VOIDED,
    }
)
_EMPTY: dict = {}


class _Ev:
    """An event row as `history` needs it, without building model instances.

    The row comes from `_event_rows`: (owner, id, kind, valid_on, recorded_at, data,
    supersedes_id) with dates and JSON as the driver returns them. `recorded_at` is only compared
    with other rows of the same query (record order), so it stays as the driver gives it: on SQLite
    the stored text, which sorts like the moment it encodes."""

    __slots__ = ("data", "id", "kind", "recorded_at", "supersedes_id", "valid_on")

    def __init__(self, row: tuple, decode) -> None:
        _, self.id, self.kind, valid_on, self.recorded_at, data, self.supersedes_id = row
        self.valid_on = dt.date.fromisoformat(valid_on) if isinstance(valid_on, str) else valid_on
        # The fold never reads the data of an admission, a waiting list, a refusal or a void
        # (and the query leaves it out).
        self.data = _EMPTY if data is None else decode(data)


def _json_decoder() -> Callable[[str | bytes | dict[str, Any] | None], dict[str, Any]]:
    """`json.loads`, remembered per text: most events of one kind carry the same few payloads
    (a scenario and whether it was discussed, an outflow type). The fold only reads the result."""
    seen: dict = {}

    def decode(data):
        if data is None:
            return _EMPTY
        if not isinstance(data, str | bytes):
            return data  # a driver that already decoded it
        found = seen.get(data)
        if found is None:
            found = json.loads(data)
            if len(data) < 200 and len(seen) < 10_000:
                seen[data] = found
        return found

    return decode


@dataclass(slots=True)
class StayFacts:
    """One stay as the register knew it at `known_at`, at the end of the peildatum.

    `stay_key` and `person_key` are the ids as read (32 hex digits on SQLite; on PostgreSQL text
    from the projection, a UUID from the fold of `--as-registered-on`); `stay_id` and `person_id`
    make UUIDs of them when asked (the figures never ask: 200,000 UUIDs cost more than counting
    the cells, ADR 76)."""

    stay_key: Any
    person_key: Any
    lvv_id: int
    target_group: str
    admission_date: dt.date | None
    outflow_date: dt.date | None
    outflow_type: str
    follow_up: str
    follow_up_date: dt.date | None
    scenario: str
    discussed_in_lso: bool
    # On the waiting list on the peildatum (ADR 102): then `admission_date` is None and the stay
    # counts only in `waiting_list`.
    waiting: bool = False

    @property
    def stay_id(self) -> uuid.UUID:
        return _as_uuid(self.stay_key)

    @property
    def person_id(self) -> uuid.UUID:
        return _as_uuid(self.person_key)


@dataclass(slots=True)
class PersonFacts:
    gender: str
    birth_year: int | None
    country: str
    first_ind_application_date: dt.date | None


_UNKNOWN_PERSON = PersonFacts("unknown", None, "", None)


@dataclass
class Facts:
    """Everything the monitor needs for one peildatum and registration cut-off."""

    peildatum: dt.date
    known_at: dt.datetime | None
    lvvs: dict[int, LVV]
    stays: list[StayFacts]  # admitted on the peildatum, or on its waiting list (`waiting`)
    persons: dict[Any, PersonFacts]  # by `StayFacts.person_key`
    capacity: dict[int, list[tuple[dt.date, int]]] = field(default_factory=dict)

    def person(self, stay: StayFacts) -> PersonFacts | None:
        return self.persons.get(stay.person_key)

    def capacity_on(self, lvv_id: int, on: dt.date) -> int | None:
        return _capacity_on(self.capacity, lvv_id, on)


def _capacity_on(
    capacity: dict[int, list[tuple[dt.date, int]]], lvv_id: int, on: dt.date
) -> int | None:
    """The latest capacity row dated on or before `on` (rows come sorted and deduplicated)."""
    places = None
    for valid_from, value in capacity.get(lvv_id, ()):
        if valid_from > on:
            break
        places = value
    return places


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _grouped(rows: Iterable[tuple]) -> Iterator[tuple[Any, list[tuple], bool]]:
    """The rows per owner (first column, a raw id), in owner order, each group in record order,
    and whether the group holds a void.

    The query does not sort (sorting half a million rows in the database cost more than the rest
    of the monitor); rows are gathered per owner here and put in record order, (recorded_at, id),
    as `ORDER BY owner, recorded_at, id` would."""
    owners: dict[Any, list[tuple]] = {}
    voided: set = set()
    for row in rows:
        found = owners.get(row[0])
        if found is None:
            owners[row[0]] = [row]
        else:
            found.append(row)
        if row[2] == _VOIDED:
            voided.add(row[0])
    for key in sorted(owners):  # owner order, as the database would sort the raw ids
        group = owners[key]
        if len(group) > 1:
            group.sort(key=_record_order)
        yield key, group, key in voided


def _day(value: Any) -> dt.date | None:
    """A `valid_on` as the driver gives it (text on SQLite) as a date."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


_VOIDED = EventKind.EVENT_VOIDED
_REGISTERED = EventKind.STAY_REGISTERED
_DETAILS = EventKind.STAY_DETAILS_CORRECTED
_ADMITTED = EventKind.STAY_ADMITTED
_WAITLISTED = EventKind.STAY_WAITLISTED
_REFUSED = EventKind.STAY_REFUSED
_SCENARIO = EventKind.SCENARIO_SET
_OUTFLOW = EventKind.OUTFLOW_REGISTERED
_FOLLOW_UP = EventKind.FOLLOW_UP_REGISTERED
_PERSON_DATA_KINDS = (EventKind.PERSON_RECORDED, EventKind.PERSON_CORRECTED)
_PERSON_ATTRS = frozenset(f.name for f in dataclasses.fields(PersonState))


def _fold_stay(group: list[tuple], on: dt.date, decode) -> tuple:
    """`stay_state(events, on=on)` for the fields the monitor uses, for a stay WITHOUT voids whose
    rows are in record order: (target_group, admission_date, outflow_date, outflow_type,
    follow_up, follow_up_date, scenario, discussed_in_lso, waiting). Only the events that hold
    are decoded. `waiting` is the register's status "waiting" on `on`: a waiting list that holds
    while no refusal, admission or outflow does (ADR 102).
    Kept equal to the register's fold by `tests/test_fold_property.py`."""
    latest: dict[str, tuple] = {}
    scenario_row = None
    scenario_on = None
    for row in group:
        kind = row[2]
        if kind == _SCENARIO:
            valid_on = _day(row[3])
            # Series: the latest valid_on on or before `on`, ties to the latest recorded.
            if valid_on is None or valid_on > on:
                continue
            if scenario_on is None or valid_on >= scenario_on:
                scenario_row, scenario_on = row, valid_on
        else:
            latest[kind] = row  # single-valued: the latest recorded holds

    def holds(kind: str) -> tuple[tuple, dt.date | None] | None:
        row = latest.get(kind)
        if row is None:
            return None
        valid_on = _day(row[3])
        if valid_on is not None and valid_on > on:
            return None
        return row, valid_on

    target_group = TargetGroup.CONVENANT
    if (registered := latest.get(_REGISTERED)) is not None:
        target_group = decode(registered[5]).get("target_group", TargetGroup.CONVENANT)
    if (corrected := latest.get(_DETAILS)) is not None:
        details = decode(corrected[5])
        if "target_group" in details:
            target_group = details["target_group"]
    admitted = holds(_ADMITTED)
    scenario, discussed = Scenario.NOT_YET_DETERMINED, True
    if scenario_row is not None:
        data = decode(scenario_row[5])
        scenario, discussed = data["scenario"], data.get("discussed_in_lso", True)
    outflow_date, outflow_type, follow_up, follow_up_date = None, "", "", None
    if (out := holds(_OUTFLOW)) is not None:
        outflow_date = out[1]
        outflow_type = decode(out[0][5])["outflow_type"]
        follow = latest.get(_FOLLOW_UP)
        # An outflow always has a date (`stay_register_outflow` requires one); not checked here.
        if follow is not None and (_day(follow[3]) or outflow_date) <= on:  # type: ignore[operator]
            follow_up = decode(follow[5])["follow_up"]
            follow_up_date = _day(follow[3])
    waiting = (
        admitted is None
        and out is None
        and holds(_WAITLISTED) is not None
        and holds(_REFUSED) is None
    )
    return (
        target_group,
        admitted[1] if admitted is not None else None,
        outflow_date,
        outflow_type,
        follow_up,
        follow_up_date,
        scenario,
        discussed,
        waiting,
    )


def _fold_stay_general(group: list[tuple], on: dt.date, decode) -> tuple:
    """The same tuple from the register's own fold (stays with voids)."""
    s = stay_state([_Ev(row, decode) for row in group], on=on)
    return (
        s.target_group,
        s.admission_date,
        s.outflow_date,
        s.outflow_type,
        s.follow_up,
        s.follow_up_date,
        s.scenario,
        s.scenario_discussed_in_lso,
        s.status == "waiting",
    )


def _fold_person(group: list[tuple], decode) -> PersonFacts:
    """`person_state` reduced to what the monitor uses, for a person WITHOUT voids whose rows are
    in record order: every recorded or corrected attribute overwrites the earlier one."""
    values: dict[str, Any] = {}
    for row in group:
        if row[2] not in _PERSON_DATA_KINDS:
            continue
        for attr, value in decode(row[5]).items():
            if attr in _PERSON_ATTRS:
                values[attr] = _date(value) if attr in PERSON_DATE_FIELDS else value
    return _person_facts(
        values.get("gender", Gender.UNKNOWN),
        values.get("birth_year"),
        values.get("birth_date"),
        values.get("country", ""),
        values.get("first_ind_application_date"),
    )


def _person_facts(gender, birth_year, birth_date, country, first_application) -> PersonFacts:
    return PersonFacts(
        gender=gender or "unknown",
        birth_year=_birth_year(birth_year, birth_date),
        country=country or "",
        first_ind_application_date=first_application,
    )


def _birth_year(birth_year: int | None, birth_date: Any) -> int | None:
    """The recorded birth year, else the year of the birth date (a date, or text on SQLite)."""
    # A non-empty birth date gives a date (`_day` returns None only for None); not checked here.
    birth_year = birth_year or (_day(birth_date).year if birth_date else None)  # type: ignore[union-attr]
    return int(birth_year) if birth_year else None


def _record_order(row: tuple) -> tuple:
    return (row[4], row[1])


# Keys of event data the monitor's figures never read (the folds ignore them too).
_UNUSED_KEYS_STAY = ("correspondence_number", "reported_municipality")
_UNUSED_KEYS_PERSON = ("v_number", "given_names", "family_name", "ind_status")


def _event_rows(
    alias: str,
    *,
    for_stays: bool,
    kinds: Iterable[str],
    known_at: dt.datetime | None,
    lvv_ids: list[int] | None = None,
    later_than: dt.date | None = None,
) -> Iterator[tuple]:
    """(owner, id, kind, valid_on, recorded_at, data, supersedes_id) of the events of `kinds`,
    owner = stay_id (for_stays) or person_id, straight from the driver, streamed, unsorted.

    Hand-written SQL because Django's per-value conversion (UUIDs, dates, aware datetimes, JSON)
    costs more than the fold at national scale. On SQLite the dates are read as text (an
    expression has no declared type, so the driver's date converters do not run); `data` is only
    read for the kinds whose data the fold uses."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    table = qn(Event._meta.db_table)
    owner = qn("stay_id" if for_stays else "person_id")
    kinds = list(kinds)
    data_kinds = [k for k in kinds if k not in _NO_DATA_NEEDED]
    # Keys the monitor never uses are left out of `data` in the database: the rest is the same
    # few payloads again and again (decoded once, see `_json_decoder`), and no names are read.
    unused = _UNUSED_KEYS_STAY if for_stays else _UNUSED_KEYS_PERSON
    if connection.vendor == "sqlite":
        valid_on, recorded_at = "valid_on || ''", "recorded_at || ''"
        data = f"json_remove(data, {', '.join(['%s'] * len(unused))})"
        data_params = [f"$.{key}" for key in unused]
    else:
        valid_on, recorded_at = "valid_on", "recorded_at"
        data = "data" + " - %s::text" * len(unused)
        data_params = list(unused)
    data_cases = ", ".join(["%s"] * len(data_kinds))
    # Only quoted names and placeholders are put in the text; every value is a parameter.
    sql = (
        f"SELECT {owner}, id, kind, {valid_on}, {recorded_at}, "  # noqa: S608
        f"CASE WHEN kind IN ({data_cases}) THEN {data} END, supersedes_id "
        f"FROM {table} WHERE {qn('stay_id')} IS {'NOT ' if for_stays else ''}NULL "
        f"AND kind IN ({', '.join(['%s'] * len(kinds))})"
    )
    params: list[Any] = [*data_kinds, *data_params, *kinds]
    if known_at is not None:
        sql += " AND recorded_at <= %s"
        params.append(connection.ops.adapt_datetimefield_value(known_at))
    if lvv_ids is not None or later_than is not None:
        stays = qn(Stay._meta.db_table)
        where: list[str] = []
        where_params: list[Any] = []
        if lvv_ids is not None:
            where.append(f"lvv_id IN ({', '.join(['%s'] * len(lvv_ids)) or 'NULL'})")
            where_params += lvv_ids
        if later_than is not None:
            # Only the stays the projection cannot answer for (see `_from_projection`).
            listed, listed_params = _in_monitor(connection, later_than)
            day = connection.ops.adapt_datefield_value(later_than)
            where.append(f"{listed} AND last_valid_on > %s")
            where_params += [*listed_params, day]
        sql += f" AND {owner} IN (SELECT id FROM {stays} WHERE {' AND '.join(where)})"  # noqa: S608
        params += where_params
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


def _in_monitor(connection, peildatum: dt.date, stay: str = "") -> tuple[str, list[Any]]:
    """The SQL condition (and its parameters) on a row of the stay table (`stay`: its alias and a
    dot, or nothing) for the stays the monitor may count on the peildatum: admitted by then in the
    projection, or with a waiting-list event valid by then (ADR 102). A superset: the projection,
    or for stays with an event valid after the peildatum their fold, decides."""
    qn = connection.ops.quote_name
    day = connection.ops.adapt_datefield_value(peildatum)
    waitlisted = (
        f"SELECT w.stay_id FROM {qn(Event._meta.db_table)} AS w "  # noqa: S608
        "WHERE w.kind = %s AND (w.valid_on <= %s OR w.valid_on IS NULL)"
    )
    return (
        f"({stay}admission_date <= %s OR {stay}id IN ({waitlisted}))",
        [day, EventKind.STAY_WAITLISTED, day],
    )


def _raw_rows(queryset, alias: str) -> Iterator[tuple]:
    """The rows of a `values_list` queryset as the database driver returns them, streamed."""
    sql, params = queryset.query.get_compiler(using=alias).as_sql()
    with connections[alias].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


def earliest_date(*, using: str | None = None) -> dt.date | None:
    """The first day any LVV existed: the earliest start date, else the earliest capacity row or
    admission (of the stay projection: no index on events by kind, ADR 0109)."""
    alias = using or monitor_alias()
    found = LVV.objects.using(alias).aggregate(m=Min("start_date"))["m"]
    if found is None:
        found = CapacityRecord.objects.using(alias).aggregate(m=Min("valid_from"))["m"]
    if found is None:
        found = Stay.objects.using(alias).aggregate(m=Min("admission_date"))["m"]
    return found


def collect(
    *,
    peildatum: dt.date,
    known_at: dt.datetime | None = None,
    lvv_names: Iterable[str] | None = None,
    using: str | None = None,
) -> Facts:
    with gc_paused():
        return _collect(peildatum=peildatum, known_at=known_at, lvv_names=lvv_names, using=using)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Hundreds of thousands of small objects are made and kept while collecting and counting;
    Python's cyclic garbage collector would walk them all again and again (none of them forms a
    cycle). Restored afterwards, also after an error."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _collect(
    *,
    peildatum: dt.date,
    known_at: dt.datetime | None,
    lvv_names: Iterable[str] | None,
    using: str | None,
) -> Facts:
    alias = using or monitor_alias()
    lvvs = _lvvs(alias, lvv_names)
    scoped = lvv_names is not None
    if known_at is None:
        stays, persons = _from_projection(
            alias, peildatum=peildatum, lvv_ids=list(lvvs) if scoped else None
        )
    else:
        stays, persons = _folded(
            alias, peildatum=peildatum, known_at=known_at, lvvs=lvvs, scoped=scoped
        )
    return Facts(
        peildatum=peildatum,
        known_at=known_at,
        lvvs=lvvs,
        stays=stays,
        persons=persons,
        capacity=_capacity(alias, lvvs=lvvs, known_at=known_at),
    )


def _lvvs(alias: str, lvv_names: Iterable[str] | None) -> dict[int, LVV]:
    lvv_qs = LVV.objects.using(alias).select_related("policy")
    if lvv_names is not None:
        lvv_qs = lvv_qs.filter(name__in=list(lvv_names))
    return {lvv.pk: lvv for lvv in lvv_qs}


class _Days(dict):
    """Text (SQLite) -> date, remembered per distinct day (a few thousand at most): `days[text]`.
    None, and dates a driver already gives, map to themselves."""

    def __missing__(self, value):
        day = dt.date.fromisoformat(value) if isinstance(value, str) else value
        self[value] = day
        return day


def _from_projection(
    alias: str, *, peildatum: dt.date, lvv_ids: list[int] | None
) -> tuple[list[StayFacts], dict[Any, PersonFacts]]:
    """The stays admitted on the peildatum or on its waiting list (ADR 102) and their persons,
    without `--as-registered-on` (ADR 76).

    The Stay and Person columns are the register's fold of ALL their events
    (`registry.services.stay_rebuild` / `person_rebuild`, the import likewise). Person attributes
    do not depend on a date, so the Person columns are the monitor's person facts. A stay's state
    on the peildatum equals its columns when none of its events is valid after the peildatum
    (`last_valid_on`, see `lvv.registry.history`); only the other stays are folded from their
    events. A stay whose (latest recorded) admission is missing or after the peildatum is not
    admitted on the peildatum whatever else happened, and one without a waiting-list event valid
    by then is not on the waiting list: unless it is either, it is left out in SQL."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    stay_t, person_t = qn(Stay._meta.db_table), qn(Person._meta.db_table)
    day = connection.ops.adapt_datefield_value(peildatum)
    # On SQLite `col || ''` has no declared type, so the driver's converters do not run; dates
    # are parsed once per distinct day below. Every value is a parameter.
    text = "{} || ''" if connection.vendor == "sqlite" else "{}"

    def d(column: str) -> str:
        return text.format(column)

    # SQLite would pick the (lvv, admission_date) index and look up 100,000 rows one by one:
    # more than twice the time of reading the table straight through.
    scan = " NOT INDEXED" if connection.vendor == "sqlite" else ""
    where, where_params = _in_monitor(connection, peildatum)
    if lvv_ids is not None:
        where += f" AND lvv_id IN ({', '.join(['%s'] * len(lvv_ids)) or 'NULL'})"
        where_params += lvv_ids
    # Ids as text on PostgreSQL too: the driver would make 200,000 UUID objects, and a text key
    # hashes once where a UUID hashes in Python at every dictionary lookup.
    ident = "{}::text" if connection.vendor == "postgresql" else "{}"
    stay_sql = (
        f"SELECT {ident.format('id')}, lvv_id, {ident.format('person_id')}, target_group, "  # noqa: S608
        f"{d('admission_date')}, {d('outflow_date')}, outflow_type, follow_up, "
        f"{d('follow_up_date')}, scenario, scenario_discussed_in_lso, last_valid_on > %s, "
        f"admission_date <= %s, status = %s FROM {stay_t}{scan} WHERE {where}"
    )
    # Two plain reads are cheaper than a join that looks up each stay's person by id; with an
    # LVV selection only the persons of its stays are read.
    person_sql = (
        f"SELECT {ident.format('id')}, gender, birth_year, {d('birth_date')}, country, "  # noqa: S608
        f"{d('first_ind_application_date')} FROM {person_t}"
    )
    person_params: list[Any] = []
    if lvv_ids is not None:
        person_sql += f" WHERE id IN (SELECT person_id FROM {stay_t} WHERE {where})"  # noqa: S608
        person_params = where_params
    with connection.cursor() as cursor:
        cursor.execute(stay_sql, [day, day, StayStatus.WAITING, *where_params])
        rows = cursor.fetchall()
        cursor.execute(person_sql, person_params)
        person_rows = {row[0]: row for row in cursor.fetchall()}
    rows.sort(key=_first)  # stay order, as the fold path gives them

    # The stays with an event valid after the peildatum: their own events, folded.
    later = any(row[11] for row in rows)
    folded = _fold_later(alias, peildatum=peildatum, lvv_ids=lvv_ids) if later else {}

    parse = _Days()
    stays: list[StayFacts] = []
    persons: dict[Any, PersonFacts] = {}
    for row in rows:
        stay_key, lvv_id, person_key = row[0], row[1], row[2]
        if row[11]:
            found = folded.get(stay_key)
            if found is None or (found[1] is None and not found[8]):
                continue  # neither admitted nor waiting on the peildatum after all
            stays.append(StayFacts(stay_key, person_key, lvv_id, *found))
        elif not (row[12] or row[13]):
            continue  # a waiting list by then, but refused (or never waiting) by then
        else:
            stays.append(
                StayFacts(
                    stay_key,
                    person_key,
                    lvv_id,
                    row[3],  # target group
                    parse[row[4]],  # admission
                    parse[row[5]],  # outflow
                    row[6],  # outflow type
                    row[7],  # follow-up
                    parse[row[8]],  # follow-up date
                    row[9],  # scenario
                    bool(row[10]),  # discussed in the LSO
                    bool(row[13]),  # on the waiting list
                )
            )
        if person_key not in persons:
            _, gender, birth_year, birth_date, country, first = person_rows[person_key]
            persons[person_key] = _person_facts(
                gender, birth_year, parse[birth_date], country, parse[first]
            )
    return stays, persons


def _first(row: tuple) -> Any:
    return row[0]


def _fold_later(alias: str, *, peildatum: dt.date, lvv_ids: list[int] | None) -> dict[Any, tuple]:
    """The stays the monitor may count on the peildatum (`_in_monitor`) that have an event valid
    after it (`last_valid_on`), folded from their own events on the peildatum: the tuple of
    `_fold_stay` by stay id as the projection queries read it (text on PostgreSQL)."""
    folded: dict[Any, tuple] = {}
    decode = _json_decoder()
    for raw_stay_id, group, has_voids in _grouped(
        _event_rows(
            alias,
            for_stays=True,
            kinds=STAY_KINDS,
            known_at=None,
            lvv_ids=lvv_ids,
            later_than=peildatum,
        )
    ):
        fold = _fold_stay_general if has_voids else _fold_stay
        key = str(raw_stay_id) if isinstance(raw_stay_id, uuid.UUID) else raw_stay_id
        folded[key] = fold(group, peildatum, decode)
    return folded


def _folded(
    alias: str,
    *,
    peildatum: dt.date,
    known_at: dt.datetime | None,
    lvvs: dict[int, LVV],
    scoped: bool,
) -> tuple[list[StayFacts], dict[Any, PersonFacts]]:
    """The stays admitted on the peildatum or on its waiting list and their persons, folded from
    the events recorded by `known_at` (`--as-registered-on`: the stored columns hold what is
    known now)."""

    # Keyed by the raw database value of the id, as the event rows below carry it.
    stay_home = {
        sid: (lvv_id, pid)
        for sid, lvv_id, pid in _raw_rows(
            Stay.objects.filter(**({"lvv_id__in": list(lvvs)} if scoped else {})).values_list(
                "id", "lvv_id", "person_id"
            ),
            alias,
        )
    }

    # `known_at` is applied in the query; the fold is the register's own.
    rows = _event_rows(
        alias,
        for_stays=True,
        kinds=STAY_KINDS,
        known_at=known_at,
        lvv_ids=list(lvvs) if scoped else None,
    )
    stays: list[StayFacts] = []
    wanted: set = set()  # raw person ids of these stays
    decode = _json_decoder()
    for raw_stay_id, group, has_voids in _grouped(rows):
        home = stay_home.get(raw_stay_id)
        if home is None or home[0] not in lvvs:
            continue
        fold = _fold_stay_general if has_voids else _fold_stay
        (
            target_group,
            admission_date,
            outflow_date,
            outflow_type,
            follow_up,
            follow_up_date,
            scenario,
            discussed,
            waiting,
        ) = fold(group, peildatum, decode)
        if admission_date is None and not waiting:
            continue  # neither admitted nor waiting on the peildatum: counts nowhere
        wanted.add(home[1])
        stays.append(
            StayFacts(
                stay_key=raw_stay_id,
                person_key=home[1],
                lvv_id=home[0],
                target_group=target_group,
                admission_date=admission_date,
                outflow_date=outflow_date,
                outflow_type=outflow_type,
                follow_up=follow_up,
                follow_up_date=follow_up_date,
                scenario=scenario,
                discussed_in_lso=discussed,
                waiting=waiting,
            )
        )

    persons: dict[Any, PersonFacts] = {}
    # Only persons of these stays are kept (checked per row below, not as a list in the SQL).
    person_rows = _event_rows(alias, for_stays=False, kinds=PERSON_KINDS, known_at=known_at)
    for raw_person_id, group, has_voids in _grouped(person_rows):
        if raw_person_id not in wanted:
            continue
        if has_voids:
            p = person_state([_Ev(row, decode) for row in group])
            facts = _person_facts(
                p.gender, p.birth_year, p.birth_date, p.country, p.first_ind_application_date
            )
        else:
            facts = _fold_person(group, decode)
        persons[raw_person_id] = facts
    return stays, persons


def _capacity(
    alias: str, *, lvvs: dict[int, LVV], known_at: dt.datetime | None
) -> dict[int, list[tuple[dt.date, int]]]:
    capacity_rows = CapacityRecord.objects.using(alias).filter(lvv_id__in=list(lvvs))
    if known_at is not None:
        capacity_rows = capacity_rows.filter(recorded_at__lte=known_at)
    capacity: dict[int, list[tuple[dt.date, int]]] = {}
    # Same rule as lvv.registry.selectors.capacity_on: per date the last recorded row holds.
    for lvv_id, valid_from, places in capacity_rows.order_by(
        "lvv_id", "valid_from", "recorded_at", "id"
    ).values_list("lvv_id", "valid_from", "places"):
        series = capacity.setdefault(lvv_id, [])
        if series and series[-1][0] == valid_from:
            series[-1] = (valid_from, places)
        else:
            series.append((valid_from, places))
    return capacity


def collect_cached(
    *,
    peildatum: dt.date,
    known_at: dt.datetime | None = None,
    lvv_names: Iterable[str] | None = None,
    timeout: int = 600,
) -> Facts:
    """`collect`, remembered in Django's cache for the web pages (a user paging through tables,
    charts and downloads of one peildatum). The key includes the newest event, capacity row and
    LVV, so anything recorded since gives a fresh computation; events are append-only."""
    alias = monitor_alias()
    marks = (
        Event.objects.using(alias).aggregate(m=Max("id"), t=Max("recorded_at")),
        CapacityRecord.objects.using(alias).aggregate(m=Max("id"), t=Max("recorded_at")),
        LVV.objects.using(alias).aggregate(m=Max("id")),
    )
    scope = ",".join(sorted(lvv_names)) if lvv_names is not None else "*"
    raw = f"{alias}|{peildatum}|{known_at.isoformat() if known_at else ''}|{scope}|{marks}"
    key = "monitor-facts:" + hashlib.sha256(raw.encode()).hexdigest()
    facts = cache.get(key)
    if facts is None:
        facts = collect(peildatum=peildatum, known_at=known_at, lvv_names=lvv_names)
        cache.set(key, facts, timeout)
    return facts


# Classifying one stay -----------------------------------------------------------------------------


class Status(NamedTuple):
    """What the status cells of an admitted stay read (`_status_cells`): whether it is current on
    the peildatum (no outflow by then), its scenario and whether that was discussed in the LSO,
    its outflow type and follow-up. `scenario_cell` and `outflow_cells` read the same names from
    a `StayFacts` or a `Status`."""

    current: bool
    scenario: str
    discussed_in_lso: bool
    outflow_type: str
    follow_up: str


def scenario_cell(stay: StayFacts | Status, scheme: str) -> tuple[str, str | None]:
    """The `current_by_scenario` key of a current participant, and the programme rule applied."""
    if scheme == PROGRAMME:
        if not stay.discussed_in_lso:
            return "not_discussed_in_lso", RULE_NOT_DISCUSSED_IN_LSO
        if stay.scenario == Scenario.ONWARD_MIGRATION:
            return "return", RULE_ONWARD_AS_RETURN
        if stay.scenario == Scenario.MEDICAL_STABILISATION:
            return "not_yet_determined", RULE_MEDICAL_AS_NOT_YET_DETERMINED
    return stay.scenario, None


def outflow_cells(stay: StayFacts | Status, scheme: str) -> tuple[str, str, str | None]:
    """The `outflow_by_type` and `outflow_by_class` keys of an outflow, and the rule applied."""
    if scheme == PROGRAMME:
        if stay.outflow_type == OutflowType.ONWARD_MIGRATION:
            return "return", "durable", RULE_ONWARD_AS_RETURN
        # `stay_state(on=peildatum)` only holds a follow-up that happened by then (a follow-up
        # without a date counts from the outflow date).
        if (
            stay.outflow_type == OutflowType.IMMIGRATION_DETENTION
            and stay.follow_up == FollowUp.FORCED_DEPARTURE
        ):
            return "return", "durable", RULE_DETENTION_FORCED_DEPARTURE
    return (
        MONITOR_OUTFLOW_BUCKET[stay.outflow_type],
        str(OUTFLOW_CLASS[stay.outflow_type]),
        None,
    )


def stay_cells(
    stay: StayFacts, person: PersonFacts | None, *, peildatum: dt.date, scheme: str
) -> list[str]:
    """The cells of the monitor JSON this stay counts in (`waiting_list` only, for a stay on the
    waiting list; empty when neither in the intake nor on the waiting list)."""
    if stay.admission_date is None:
        return [WAITING_LIST] if stay.waiting else []
    return _status_cells(_status_of(stay), scheme) + _background_cells(
        person or _UNKNOWN_PERSON, peildatum=peildatum
    )


def _status_of(stay: StayFacts) -> Status:
    return Status(
        stay.outflow_date is None,
        stay.scenario,
        stay.discussed_in_lso,
        stay.outflow_type,
        stay.follow_up,
    )


def _status_cells(status: Status, scheme: str) -> list[str]:
    """The cells of an admitted stay that depend on its status (and the scheme) only."""
    cells = ["intake_total"]
    if status.current:
        cells.append("occupancy")
        cells.append("current_by_scenario." + scenario_cell(status, scheme)[0])
    else:
        type_key, class_key, _rule = outflow_cells(status, scheme)
        cells += ["outflow_total", "outflow_by_type." + type_key, "outflow_by_class." + class_key]
    return cells


def _background_cells(person: PersonFacts, *, peildatum: dt.date) -> list[str]:
    """The cells that depend on the person only."""
    return [
        _gender_cell(person.gender),
        _age_cell(person.birth_year, peildatum),
        *_country_cells(person.country),
    ]


def _gender_cell(gender: str) -> str:
    return "background.gender." + (gender if gender in GENDER_KEYS else "unknown")


def _age_cell(birth_year: int | None, peildatum: dt.date) -> str:
    return "background.age_bands." + age_band(peildatum.year - birth_year if birth_year else None)


def _country_cells(country: str) -> list[str]:
    cells = ["background.region." + region_key(country)]
    if country and country != STATELESS:
        cells.append("background.country." + country)
    return cells


# Counting the parts of the cells --------------------------------------------------------------------

# `stay_cells` is a sum of parts that each read a few attributes: the stay's `Status`, the
# person's gender, birth year and country; the mean waiting time reads the days from the first
# IND application to the admission. A `Tally` counts, per LVV and target group, how many admitted
# stays carry each distinct value of each part (ADR 76, ADR 90); the document classifies each
# distinct value once (`_status_cells`, `_gender_cell`, ...) and adds it as often as it occurs:
# the same counts as adding up `stay_cells` stay by stay.
#
# A tally is counted from rows of one admitted stay each, in this column order (`Tally.count`):
# lvv_id, target_group, current, scenario, discussed_in_lso, outflow_type, follow_up, gender,
# birth_year, birth_date, country, days from the first IND application to the admission (None
# without that date). `_from_stays` makes them from facts; `_tally_projection` reads them. The
# stays on the waiting list count only there: one (lvv_id, target_group) each (ADR 102).
_STATUS_PART = itemgetter(0, 1, 2, 3, 4, 5, 6)
_GENDER_PART = itemgetter(0, 1, 7)
_BIRTH_PART = itemgetter(0, 1, 8, 9)
_COUNTRY_PART = itemgetter(0, 1, 10)
_DAYS_PART = itemgetter(0, 1, 11)
# In `_tally_projection`'s rows: an event valid after the peildatum; admitted by the peildatum in
# the projection; on the waiting list in the projection.
_LATER = itemgetter(12)
_ADMITTED_NOW = itemgetter(13)


@dataclass
class Tally:
    """Admitted stays per (lvv_id, target_group, value) of each part; the days summed and counted
    per (lvv_id, target_group) over the stays whose person has a first IND application date; the
    stays on the waiting list per (lvv_id, target_group)."""

    statuses: Counter = field(default_factory=Counter)
    genders: Counter = field(default_factory=Counter)
    birth_years: Counter = field(default_factory=Counter)
    countries: Counter = field(default_factory=Counter)
    days_sum: Counter = field(default_factory=Counter)
    days_n: Counter = field(default_factory=Counter)
    waiting: Counter = field(default_factory=Counter)

    @classmethod
    def count(cls, rows: list[tuple], waiting: Iterable[tuple[int, str]] = ()) -> Tally:
        """Counted with the C-level tools (Counter over map), then each distinct value put in the
        form the facts give it (booleans, `gender or "unknown"`, the birth year from the birth
        date when only that is known, `country or ""`), so a tally read from the database and one
        made from facts compare equal."""
        tally = cls()
        statuses = Counter(map(_STATUS_PART, rows))
        for (
            lvv_id,
            group,
            current,
            scenario,
            discussed,
            outflow_type,
            follow_up,
        ), n in statuses.items():
            status = Status(bool(current), scenario, bool(discussed), outflow_type, follow_up)
            tally.statuses[lvv_id, group, status] += n
        for (lvv_id, group, gender), n in Counter(map(_GENDER_PART, rows)).items():
            tally.genders[lvv_id, group, gender or "unknown"] += n
        for (lvv_id, group, year, date), n in Counter(map(_BIRTH_PART, rows)).items():
            tally.birth_years[lvv_id, group, _birth_year(year, date)] += n
        for (lvv_id, group, country), n in Counter(map(_COUNTRY_PART, rows)).items():
            tally.countries[lvv_id, group, country or ""] += n
        days_sum, days_n = tally.days_sum, tally.days_n
        for lvv_id, group, days in map(_DAYS_PART, rows):
            if days is not None:
                days_sum[lvv_id, group] += days
                days_n[lvv_id, group] += 1
        tally.waiting.update(waiting)
        return tally

    def update(self, other: Tally) -> None:
        for name in (
            "statuses",
            "genders",
            "birth_years",
            "countries",
            "days_sum",
            "days_n",
            "waiting",
        ):
            getattr(self, name).update(getattr(other, name))


def tally_facts(facts: Facts) -> Tally:
    return _tally_stays((stay, facts.person(stay)) for stay in facts.stays)


def _tally_stays(stays: Iterable[tuple[StayFacts, PersonFacts | None]]) -> Tally:
    """The tally of (stay, its person): the admitted stays' rows (see `Tally.count`) and the
    stays on the waiting list."""
    rows = []
    waiting = []
    for stay, person in stays:
        if stay.admission_date is None:
            if stay.waiting:
                waiting.append((stay.lvv_id, stay.target_group))
            continue
        person = person or _UNKNOWN_PERSON
        first = person.first_ind_application_date
        rows.append(
            (
                stay.lvv_id,
                stay.target_group,
                stay.outflow_date is None,
                stay.scenario,
                stay.discussed_in_lso,
                stay.outflow_type,
                stay.follow_up,
                person.gender,
                person.birth_year,
                None,  # the birth year is already taken from the birth date
                person.country,
                None if first is None else (stay.admission_date - first).days,
            )
        )
    return Tally.count(rows, waiting)


def _tally_projection(alias: str, *, peildatum: dt.date, lvv_ids: list[int] | None) -> Tally:
    """The tally of the stays admitted on the peildatum or on its waiting list, without
    `--as-registered-on`: what `tally_facts(collect(peildatum=...))` gives, without making facts
    (ADR 90).

    One query reads the tally columns of every stay the monitor may count (`_in_monitor`: admitted
    by the peildatum in the projection, or with a waiting-list event valid by then, ADR 102),
    joined with its person's (ADR 76: the stored columns are the fold of all events, the person's
    need no date). The stays with an event valid after the peildatum are marked by the query and
    counted from their own events instead, as `_from_projection` does."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    stay_t, person_t = qn(Stay._meta.db_table), qn(Person._meta.db_table)
    day = connection.ops.adapt_datefield_value(peildatum)
    if connection.vendor == "sqlite":
        # Whole days between two dates stored as text; the planner would otherwise walk the
        # (lvv, admission_date) index and look up 100,000 rows one by one (see `_from_projection`).
        days = (
            "CAST(julianday(s.admission_date) - julianday(p.first_ind_application_date) AS INTEGER)"
        )
        scan = " NOT INDEXED"
    else:
        days = "s.admission_date - p.first_ind_application_date"
        scan = ""
    in_lvvs, lvv_params = _in_lvvs(lvv_ids)
    listed, listed_params = _in_monitor(connection, peildatum, "s.")
    params: list[Any] = [day, day, StayStatus.WAITING, *listed_params, *lvv_params]
    # A LEFT JOIN: a stay without its person row would count as a person with nothing known, as
    # `Facts.person` returning None does.
    sql = (
        "SELECT s.lvv_id, s.target_group, s.outflow_date IS NULL, s.scenario, "  # noqa: S608
        "s.scenario_discussed_in_lso, s.outflow_type, s.follow_up, p.gender, p.birth_year, "
        f"p.birth_date, p.country, {days}, s.last_valid_on > %s, s.admission_date <= %s, "
        f"s.status = %s FROM {stay_t} AS s{scan} LEFT JOIN {person_t} AS p "
        f"ON p.id = s.person_id WHERE {listed}{in_lvvs}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    later = any(map(_LATER, rows))
    if not later and all(map(_ADMITTED_NOW, rows)):
        return Tally.count(rows)  # every row admitted, none to fold
    # The projection answers for the other rows: admitted, or on the waiting list (a waiting list
    # by the peildatum that was refused by then counts nowhere).
    tally = Tally.count(
        [row for row in rows if row[13] and not row[12]],
        [row[:2] for row in rows if row[14] and not row[12]],
    )
    if later:
        tally.update(_tally_stays(_later_stays(alias, peildatum=peildatum, lvv_ids=lvv_ids)))
    return tally


def _in_lvvs(lvv_ids: list[int] | None) -> tuple[str, list[int]]:
    """The condition on the stays' LVV (empty for the whole country) and its parameters."""
    if lvv_ids is None:
        return "", []
    return f" AND s.lvv_id IN ({', '.join(['%s'] * len(lvv_ids)) or 'NULL'})", list(lvv_ids)


def _later_stays(
    alias: str, *, peildatum: dt.date, lvv_ids: list[int] | None
) -> list[tuple[StayFacts, PersonFacts]]:
    """The stays the monitor may count on the peildatum (`_in_monitor`) that have an event valid
    after it, folded on the peildatum (`_fold_later`), each with its person."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    ident = "{}::text" if connection.vendor == "postgresql" else "{}"
    day = connection.ops.adapt_datefield_value(peildatum)
    in_lvvs, lvv_params = _in_lvvs(lvv_ids)
    listed, listed_params = _in_monitor(connection, peildatum, "s.")
    where = f"{listed} AND s.last_valid_on > %s{in_lvvs}"
    params: list[Any] = [*listed_params, day, *lvv_params]
    sql = (
        f"SELECT {ident.format('s.id')}, {ident.format('s.person_id')}, s.lvv_id, p.gender, "  # noqa: S608
        "p.birth_year, p.birth_date, "
        f"p.country, p.first_ind_application_date FROM {qn(Stay._meta.db_table)} AS s "
        f"LEFT JOIN {qn(Person._meta.db_table)} AS p ON p.id = s.person_id WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    folded = _fold_later(alias, peildatum=peildatum, lvv_ids=lvv_ids)
    stays = []
    for stay_key, person_key, lvv_id, gender, birth_year, birth_date, country, first in rows:
        found = folded.get(stay_key)
        if found is None or (found[1] is None and not found[8]):
            continue  # neither admitted nor waiting on the peildatum after all
        person = _person_facts(gender, birth_year, birth_date, country, _day(first))
        stays.append((StayFacts(stay_key, person_key, lvv_id, *found), person))
    return stays


# The document -------------------------------------------------------------------------------------


@dataclass
class _Acc:
    counts: Counter = field(default_factory=Counter)
    age_sum: int = 0
    age_n: int = 0
    days_sum: int = 0
    days_n: int = 0
    capacity: int = 0

    def add(self, other: _Acc) -> None:
        self.counts.update(other.counts)
        self.age_sum += other.age_sum
        self.age_n += other.age_n
        self.days_sum += other.days_sum
        self.days_n += other.days_n
        self.capacity += other.capacity


def _document(name: str, acc: _Acc) -> dict[str, Any]:
    c = acc.counts

    def block(prefix: str, keys: Iterable[str]) -> dict[str, int]:
        return {k: c[f"{prefix}.{k}"] for k in keys}

    countries = sorted(
        (
            (k.removeprefix("background.country."), n)
            for k, n in c.items()
            if k.startswith("background.country.") and n
        ),
        key=lambda item: (-item[1], item[0]),
    )[:TOP_COUNTRIES]
    mean_age = Fraction(acc.age_sum, acc.age_n) if acc.age_n else None
    # days / 365.25 = days * 4 / 1461, kept exact so rounding half away from zero is exact.
    mean_years = Fraction(acc.days_sum * 4, 1461 * acc.days_n) if acc.days_n else None
    # Added after the contract's keys (CONTRACTS.md section 4 is extended, never changed): the
    # occupancy as % of the capacity (null without capacity) and the waiting list (ADR 102).
    occupancy_pct = Fraction(c["occupancy"] * 100, acc.capacity) if acc.capacity else None
    return {
        "lvv": name,
        "capacity": acc.capacity,
        "occupancy": c["occupancy"],
        "intake_total": c["intake_total"],
        "current_by_scenario": block("current_by_scenario", SCENARIO_KEYS),
        "outflow_total": c["outflow_total"],
        "outflow_by_type": block("outflow_by_type", MONITOR_OUTFLOW_KEYS),
        "outflow_by_class": block("outflow_by_class", CLASS_KEYS),
        "background": {
            "gender": block("background.gender", GENDER_KEYS),
            "age_bands": block("background.age_bands", AGE_BANDS),
            "mean_age": round_half_away(mean_age),
            "region": block("background.region", REGION_KEYS),
            "top_countries": [{"country": k, "count": n} for k, n in countries],
            "mean_years_first_application_to_admission": round_half_away(mean_years),
        },
        "occupancy_pct": round_half_away(occupancy_pct),
        WAITING_LIST: c[WAITING_LIST],
    }


def _accumulate(
    tally: Tally,
    *,
    peildatum: dt.date,
    lvvs: Iterable[int],
    capacity: dict[int, list[tuple[dt.date, int]]],
    scheme: str,
    target_group: str,
) -> tuple[dict[int, _Acc], set[int]]:
    """Accumulators per LVV for one target group, and the LVVs that appear in the monitor: those
    with capacity on the peildatum, a stay admitted on it or a stay on its waiting list (of any
    target group, ADR 102)."""
    accs: dict[int, _Acc] = {lvv_id: _Acc() for lvv_id in lvvs}
    present: set[int] = set()
    for lvv_id in accs:
        places = _capacity_on(capacity, lvv_id, peildatum)
        if places is not None:
            accs[lvv_id].capacity = places
            present.add(lvv_id)
    present.update(lvv_id for lvv_id, _group, _status in tally.statuses)
    present.update(lvv_id for lvv_id, _group in tally.waiting)
    cells_of: dict[Status, list[str]] = {}
    for (lvv_id, group, status), n in tally.statuses.items():
        if group != target_group:
            continue
        cells = cells_of.get(status)
        if cells is None:
            cells = cells_of[status] = _status_cells(status, scheme)
        counts = accs[lvv_id].counts
        for cell in cells:
            counts[cell] += n
    for (lvv_id, group, gender), n in tally.genders.items():
        if group == target_group:
            accs[lvv_id].counts[_gender_cell(gender)] += n
    for (lvv_id, group, birth_year), n in tally.birth_years.items():
        if group != target_group:
            continue
        acc = accs[lvv_id]
        acc.counts[_age_cell(birth_year, peildatum)] += n
        if birth_year:
            acc.age_sum += (peildatum.year - birth_year) * n
            acc.age_n += n
    for (lvv_id, group, country), n in tally.countries.items():
        if group != target_group:
            continue
        counts = accs[lvv_id].counts
        for cell in _country_cells(country):
            counts[cell] += n
    for (lvv_id, group), n in tally.days_n.items():
        if group == target_group:
            accs[lvv_id].days_sum += tally.days_sum[lvv_id, group]
            accs[lvv_id].days_n += n
    for (lvv_id, group), n in tally.waiting.items():
        if group == target_group:
            accs[lvv_id].counts[WAITING_LIST] += n
    return accs, present


def _document_from_tally(
    tally: Tally,
    *,
    peildatum: dt.date,
    lvvs: dict[int, LVV],
    capacity: dict[int, list[tuple[dt.date, int]]],
    scheme: str,
    target_group: str,
) -> dict[str, Any]:
    accs, present = _accumulate(
        tally,
        peildatum=peildatum,
        lvvs=lvvs,
        capacity=capacity,
        scheme=scheme,
        target_group=target_group,
    )
    national = _Acc()
    documents = []
    for lvv_id in sorted(present, key=lambda pk: lvvs[pk].name):
        national.add(accs[lvv_id])
        documents.append(_document(lvvs[lvv_id].name, accs[lvv_id]))
    return {
        "peildatum": peildatum.isoformat(),
        "scheme": scheme,
        "lvvs": documents,
        "national": _document("national", national),
    }


def document_from_facts(
    facts: Facts,
    *,
    scheme: str,
    target_group: str = TargetGroup.CONVENANT,
    tally: Tally | None = None,
) -> dict[str, Any]:
    """The contract document of one target group from facts (`tally`: `tally_facts(facts)`, when
    the caller already has it)."""
    return _document_from_tally(
        tally if tally is not None else tally_facts(facts),
        peildatum=facts.peildatum,
        lvvs=facts.lvvs,
        capacity=facts.capacity,
        scheme=scheme,
        target_group=target_group,
    )


def check_input(*, peildatum: dt.date, scheme: str, using: str | None = None) -> None:
    if scheme not in SCHEMES:
        raise MonitorInputError(f"unknown scheme {scheme!r}: use one of {', '.join(SCHEMES)}")
    first = earliest_date(using=using)
    if first is None:
        raise MonitorInputError("the register holds no LVV yet: nothing to report")
    if peildatum < first:
        raise MonitorInputError(
            f"peildatum {peildatum.isoformat()} lies before the first LVV started "
            f"({first.isoformat()}): choose a later date"
        )


def monitor_compute(
    *,
    peildatum: dt.date,
    scheme: str = EVALUATION,
    known_at: dt.datetime | None = None,
    lvv_names: Iterable[str] | None = None,
    using: str | None = None,
) -> dict[str, Any]:
    """The monitor JSON document of CONTRACTS.md section 4 for the agreed target group."""
    check_input(peildatum=peildatum, scheme=scheme, using=using)
    with gc_paused():  # over the counting too, which builds 100,000-item lists (ADR 76)
        if known_at is not None:
            facts = collect(
                peildatum=peildatum, known_at=known_at, lvv_names=lvv_names, using=using
            )
            return document_from_facts(facts, scheme=scheme)
        # No facts needed: the tally straight from the projection (ADR 90).
        alias = using or monitor_alias()
        lvvs = _lvvs(alias, lvv_names)
        tally = _tally_projection(
            alias, peildatum=peildatum, lvv_ids=list(lvvs) if lvv_names is not None else None
        )
        return _document_from_tally(
            tally,
            peildatum=peildatum,
            lvvs=lvvs,
            capacity=_capacity(alias, lvvs=lvvs, known_at=None),
            scheme=scheme,
            target_group=TargetGroup.CONVENANT,
        )


def monitor_compute_groups(facts: Facts, *, scheme: str) -> dict[str, dict[str, Any]]:
    """The same document for each target group: the agreed one and the separately reported ones."""
    tally = tally_facts(facts)
    return {
        group: document_from_facts(facts, scheme=scheme, target_group=group, tally=tally)
        for group in TargetGroup.values
    }


def to_json(document: dict[str, Any]) -> str:
    """The canonical serialisation: what is printed, published and hashed."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
