"""Bringing data in: the person import (with IND enrichment) and the capacity import of
CONTRACTS.md sections 1-2, for the command line, the web upload and the API.

The person import is the register's bulk path. It never calls the per-row services (too slow for
100,000 rows): it checks the rows in Python batch by batch and writes persons, stays and their
events with raw bulk inserts inside one transaction, which it rolls back when any row was invalid
(docs/adr/0084-import-streaming-and-background-writer.md). The events are exactly those the
services in lvv.registry.services would append for the same facts (same kinds, same data), and the
stay columns equal `lvv.registry.history.stay_state` of them (a new stay's read off its row, tested
against the fold), so the monitor cannot tell imported from typed data
(docs/adr/0020-import-as-events.md).

All or nothing: any invalid row means nothing is written and every invalid row is reported as
`row N: column: reason` (N as the spreadsheet user sees it; the header is row 1)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import os
import queue
import sys
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from tqdm import tqdm

from lvv.access import gate
from lvv.access.models import ProcessingActivity
from lvv.accounts.models import Organisation, User
from lvv.exchange.parsers import (
    Cell,
    CellError,
    FileInvalid,
    Problem,
    parse_birth_year,
    parse_choice,
    parse_country,
    parse_date,
    parse_places,
    parse_text,
    parse_v_number,
    read_table,
)
from lvv.registry import services as registry_services
from lvv.registry.history import StayState, stay_state
from lvv.registry.models import LVV, CapacityRecord, Event, EventKind, Person, Policy, Stay
from lvv.registry.services import STAY_PROJECTION
from lvv.registry.taxonomy import FOLLOW_UPS_FOR, Label, normalize_label

logger = logging.getLogger(__name__)

PERSON_REQUIRED = ("lvv", "correspondentienummer", "datum_toelating")
IND_REQUIRED = ("correspondentienummer",)
CAPACITY_REQUIRED = ("lvv", "datum_vanaf", "capaciteit")
BATCH = 5000
# Inserts on a second thread while the next batch is checked and planned (_BackgroundWriter).
# On a busy machine with no free core it gains nothing (ADR 0084); False writes in line.
WRITE_IN_BACKGROUND = True

# Person attributes a person file carries: file column -> Person attribute.
PERSON_COLUMNS = {
    "v_nummer": "v_number",
    "geboortejaar": "birth_year",
    "geslacht": "gender",
    "land_van_herkomst": "country",
}
# Which file column a validation error on a derived stay field belongs to.
FIELD_COLUMN = {
    "outflow_date": "datum_uitstroom",
    "outflow_type": "wijze_van_uitstroom",
    "follow_up": "vervolg",
    "follow_up_date": "datum_vervolg",
    "target_group": "doelgroep",
    "scenario": "begeleidingsscenario",
    "on": "datum_toelating",
    "__all__": "lvv",
}


@dataclass(slots=True)
class PersonRow:
    """One valid row of a person file, parsed."""

    row: int
    lvv_key: str
    corr: str
    person: dict[str, Any]
    target_group: str
    registration_date: dt.date | None
    admission_date: dt.date
    scenario: str
    scenario_given: bool
    discussed: bool
    outflow_date: dt.date | None
    outflow_type: str
    follow_up: str
    follow_up_date: dt.date | None
    organisation_id: int | None


@dataclass
class ImportResult:
    """What an import did (or, with dry_run, would do)."""

    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    lvvs_created: list[str] = field(default_factory=list)
    persons_created: int = 0
    persons_updated: int = 0
    stays_created: int = 0
    stays_updated: int = 0
    stays_unchanged: int = 0
    events_created: int = 0
    ind_updated: int = 0
    ind_unchanged: int = 0
    capacity_created: int = 0
    capacity_unchanged: int = 0
    source_ref: str = ""
    # (row number, person id) of the persons an IND enrichment concerns.
    ind_persons: list[tuple[int, uuid.UUID]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary_lines(self) -> list[str]:
        verb = "would be" if self.dry_run else "were"
        lines = [f"LVV {name} does not exist yet: {verb} created" for name in self.lvvs_created]
        if self.capacity_created or self.capacity_unchanged:
            lines.append(
                f"capacity rows: {self.capacity_created} new, {self.capacity_unchanged} unchanged"
            )
        if self.stays_created or self.stays_updated or self.stays_unchanged:
            lines.append(
                f"stays: {self.stays_created} created, {self.stays_updated} updated, "
                f"{self.stays_unchanged} unchanged"
            )
            lines.append(f"persons: {self.persons_created} created, {self.persons_updated} updated")
        if self.ind_updated or self.ind_unchanged:
            lines.append(
                f"IND enrichment: {self.ind_updated} persons updated, {self.ind_unchanged} unchanged"
            )
        lines.append(f"events {verb} appended: {self.events_created}")
        if self.dry_run:
            lines.append("dry run: nothing was written")
        return lines


class _Rollback(Exception):
    pass


def file_source_ref(path: Path, name: str | None = None) -> str:
    """The file's name and the start of its sha256, recorded with every event it caused."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return f"{(name or Path(path).name)[-70:]} sha256:{digest.hexdigest()[:16]}"


def _progress(iterable: Iterable, *, total: int, enabled: bool, desc: str) -> Iterable:
    if not enabled:
        return iterable
    return tqdm(iterable, total=total, desc=desc, unit=" rows", file=sys.stderr, leave=False)


# Lightweight events for the fold, before they are saved. ----------------------------------------


@dataclass(slots=True)
class _Ev:
    id: int
    kind: str
    valid_on: dt.date | None
    recorded_at: dt.datetime
    data: dict[str, Any]
    supersedes_id: int | None
    person_id: uuid.UUID
    stay_id: uuid.UUID | None


class _EventSink:
    """Collects the events of one batch with ids that order them after every saved event (the
    events of changed stays and IND enrichments, which are folded with the saved ones; a new
    stay's events go through `_NewRows`)."""

    def __init__(self, *, now: dt.datetime, by: User | None, source: str, source_ref: str):
        self.now = now
        self.by_id = by.pk if by is not None and by.pk else None
        self.org_id = getattr(by, "organisation_id", None)
        self.source = source
        self.source_ref = source_ref
        self.pending: list[_Ev] = []
        self._next = 10**15

    def __len__(self) -> int:
        return len(self.pending)

    def add(
        self,
        *,
        person_id: uuid.UUID,
        stay_id: uuid.UUID | None,
        kind: str,
        valid_on: dt.date | None,
        data: dict[str, Any] | None = None,
        supersedes_id: int | None = None,
    ) -> _Ev:
        self._next += 1
        ev = _Ev(
            self._next,
            kind,
            valid_on,
            self.now,
            {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in (data or {}).items()},
            supersedes_id,
            person_id,
            stay_id,
        )
        self.pending.append(ev)
        return ev

    ROW_FIELDS = (
        "person_id",
        "stay_id",
        "kind",
        "valid_on",
        "recorded_at",
        "recorded_by_id",
        "organisation_id",
        "source",
        "source_ref",
        "data",
        "supersedes_id",
    )

    def take(self) -> list[tuple]:
        """The pending events as rows (not adapted yet); the sink is empty afterwards."""
        by, org, source, ref = self.by_id, self.org_id, self.source, self.source_ref
        pending = [
            (
                e.person_id,
                e.stay_id,
                e.kind,
                e.valid_on,
                e.recorded_at,
                by,
                org,
                source,
                ref,
                e.data,
                e.supersedes_id,
            )
            for e in self.pending
        ]
        self.pending = []
        return pending

    def models(self) -> list[Event]:
        return [
            Event(
                person_id=e.person_id,
                stay_id=e.stay_id,
                kind=e.kind,
                valid_on=e.valid_on,
                recorded_at=e.recorded_at,
                recorded_by_id=self.by_id,
                organisation_id=self.org_id,
                source=self.source,
                source_ref=self.source_ref,
                data=e.data,
                supersedes_id=e.supersedes_id,
            )
            for e in self.pending
        ]


# Validation of person rows ----------------------------------------------------------------------


class _Catalogue:
    """LVVs and NGOs by normalised name, and which LVVs the importing user may write to."""

    def __init__(self, allowed_lvv_ids: set[int] | None) -> None:
        self.lvvs = {normalize_label(lvv.name): lvv for lvv in LVV.objects.all()}
        self.new_lvvs: dict[str, str] = {}
        self.allowed = allowed_lvv_ids
        self._ngos: dict[str, int] | None = None

    def lvv_key(self, raw: str) -> str:
        """The normalised LVV name; CellError where the importer may not use it."""
        key = normalize_label(raw)
        lvv = self.lvvs.get(key)
        if self.allowed is not None and (lvv is None or lvv.pk not in self.allowed):
            raise CellError(f"you do not work in LVV '{raw}'; you can only import into your own")
        if lvv is None:
            self.new_lvvs.setdefault(key, " ".join(raw.split()))
        return key

    def ngo(self, raw: str) -> int | None:
        if self._ngos is None:
            self._ngos = {
                normalize_label(name): pk
                for pk, name in Organisation.objects.filter(kind=Organisation.Kind.NGO).values_list(
                    "pk", "name"
                )
            }
        key = normalize_label(raw)
        if not key:
            return None
        if key not in self._ngos:
            raise CellError(f"unknown organisation '{raw}' (the name of an NGO in the register)")
        return self._ngos[key]


_MISSING = object()

# The columns of a person file in the order they are checked (the order of a row's problems),
# with the value a column has when the file does not have it.
_PERSON_SPEC: tuple[tuple[str, Any], ...] = (
    ("lvv", ""),
    ("correspondentienummer", ""),
    ("v_nummer", ""),
    ("geboortejaar", None),
    ("geslacht", "unknown"),
    ("land_van_herkomst", ""),
    ("doelgroep", "convenant"),
    ("datum_aanmelding", None),
    ("datum_toelating", None),
    ("begeleidingsscenario", "not_yet_determined"),
    ("besproken_in_lso", True),
    ("datum_uitstroom", None),
    ("wijze_van_uitstroom", ""),
    ("vervolg", ""),
    ("datum_vervolg", None),
    ("organisatie", None),
)
# Cells that differ on (nearly) every row: parsed each time, not remembered.
_UNIQUE_COLUMNS = frozenset({"correspondentienummer", "v_nummer"})


class _PersonRowParser:
    """Parses the cells of person-file rows (CONTRACTS.md section 2). A column's parsed values are
    remembered by cell text: 100,000 rows have a few thousand distinct dates and a few dozen
    labels, so most cells cost one dictionary lookup. A cell that does not parse raises each time
    (never remembered), so every row reports its own problem."""

    CACHE_LIMIT = 65536

    def __init__(self, columns: list[str], catalogue: _Catalogue, today: dt.date) -> None:
        index = {col: i for i, col in enumerate(columns) if col}
        parsers: dict[str, Callable[[Cell], Any]] = {
            "lvv": lambda c: catalogue.lvv_key(parse_text(c)) if c else "",
            "correspondentienummer": parse_text,
            "v_nummer": parse_v_number,
            "geboortejaar": lambda c: parse_birth_year(c, today=today),
            "geslacht": lambda c: parse_choice(Label.GENDER, c),
            "land_van_herkomst": parse_country,
            "doelgroep": lambda c: parse_choice(Label.TARGET_GROUP, c),
            "datum_aanmelding": parse_date,
            "datum_toelating": parse_date,
            "begeleidingsscenario": lambda c: parse_choice(Label.SCENARIO, c),
            "besproken_in_lso": lambda c: parse_choice(Label.YES_NO, c),
            "datum_uitstroom": parse_date,
            "wijze_van_uitstroom": lambda c: parse_choice(Label.OUTFLOW_TYPE, c) if c != "" else "",
            "vervolg": lambda c: parse_choice(Label.FOLLOW_UP, c) or "",
            "datum_vervolg": parse_date,
            "organisatie": lambda c: catalogue.ngo(parse_text(c)),
        }
        self.defaults = [default for _, default in _PERSON_SPEC]
        # (position in the values, column, cell index, parser, memo or None), present columns only.
        self.specs: list[tuple[int, str, int, Callable[[Cell], Any], dict[Cell, Any] | None]] = [
            (pos, col, index[col], parsers[col], None if col in _UNIQUE_COLUMNS else {})
            for pos, (col, _) in enumerate(_PERSON_SPEC)
            if col in index
        ]
        self.required = [(col, index[col]) for col in PERSON_REQUIRED]
        self.scenario_index = index.get("begeleidingsscenario")
        # The person attributes the file has: (attribute, position in the values).
        self.person_columns = [
            (PERSON_COLUMNS[col], pos)
            for pos, (col, _) in enumerate(_PERSON_SPEC)
            if col in PERSON_COLUMNS and col in index
        ]

    def __call__(self, number: int, cells: list[Cell]) -> tuple[PersonRow | None, list[Problem]]:
        problems: list[Problem] = []
        for column, i in self.required:
            if cells[i] == "":
                problems.append(Problem(number, column, "a value is required"))
        values = self.defaults.copy()
        failed: set[str] = set()
        for pos, column, i, parse, memo in self.specs:
            cell = cells[i]
            value = _MISSING if memo is None else memo.get(cell, _MISSING)
            if value is _MISSING:
                try:
                    value = parse(cell)
                except CellError as exc:
                    problems.append(Problem(number, column, str(exc)))
                    failed.add(column)
                    continue
                if memo is not None and len(memo) < self.CACHE_LIMIT:
                    memo[cell] = value
            values[pos] = value
        (
            lvv_key,
            corr,
            _v_number,
            _birth_year,
            _gender,
            _country,
            target_group,
            registration,
            admission,
            scenario,
            discussed,
            outflow_date,
            outflow_type,
            follow_up,
            follow_up_date,
            organisation_id,
        ) = values
        scenario_given = bool(
            self.scenario_index is not None
            and "begeleidingsscenario" not in failed
            and scenario
            and cells[self.scenario_index]
        )
        return _check_person_row(
            number,
            problems,
            failed,
            lvv_key=lvv_key,
            corr=corr,
            person={attr: values[pos] for attr, pos in self.person_columns},
            target_group=target_group,
            registration=registration,
            admission=admission,
            scenario=scenario,
            scenario_given=scenario_given,
            discussed=discussed,
            outflow_date=outflow_date,
            outflow_type=outflow_type,
            follow_up=follow_up,
            follow_up_date=follow_up_date,
            organisation_id=organisation_id,
        )


def _check_person_row(
    number: int,
    problems: list[Problem],
    failed: set[str],
    *,
    lvv_key: str,
    corr: str,
    person: dict[str, Any],
    target_group: str,
    registration: dt.date | None,
    admission: dt.date | None,
    scenario: str,
    scenario_given: bool,
    discussed: bool,
    outflow_date: dt.date | None,
    outflow_type: str,
    follow_up: str,
    follow_up_date: dt.date | None,
    organisation_id: int | None,
) -> tuple[PersonRow | None, list[Problem]]:
    """The checks between the columns of one row; the row, or None and its problems."""
    if registration and admission and admission < registration:
        problems.append(
            Problem(
                number,
                "datum_toelating",
                f"admission ({admission:%d-%m-%Y}) is before registration ({registration:%d-%m-%Y})",
            )
        )
    if outflow_date and admission and outflow_date < admission:
        problems.append(
            Problem(
                number,
                "datum_uitstroom",
                f"outflow ({outflow_date:%d-%m-%Y}) is before admission ({admission:%d-%m-%Y})",
            )
        )
    if outflow_type and not outflow_date and "datum_uitstroom" not in failed:
        problems.append(
            Problem(number, "wijze_van_uitstroom", "an outflow type needs a datum_uitstroom")
        )
    if outflow_date and not outflow_type and "wijze_van_uitstroom" not in failed:
        problems.append(
            Problem(
                number,
                "wijze_van_uitstroom",
                "required when datum_uitstroom is set (how they left)",
            )
        )
    if follow_up and not outflow_date and "datum_uitstroom" not in failed:
        problems.append(Problem(number, "vervolg", "a follow-up needs an outflow first"))
    elif follow_up and outflow_type and follow_up not in FOLLOW_UPS_FOR.get(outflow_type, ()):
        problems.append(
            Problem(
                number,
                "vervolg",
                "this follow-up does not fit the outflow type ('gedwongen vertrek' follows "
                "'vreemdelingenbewaring'; 'vergunning' or 'afgewezen' follow 'hasa')",
            )
        )
    if follow_up_date and not follow_up and "vervolg" not in failed:
        problems.append(Problem(number, "datum_vervolg", "a datum_vervolg needs a vervolg"))
    if follow_up_date and outflow_date and follow_up_date < outflow_date:
        problems.append(Problem(number, "datum_vervolg", "the follow-up is before the outflow"))
    if problems or admission is None:  # a required column: without it the row has a problem
        return None, problems
    return (
        PersonRow(
            row=number,
            lvv_key=lvv_key,
            corr=corr,
            person=person,
            target_group=target_group,
            registration_date=registration,
            admission_date=admission,
            scenario=scenario,
            scenario_given=scenario_given,
            discussed=discussed,
            outflow_date=outflow_date,
            outflow_type=outflow_type,
            follow_up=follow_up,
            follow_up_date=follow_up_date,
            organisation_id=organisation_id,
        ),
        [],
    )


class _PersonFileCheck:
    """Checks the rows of a person file as they are read, batch by batch (the rows already
    checked need not stay in memory): every problem, including a correspondentienummer used
    twice for one LVV anywhere in the file."""

    def __init__(self, table, catalogue: _Catalogue) -> None:
        self.parse = _PersonRowParser(table.columns, catalogue, timezone.localdate())
        self.records = iter(table.records)
        self.seen: dict[tuple[str, str], int] = {}  # (lvv, correspondentienummer) -> row
        self.problem_rows: set[int] = set()
        self.valid = 0

    def batches(self, size: int, problems: list[Problem]) -> Iterator[list[PersonRow]]:
        """The valid rows, `size` records at a time; the problems are added to `problems`."""
        while chunk := list(islice(self.records, size)):
            rows = []
            for number, cells in chunk:
                row, row_problems = self.parse(number, cells)
                if row is not None:
                    key = (row.lvv_key, row.corr)
                    if key in self.seen:
                        row_problems.append(
                            Problem(
                                number,
                                "correspondentienummer",
                                f"'{row.corr}' appears twice for this LVV (also row "
                                f"{self.seen[key]})",
                            )
                        )
                    else:
                        self.seen[key] = number
                if row_problems:
                    problems.extend(row_problems)
                    self.problem_rows.add(number)
                elif row is not None:
                    rows.append(row)
            self.valid += len(rows)
            yield rows
        if not self.valid and not problems:
            problems.append(Problem(1, "file", "the file has a header but no rows"))


# Writing persons and stays ----------------------------------------------------------------------

_EXISTING_FIELDS = (
    "id",
    "person_id",
    "version",
    *[f for f in STAY_PROJECTION if f not in ("status",)],
    "status",
    "person__v_number",
    "person__birth_year",
    "person__gender",
    "person__country",
)


def _new_stay_event_specs(row: PersonRow) -> list[tuple[str, dt.date | None, dict, bool]]:
    """(kind, valid_on, data, belongs to the stay) of the events registry.services would append
    for this row, in order: person_create, stay_register (with its organisation), stay_admit,
    stay_set_scenario, stay_register_outflow, stay_register_follow_up."""
    registered = row.registration_date or row.admission_date
    specs: list[tuple[str, dt.date | None, dict, bool]] = [
        (
            EventKind.PERSON_RECORDED,
            None,
            {k: v for k, v in row.person.items() if v not in (None, "")},
            False,
        ),
        (
            EventKind.STAY_REGISTERED,
            registered,
            {
                "target_group": row.target_group,
                "correspondence_number": row.corr,
                "reported_municipality": "",
            },
            True,
        ),
    ]
    if row.organisation_id:
        specs.append(
            (EventKind.ORGANISATION_SET, registered, {"organisation_id": row.organisation_id}, True)
        )
    specs.append((EventKind.STAY_ADMITTED, row.admission_date, {}, True))
    if row.scenario_given or not row.discussed:
        specs.append(
            (
                EventKind.SCENARIO_SET,
                row.admission_date,
                {"scenario": row.scenario, "discussed_in_lso": row.discussed},
                True,
            )
        )
    if row.outflow_date:
        specs.append(
            (
                EventKind.OUTFLOW_REGISTERED,
                row.outflow_date,
                {"outflow_type": row.outflow_type},
                True,
            )
        )
        if row.follow_up:
            specs.append(
                (
                    EventKind.FOLLOW_UP_REGISTERED,
                    row.follow_up_date,
                    {"follow_up": row.follow_up},
                    True,
                )
            )
    return specs


def _new_stay_state(row: PersonRow) -> StayState:
    """What `history.stay_state` folds from the events of `_new_stay_event_specs(row)`, written
    out: a new stay's history is short and fixed (registered, perhaps an organisation, admitted,
    perhaps a scenario, perhaps an outflow and its follow-up, all recorded at once), so its state
    is read off the row. exchange/tests/test_import_projection.py checks the equality with the
    fold on random rows."""
    registered = row.registration_date or row.admission_date
    scenario_set = row.scenario_given or not row.discussed
    left = row.outflow_date is not None
    follow = left and bool(row.follow_up)
    state = StayState(
        status="left" if left else "admitted",
        target_group=row.target_group,
        correspondence_number=row.corr,
        reported_municipality="",
        registration_date=registered,
        admission_date=row.admission_date,
        scenario=row.scenario if scenario_set else StayState.scenario,
        scenario_date=row.admission_date if scenario_set else None,
        scenario_discussed_in_lso=row.discussed if scenario_set else True,
        organisation_id=row.organisation_id or None,
        outflow_date=row.outflow_date,
        outflow_type=row.outflow_type if left else "",
        follow_up=row.follow_up if follow else "",
        follow_up_date=row.follow_up_date if follow else None,
    )
    # The latest valid_on of its events (the monitor's shortcut, ADR 0076).
    dates = [registered, row.admission_date, row.outflow_date if left else None]
    if follow:
        dates.append(row.follow_up_date)
    state.last_valid_on = max(d for d in dates if d is not None)
    return state


_json_string = json.encoder.encode_basestring_ascii  # what JSONEncoder uses (ensure_ascii)
_JSON = json.JSONEncoder()


def _json_flat(data: dict[str, Any]) -> str:
    """`json.dumps(data)` (the text Event.data's encoder writes) of a dict whose values are text,
    whole numbers, booleans or None, without the encoder's machinery per value; anything else
    goes through the encoder."""
    parts = []
    for key, value in data.items():
        if value is None:
            text = "null"
        elif value is True:
            text = "true"
        elif value is False:
            text = "false"
        elif isinstance(value, str):
            text = _json_string(value)
        elif type(value) is int:
            text = int.__repr__(value)
        else:
            return _JSON.encode(data)
        parts.append(_json_string(key) + ": " + text)
    return "{" + ", ".join(parts) + "}"


class _Memo(dict):
    """A dict that fills itself: `memo[key]` is `make(key)`, computed once per key."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[Any], Any]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.make(key)
        return value


def _row_template(model, *, now: dt.datetime, connection) -> tuple[list[str], list, dict]:
    """The columns of `model` an insert writes (all but an automatic id), a row of their default
    values as the database gets them (auto_now/auto_now_add: `now`), and each column's position."""
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.auto_created)]
    template = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            default = now
        else:
            default = f.get_default()
        template.append(_adapter(f, connection)(default))
    attnames = [f.attname for f in fields]
    return attnames, template, {a: i for i, a in enumerate(attnames)}


# Event data that repeats from row to row, as (kind, key) -> data.
_REPEATING_DATA: dict[str, Callable[..., dict]] = {
    EventKind.ORGANISATION_SET.value: lambda org: {"organisation_id": org},
    EventKind.STAY_ADMITTED.value: lambda: {},
    EventKind.SCENARIO_SET.value: lambda scenario, discussed: {
        "scenario": scenario,
        "discussed_in_lso": discussed,
    },
    EventKind.OUTFLOW_REGISTERED.value: lambda outflow_type: {"outflow_type": outflow_type},
    EventKind.FOLLOW_UP_REGISTERED.value: lambda follow_up: {"follow_up": follow_up},
}
# The kinds as the plain text the database stores.
_PERSON_RECORDED = EventKind.PERSON_RECORDED.value
_STAY_REGISTERED = EventKind.STAY_REGISTERED.value
_ORGANISATION_SET = EventKind.ORGANISATION_SET.value
_STAY_ADMITTED = EventKind.STAY_ADMITTED.value
_SCENARIO_SET = EventKind.SCENARIO_SET.value
_OUTFLOW_REGISTERED = EventKind.OUTFLOW_REGISTERED.value
_FOLLOW_UP_REGISTERED = EventKind.FOLLOW_UP_REGISTERED.value


class _NewRows:
    """The database rows of new persons, their new stays and the stays' events, built straight
    from the file's rows and already in the form the connection takes (what Django's insert
    compiler would send): a template row per table with every default in place, ids, dates and
    the record time adapted once, data that repeats (admission, scenario, outflow, follow-up,
    organisation) encoded once per import. The events are those of `_new_stay_event_specs` in
    the same order (exchange/tests/test_import_projection.py compares them)."""

    def __init__(
        self,
        connection,
        *,
        now: dt.datetime,
        by_id: int | None,
        org_id: int | None,
        source: str,
        source_ref: str,
    ) -> None:
        from operator import attrgetter

        from django.db import models as m

        self.id_value = (
            _identity if connection.features.has_native_uuid_field else attrgetter("hex")
        )
        self.dates = _Memo(connection.ops.adapt_datefield_value)
        self.dates[None] = None
        self.person_columns, self.person_template, at = _row_template(
            Person, now=now, connection=connection
        )
        self.person_id_at = at["id"]
        self.person_at = {attr: at[attr] for attr in PERSON_COLUMNS.values()}
        self.stay_columns, self.stay_template, at = _row_template(
            Stay, now=now, connection=connection
        )
        self.stay_at = (at["id"], at["person_id"], at["lvv_id"], at["version"])
        stay_fields = {f.attname: f for f in Stay._meta.concrete_fields}
        self.stay_projection = [
            (
                at[attr],
                attr,
                isinstance(stay_fields[attr], m.DateField)
                and not isinstance(stay_fields[attr], m.DateTimeField),
            )
            for attr in STAY_PROJECTION
        ]
        self.event_tail = (
            _adapter(Event._meta.get_field("recorded_at"), connection)(now),
            by_id,
            org_id,
            source,
            source_ref,
        )
        self.data = _Memo(lambda key: _json_flat(_REPEATING_DATA[key[0]](*key[1:])))
        self.registered_head = _Memo(
            lambda group: '{"target_group": ' + _json_string(group) + ', "correspondence_number": '
        )
        self.persons: list[list] = []
        self.stays: list[list] = []
        self.events: list[tuple] = []

    def add(
        self,
        row: PersonRow,
        state: StayState,
        *,
        person_id: uuid.UUID,
        stay_id: uuid.UUID,
        lvv_id: int | None,
    ) -> None:
        """The rows of one new person with one new stay (`state`: `_new_stay_state(row)`)."""
        pid, sid = self.id_value(person_id), self.id_value(stay_id)
        dates, data = self.dates, self.data
        at, by, org, source, ref = self.event_tail
        append = self.events.append
        person = row.person
        append(
            (
                pid,
                None,
                _PERSON_RECORDED,
                None,
                at,
                by,
                org,
                source,
                ref,
                _json_flat({k: v for k, v in person.items() if v not in (None, "")}),
                None,
            )
        )
        registered = dates[row.registration_date or row.admission_date]
        append(
            (
                pid,
                sid,
                _STAY_REGISTERED,
                registered,
                at,
                by,
                org,
                source,
                ref,
                # _json_flat({"target_group": ..., "correspondence_number": ...,
                # "reported_municipality": ""}), written out (the test compares)
                self.registered_head[row.target_group]
                + _json_string(row.corr)
                + ', "reported_municipality": ""}',
                None,
            )
        )
        if row.organisation_id:
            append(
                (
                    pid,
                    sid,
                    _ORGANISATION_SET,
                    registered,
                    at,
                    by,
                    org,
                    source,
                    ref,
                    data[_ORGANISATION_SET, row.organisation_id],
                    None,
                )
            )
        admitted = dates[row.admission_date]
        append(
            (
                pid,
                sid,
                _STAY_ADMITTED,
                admitted,
                at,
                by,
                org,
                source,
                ref,
                data[_STAY_ADMITTED,],
                None,
            )
        )
        version = 2  # registered, admitted (the organisation is set with the registration)
        if row.scenario_given or not row.discussed:
            version += 1
            append(
                (
                    pid,
                    sid,
                    _SCENARIO_SET,
                    admitted,
                    at,
                    by,
                    org,
                    source,
                    ref,
                    data[_SCENARIO_SET, row.scenario, row.discussed],
                    None,
                )
            )
        if row.outflow_date:
            version += 1
            append(
                (
                    pid,
                    sid,
                    _OUTFLOW_REGISTERED,
                    dates[row.outflow_date],
                    at,
                    by,
                    org,
                    source,
                    ref,
                    data[_OUTFLOW_REGISTERED, row.outflow_type],
                    None,
                )
            )
            if row.follow_up:
                version += 1
                append(
                    (
                        pid,
                        sid,
                        _FOLLOW_UP_REGISTERED,
                        dates[row.follow_up_date],
                        at,
                        by,
                        org,
                        source,
                        ref,
                        data[_FOLLOW_UP_REGISTERED, row.follow_up],
                        None,
                    )
                )
        values = self.person_template.copy()
        values[self.person_id_at] = pid
        person_at = self.person_at
        for attr, value in person.items():
            values[person_at[attr]] = value
        self.persons.append(values)
        values = self.stay_template.copy()
        i_id, i_person, i_lvv, i_version = self.stay_at
        values[i_id], values[i_person], values[i_lvv], values[i_version] = (
            sid,
            pid,
            lvv_id,
            version,
        )
        projected = state.__dict__
        for i, attr, is_date in self.stay_projection:
            value = projected[attr]
            values[i] = dates[value] if is_date else value
        self.stays.append(values)

    def take(self) -> tuple[list[list], list[list], list[tuple]]:
        """The persons, stays and events gathered so far; empty afterwards."""
        taken = self.persons, self.stays, self.events
        self.persons, self.stays, self.events = [], [], []
        return taken


def _changed_stay_events(
    sink: _EventSink,
    row: PersonRow,
    ex: dict[str, Any],
    columns: set[str],
    saved: list[_Ev] | None,
    today: dt.date,
) -> None:
    """Correction events for what the file says differently about an existing stay. With
    `saved` None (events not loaded yet) a removal is planned as a placeholder, enough to see
    that the stay changes."""
    pid, sid = ex["person_id"], ex["id"]
    changed_person = {
        attr: value for attr, value in row.person.items() if ex[f"person__{attr}"] != value
    }
    if changed_person:
        sink.add(
            person_id=pid,
            stay_id=None,
            kind=EventKind.PERSON_CORRECTED,
            valid_on=None,
            data=changed_person,
        )
    if row.registration_date:
        registered = row.registration_date
    elif ex["registration_date"] and ex["registration_date"] <= row.admission_date:
        registered = ex["registration_date"]
    else:
        registered = row.admission_date
    target_group = row.target_group if "doelgroep" in columns else ex["target_group"]
    if registered != ex["registration_date"]:
        sink.add(
            person_id=pid,
            stay_id=sid,
            kind=EventKind.STAY_REGISTERED,
            valid_on=registered,
            data={
                "target_group": target_group,
                "correspondence_number": ex["correspondence_number"],
                "reported_municipality": ex["reported_municipality"],
            },
        )
    if target_group != ex["target_group"]:
        sink.add(
            person_id=pid,
            stay_id=sid,
            kind=EventKind.STAY_DETAILS_CORRECTED,
            valid_on=None,
            data={"target_group": target_group},
        )
    if row.organisation_id and row.organisation_id != ex["organisation_id"]:
        sink.add(
            person_id=pid,
            stay_id=sid,
            kind=EventKind.ORGANISATION_SET,
            valid_on=max(today, registered),
            data={"organisation_id": row.organisation_id},
        )
    if row.admission_date != ex["admission_date"]:
        sink.add(
            person_id=pid, stay_id=sid, kind=EventKind.STAY_ADMITTED, valid_on=row.admission_date
        )
    scenario = row.scenario if "begeleidingsscenario" in columns else ex["scenario"]
    discussed = row.discussed if "besproken_in_lso" in columns else ex["scenario_discussed_in_lso"]
    if (scenario, discussed) != (ex["scenario"], ex["scenario_discussed_in_lso"]):
        # Dated no earlier than the current scenario, so the correction is what holds now.
        sink.add(
            person_id=pid,
            stay_id=sid,
            kind=EventKind.SCENARIO_SET,
            valid_on=max(row.admission_date, ex["scenario_date"] or row.admission_date),
            data={"scenario": scenario, "discussed_in_lso": discussed},
        )

    def void(kind: str) -> None:
        if saved is None:
            sink.add(person_id=pid, stay_id=sid, kind=EventKind.EVENT_VOIDED, valid_on=None)
            return
        for e in saved:
            if e.kind == kind:
                sink.add(
                    person_id=pid,
                    stay_id=sid,
                    kind=EventKind.EVENT_VOIDED,
                    valid_on=None,
                    data={"reason": "removed in import file", "voided_kind": kind},
                    supersedes_id=e.id,
                )

    if "datum_uitstroom" in columns:
        outflow = (row.outflow_date, row.outflow_type)
        if outflow != (ex["outflow_date"], ex["outflow_type"]):
            if row.outflow_date:
                sink.add(
                    person_id=pid,
                    stay_id=sid,
                    kind=EventKind.OUTFLOW_REGISTERED,
                    valid_on=row.outflow_date,
                    data={"outflow_type": row.outflow_type},
                )
            else:
                void(EventKind.OUTFLOW_REGISTERED)
    if "vervolg" in columns:
        follow = (row.follow_up, row.follow_up_date if row.follow_up else None)
        if follow != (ex["follow_up"], ex["follow_up_date"]):
            if row.follow_up:
                sink.add(
                    person_id=pid,
                    stay_id=sid,
                    kind=EventKind.FOLLOW_UP_REGISTERED,
                    valid_on=row.follow_up_date,
                    data={"follow_up": row.follow_up},
                )
            elif ex["follow_up"]:
                void(EventKind.FOLLOW_UP_REGISTERED)


def _effective(saved: list[_Ev]) -> list[_Ev]:
    voided = {e.supersedes_id for e in saved if e.kind == EventKind.EVENT_VOIDED}
    return [e for e in saved if e.id not in voided and e.kind != EventKind.EVENT_VOIDED]


def _report_invalid_state(exc: ValidationError, row: PersonRow, problems: list[Problem]) -> None:
    for key, messages in exc.message_dict.items():
        for message in messages:
            problems.append(Problem(row.row, FIELD_COLUMN.get(key, key), message))


def _validated_state(events: list[_Ev], row: PersonRow, problems: list[Problem]):
    state = stay_state(events)
    try:
        # The same invariants the services check on every stay they rebuild.
        registry_services._validate_stay(state)
    except ValidationError as exc:
        _report_invalid_state(exc, row, problems)
        return None
    return state


def _sorted_uuid4s(count: int) -> Iterator[uuid.UUID]:
    """`count` random uuid4 values (as `uuid.uuid4()` makes them, from os.urandom) in ascending
    order: handed out in file order, the inserts of an import walk the id indexes of persons,
    stays and events from left to right instead of jumping about."""
    raw = os.urandom(16 * count)
    # uuid4: version 4 in bits 76-79, variant 10 in bits 62-63 (what UUID(version=4) sets).
    clear = ~((0xF000 << 64) | (0xC000 << 48))
    mark = (0x4000 << 64) | (0x8000 << 48)
    values = sorted(
        (int.from_bytes(raw[i : i + 16], "big") & clear) | mark for i in range(0, len(raw), 16)
    )
    del raw
    return (uuid.UUID(int=value) for value in values)


def _write_batch(
    batch: list[PersonRow],
    *,
    lvv_ids: dict[str, int | None],
    lvvs_with_stays: set[int],
    columns: set[str],
    sink: _EventSink,
    new_rows: _NewRows,
    result: ImportResult,
    problems: list[Problem],
    write: bool,
    new_ids: tuple[Iterator[uuid.UUID], Iterator[uuid.UUID]],
    today: dt.date,
    writer: _BackgroundWriter | None = None,
) -> list[uuid.UUID]:
    """Plan (and with `write`, write, through `writer` when given) one batch of valid rows: new
    stays straight from their rows, changed stays through their saved events and the fold.
    Returns the persons concerned (for the access log)."""
    concerned: list[uuid.UUID] = []
    existing: dict[tuple[str, str], dict[str, Any]] = {}
    by_lvv: dict[tuple[str, int], list[str]] = defaultdict(list)
    for row in batch:
        # An LVV without stays when the import began (or created by it) has nothing to match.
        lvv_id = lvv_ids.get(row.lvv_key)
        if lvv_id is not None and lvv_id in lvvs_with_stays:
            by_lvv[(row.lvv_key, lvv_id)].append(row.corr)
    if by_lvv and writer is not None:
        writer.drain()  # the earlier batches' inserts first: this thread reads the database
    for (key, lvv_id), corrs in by_lvv.items():
        for ex in Stay.objects.filter(lvv_id=lvv_id, correspondence_number__in=corrs).values(
            *_EXISTING_FIELDS
        ):
            existing[(key, ex["correspondence_number"])] = ex

    touched: list[tuple[PersonRow, dict[str, Any]]] = []
    person_ids, stay_ids = new_ids
    validate = registry_services._validate_stay
    created = 0
    for row in batch:
        ex = existing.get((row.lvv_key, row.corr)) if existing else None
        if ex is None:
            state = _new_stay_state(row)
            try:
                # The same invariants the services check on every stay they rebuild.
                validate(state)
            except ValidationError as exc:
                _report_invalid_state(exc, row, problems)
                continue
            person_id = next(person_ids)
            new_rows.add(
                row,
                state,
                person_id=person_id,
                stay_id=next(stay_ids),
                lvv_id=lvv_ids[row.lvv_key],
            )
            concerned.append(person_id)
            created += 1
        else:
            scratch = _EventSink(now=sink.now, by=None, source="", source_ref="")
            _changed_stay_events(scratch, row, ex, columns, None, today)
            if not scratch.pending:
                result.stays_unchanged += 1
                continue
            touched.append((row, ex))

    # Existing stays with changes: plan with their saved events (voids need them), then fold.
    if touched:
        saved_by_stay: dict[uuid.UUID, list[_Ev]] = defaultdict(list)
        for e in Event.objects.filter(stay_id__in=[ex["id"] for _, ex in touched]).values(
            "id", "kind", "valid_on", "recorded_at", "data", "supersedes_id", "person_id", "stay_id"
        ):
            saved_by_stay[e["stay_id"]].append(_Ev(**e))
        stay_updates: list[Stay] = []
        person_updates: list[Person] = []
        for row, ex in touched:
            saved = saved_by_stay[ex["id"]]
            start = len(sink.pending)
            _changed_stay_events(sink, row, ex, columns, _effective(saved), today)
            planned = sink.pending[start:]
            stay_new = [e for e in planned if e.stay_id is not None]
            state = _validated_state(saved + stay_new, row, problems)
            if state is None:
                continue
            result.stays_updated += 1
            if stay_new:
                stay_updates.append(
                    Stay(
                        id=ex["id"],
                        version=ex["version"] + len(stay_new),
                        updated_at=sink.now,
                        **{attr: getattr(state, attr) for attr in STAY_PROJECTION},
                    )
                )
            person_events = [e for e in planned if e.stay_id is None]
            if person_events:
                result.persons_updated += 1
                values = {attr: ex[f"person__{attr}"] for attr in PERSON_COLUMNS.values()}
                values.update(person_events[0].data)
                person_updates.append(Person(id=ex["person_id"], updated_at=sink.now, **values))
            concerned.extend(dict.fromkeys(e.person_id for e in planned))
        if write and not problems:
            Stay.objects.bulk_update(stay_updates, [*STAY_PROJECTION, "version", "updated_at"])
            Person.objects.bulk_update(person_updates, [*PERSON_COLUMNS.values(), "updated_at"])
    result.persons_created += created
    result.stays_created += created
    persons, stays, ready = new_rows.take()
    result.events_created += len(sink) + len(ready)
    pending = sink.take()
    if write and not problems:
        # The wrapper itself, not django.db.connection: that proxy would resolve to another
        # connection (outside this transaction) in the writer's thread.
        connection = transaction.get_connection()
        job = functools.partial(
            _insert_batch,
            (new_rows.person_columns, persons),
            (new_rows.stay_columns, stays),
            ready,
            pending,
            connection=connection,
        )
        if writer is None:
            job()
        else:
            writer.submit(job)
    return list(dict.fromkeys(concerned))


def _adapter(field, connection) -> Callable[[Any], Any]:
    """How a value of this model field is sent to the database (what Django's insert compiler
    does per value, decided once per field instead of per value)."""
    from django.db import models as m

    target = field.target_field if field.is_relation else field
    if isinstance(target, m.UUIDField):
        if connection.features.has_native_uuid_field:
            return _identity
        # The events of one person follow each other: remember the last few ids' text.
        return functools.lru_cache(maxsize=64)(lambda v: None if v is None else v.hex)
    if isinstance(target, m.DateTimeField):
        return functools.lru_cache(maxsize=8)(connection.ops.adapt_datetimefield_value)
    if isinstance(target, m.DateField):
        return functools.lru_cache(maxsize=8192)(connection.ops.adapt_datefield_value)
    if isinstance(target, m.JSONField):
        if connection.vendor == "sqlite":
            # What adapt_json_value does (json.dumps(v, cls=encoder)), with one encoder.
            return (target.encoder or json.JSONEncoder)().encode
        return lambda v: connection.ops.adapt_json_value(v, target.encoder)
    return _identity


def _identity(value: Any) -> Any:
    return value


def _insert_events(ready: list[tuple], pending: list[tuple], *, connection) -> None:
    fields = list(_EventSink.ROW_FIELDS)
    if ready:
        fast_insert_rows(Event, fields, ready, adapted=True, connection=connection)
    if pending:
        fast_insert_rows(Event, fields, pending, connection=connection)


def _insert_batch(
    persons: tuple[list[str], list[list]],
    stays: tuple[list[str], list[list]],
    ready: list[tuple],
    pending: list[tuple],
    *,
    connection,
) -> None:
    """Write one batch's new persons, new stays (`_NewRows`) and events, in that order."""
    fast_insert_rows(Person, *persons, adapted=True, connection=connection)
    fast_insert_rows(Stay, *stays, adapted=True, connection=connection)
    _insert_events(ready, pending, connection=connection)


class _BackgroundWriter:
    """Runs the inserts of an import on a second thread, on the import's own connection and so
    inside its one transaction, while the main thread parses and plans the next batch. SQLite
    (and psycopg's COPY) leave the interpreter lock while the database works, so the database's
    index maintenance and the Python work overlap on two cores. At most `depth` batches wait, so
    memory stays bounded. The main thread uses the connection itself only after `drain()`;
    `close()` waits for the thread, so the transaction is never ended under a running insert.
    An error in a job is raised in the main thread at the next submit or drain, and the jobs
    after it are skipped: the transaction then rolls back as a whole."""

    def __init__(self, connection, *, depth: int = 2) -> None:
        self.connection = connection
        self.jobs: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.cancelled = False
        connection.inc_thread_sharing()
        self.thread = threading.Thread(target=self._run, name="import-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is None:
                    return
                if self.error is None and not self.cancelled:
                    job()
            except BaseException as exc:  # handed to the main thread
                self.error = exc
            finally:
                self.jobs.task_done()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def submit(self, job: Callable[[], None]) -> None:
        self._raise()
        self.jobs.put(job)

    def drain(self) -> None:
        self.jobs.join()
        self._raise()

    def close(self, *, cancel: bool = False) -> None:
        """Stop the thread (with `cancel`, skipping what still waits) and wait for it."""
        self.cancelled = self.cancelled or cancel
        self.jobs.put(None)
        self.thread.join()
        self.connection.dec_thread_sharing()


def fast_insert_rows(
    model,
    attnames: list[str],
    rows: Iterable,
    *,
    adapted: bool = False,
    connection=None,
) -> None:
    """INSERT rows (values in the order of `attnames`) with executemany: `bulk_create` without
    building model instances and without the per-value compiler work, which dominate a
    100,000-row import. No signals; auto ids are assigned by the database. `adapted`: the
    values are already what `_adapter` makes of them (rows as tuples, written as they are).
    `connection`: the default database's connection of this thread unless given."""
    if connection is None:
        from django.db import connection

    by_name = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_name[a] for a in attnames]
    adapters = [_adapter(f, connection) for f in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (quoted names, no input)
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    pairs = [(i, adapt) for i, adapt in enumerate(adapters) if adapt is not _identity]
    if adapted:
        pairs = []
    if connection.vendor == "postgresql":
        # COPY is PostgreSQL's bulk path: one stream instead of a statement per row. In binary
        # format (ADR 0096): psycopg writes uuids, dates and times as fixed-size values instead
        # of formatting and escaping text, and the server does not parse them back (for the
        # 500,000 events of a 100,000-row import about 2 s less CPU in the command and 1.5 s
        # less in the server than text COPY).
        table = quote(model._meta.db_table)
        copy_sql = "COPY {} ({}) FROM STDIN (FORMAT BINARY)".format(
            table, ", ".join(quote(f.column) for f in fields)
        )
        with connection.cursor() as cursor:
            raw = cursor.cursor
            # Binary COPY has no casts: every value is sent as its column's exact type.
            raw.execute(
                "SELECT attname, atttypid FROM pg_attribute"
                " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                [table],
            )
            oids = dict(raw.fetchall())
            _use_json_text_dumper(raw)
            with raw.copy(copy_sql) as copy:
                copy.set_types([oids[f.column] for f in fields])
                for row in rows:
                    if pairs:
                        row = list(row)
                        for i, adapt in pairs:
                            row[i] = adapt(row[i])
                    copy.write_row(row)
        return
    # SQLite: many rows per INSERT statement. Python's sqlite3 leaves the interpreter lock for
    # each statement it steps, so one statement per row would make the import's writer thread
    # (_BackgroundWriter) queue for the lock once per row. Up to 2,000 rows per statement (500
    # still cost the threaded import about 5 s of CPU in lock hand-overs; ADR 0084). Sent on the
    # library's own cursor with its own `?` placeholders: Django's cursor rewrites every `%s` of
    # a statement with a regular expression, 22,000 of them per statement here (5 s of CPU for
    # an import of 100,000 rows; ADR 0095). Same connection, so same transaction.
    per = max(1, min(2000, _sqlite_variable_limit(connection) // len(fields)))
    one = "(" + ", ".join(["?"] * len(fields)) + ")"
    head = sql[: sql.index(" VALUES ")] + " VALUES "
    statements: dict[int, str] = {}
    connection.ensure_connection()
    cursor = connection.connection.cursor()

    def write(chunk: list) -> None:
        n = len(chunk)
        if n not in statements:
            statements[n] = head + ", ".join([one] * n)
        cursor.execute(statements[n], list(chain.from_iterable(chunk)))

    # Errors as Django's (IntegrityError, ...), as through its cursor.
    with connection.wrap_database_errors:
        try:
            if not pairs and isinstance(rows, list):
                for start in range(0, len(rows), per):
                    write(rows[start : start + per])
                return
            chunk: list = []
            for row in rows:
                values = list(row)
                for i, adapt in pairs:
                    values[i] = adapt(values[i])
                chunk.append(values)
                if len(chunk) == per:
                    write(chunk)
                    chunk = []
            if chunk:
                write(chunk)
        finally:
            cursor.close()


def _use_json_text_dumper(cursor) -> None:
    """Let a binary COPY on this psycopg cursor write jsonb columns from JSON text (the ready rows
    of `_NewRows`) as well as from psycopg's Json/Jsonb wrappers (what Django's
    `adapt_json_value` makes of the other rows). Only this cursor is affected."""
    from psycopg import pq
    from psycopg.adapt import Dumper
    from psycopg.types.json import Json, Jsonb

    class JsonTextBinaryDumper(Dumper):
        format = pq.Format.BINARY
        oid = cursor.adapters.types["jsonb"].oid

        def dump(self, obj: Any) -> bytes:
            if isinstance(obj, (Json, Jsonb)):
                obj = (obj.dumps or json.dumps)(obj.obj)
            elif not isinstance(obj, str):
                obj = json.dumps(obj)
            # jsonb's binary input: a version byte (1), then the JSON text.
            return b"\x01" + obj.encode()

    # Registered for a private type: psycopg files it under the jsonb oid too, which is what
    # `set_types` looks up.
    cursor.adapters.register_dumper(_JsonTextMarker, JsonTextBinaryDumper)


class _JsonTextMarker:
    """Never instantiated: the type `_use_json_text_dumper` registers its dumper under."""


def _sqlite_variable_limit(connection) -> int:
    """How many parameters one SQLite statement may have (999 when the library cannot say)."""
    try:
        import sqlite3

        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except (AttributeError, ImportError):
        return 999


def _roomy_sqlite_cache() -> None:
    """SQLite's default page cache (2 MB) makes index updates of a large import thrash the disk;
    give this connection up to 384 MB while it lives (the whole event table and its indexes of a
    100,000-row import fit)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -393216")


def persons_import(
    *,
    path: Path | str,
    name: str | None = None,
    by: User | None = None,
    dry_run: bool = False,
    ind_path: Path | str | None = None,
    ind_name: str | None = None,
    allowed_lvv_ids: set[int] | None = None,
    channel: str = "command",
    progress: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import a person file (and optionally an IND file): the fast path used by the command, the
    web upload and the benchmark. `allowed_lvv_ids` limits the LVVs the file may name (a
    coordinator's own); None allows any and creates unknown LVVs. `on_progress(done, total)` is
    called after each batch of rows written (the background job's progress bar)."""
    path = Path(path)
    result = ImportResult(dry_run=dry_run, source_ref=file_source_ref(path, name))
    catalogue = _Catalogue(allowed_lvv_ids)
    problems: list[Problem] = []
    try:
        table = read_table(path, required=PERSON_REQUIRED, name=name)
    except FileInvalid as exc:
        problems.extend(exc.problems)
        table = None
    ind_table = None
    if ind_path is not None:
        ind_table = _ind_read(Path(ind_path), ind_name, problems)
    if table is None or problems:
        result.problems = problems
        return result
    columns = set(table.columns) - {""}
    check = _PersonFileCheck(table, catalogue)
    total = table.size_hint
    now = timezone.now()
    today = timezone.localdate()
    _roomy_sqlite_cache()
    try:
        with transaction.atomic():
            # Rows are checked and written batch by batch in this one transaction; from the first
            # problem on nothing more is written, the rest is only checked, and the transaction
            # is rolled back at the end: all or nothing, every problem reported.
            lvv_ids: dict[str, int | None] = {k: v.pk for k, v in catalogue.lvvs.items()}
            sink = _EventSink(now=now, by=by, source="import", source_ref=result.source_ref)
            new_rows = _NewRows(
                transaction.get_connection(),
                now=now,
                by_id=sink.by_id,
                org_id=sink.org_id,
                source=sink.source,
                source_ref=sink.source_ref,
            )
            # LVVs that had stays when the import began: only their rows can match a stay.
            lvvs_with_stays = set(
                Stay.objects.filter(lvv_id__in=[pk for pk in lvv_ids.values() if pk is not None])
                .values_list("lvv_id", flat=True)
                .distinct()
            )
            # Sorted ids for as many rows as the file seems to have, plain uuid4 after that.
            new_ids = (
                chain(_sorted_uuid4s(total), iter(uuid.uuid4, None)),
                chain(_sorted_uuid4s(total), iter(uuid.uuid4, None)),
            )
            bar = _progress(
                check.batches(BATCH, problems), total=total, enabled=progress, desc="import"
            )
            rows_done = 0
            writer = None
            if WRITE_IN_BACKGROUND and not dry_run:
                writer = _BackgroundWriter(transaction.get_connection())
            try:
                for batch in bar:
                    if hasattr(bar, "update"):
                        bar.update(len(batch) - 1)
                    if problems:
                        continue  # only checking from here on
                    for key, lvv_name in catalogue.new_lvvs.items():
                        if key in lvv_ids:
                            continue
                        if dry_run:
                            lvv_ids[key] = None
                        else:
                            lvv = LVV.objects.create(name=lvv_name)
                            Policy.objects.create(lvv=lvv)
                            lvv_ids[key] = lvv.pk
                            logger.info("import created LVV %s", lvv_name)
                    concerned = _write_batch(
                        batch,
                        lvv_ids=lvv_ids,
                        lvvs_with_stays=lvvs_with_stays,
                        columns=columns,
                        sink=sink,
                        new_rows=new_rows,
                        result=result,
                        problems=problems,
                        write=not dry_run,
                        new_ids=new_ids,
                        today=today,
                        writer=writer,
                    )
                    if concerned and not dry_run and not problems:
                        # The same lines as log_access would write (ADR 0070), on the access
                        # log's own connection, while the writer inserts this batch.
                        gate.log_access_bulk(
                            by,
                            persons=concerned,
                            operation="import",
                            activity=ProcessingActivity.IMPORT,
                            channel=channel,
                            categories=("identity", "stay"),
                        )
                    if on_progress is not None:
                        rows_done += len(batch)
                        on_progress(rows_done, max(total, rows_done))
                if writer is not None:
                    writer.drain()
            except BaseException:
                if writer is not None:
                    writer.close(cancel=True)
                raise
            else:
                if writer is not None:
                    writer.close()
            result.rows = check.valid + len(check.problem_rows)
            result.lvvs_created = sorted(catalogue.new_lvvs.values())
            if ind_table is not None and not problems:
                ind_sink = _EventSink(now=now, by=by, source="ind", source_ref="")
                _ind_apply(
                    ind_table,
                    stays=Stay.objects.all(),
                    file_keys=set(check.seen),
                    lvv_ids=lvv_ids,
                    sink=ind_sink,
                    result=result,
                    problems=problems,
                    write=not dry_run,
                    by=by,
                    channel=channel,
                )
            if problems or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if problems:  # nothing was written: say only what is wrong
        return ImportResult(
            dry_run=dry_run, problems=problems, rows=result.rows, source_ref=result.source_ref
        )
    return result


# IND enrichment ---------------------------------------------------------------------------------


@dataclass
class IndTable:
    columns: set[str]
    rows: list[tuple[int, dict[str, Cell]]]
    source_ref: str = ""


def _ind_read(path: Path, name: str | None, problems: list[Problem]) -> IndTable | None:
    try:
        table = read_table(path, required=IND_REQUIRED, name=name)
    except FileInvalid as exc:
        problems.extend(
            Problem(p.row, f"IND file {p.column}" if p.column == "file" else p.column, p.reason)
            for p in exc.problems
        )
        return None
    return IndTable(
        columns=set(table.columns) - {""},
        rows=list(table.rows),
        source_ref=file_source_ref(path, name),
    )


def _ind_apply(
    table: IndTable,
    *,
    stays: QuerySet[Stay],
    file_keys: set[tuple[str, str]],
    lvv_ids: Mapping[str, int | None],
    sink: _EventSink,
    result: ImportResult,
    problems: list[Problem],
    write: bool,
    by: User | None,
    channel: str,
    prefix: str = "IND ",
) -> None:
    """Record first-application dates and IND status as `person_corrected` events with source
    'ind', matched by correspondentienummer (within `stays`, the ones the caller may reach;
    an `lvv` column narrows it) or by v_nummer."""
    sink.source_ref = table.source_ref
    file_lvv = defaultdict(set)
    for lvv_key, corr in file_keys:
        file_lvv[corr].add(lvv_key)
    planned: dict[object, tuple[int, dict[str, Any]]] = {}
    for number, cells in table.rows:
        row_problems: list[Problem] = []

        def take(
            column: str,
            parse: Callable[[Cell], Any],
            cells=cells,
            number=number,
            row_problems=row_problems,
        ) -> Any:
            if column not in table.columns:
                return None
            try:
                return parse(cells.get(column, ""))
            except CellError as exc:
                row_problems.append(Problem(number, prefix + column, str(exc)))
                return None

        corr = take("correspondentienummer", parse_text) or ""
        v_number = take("v_nummer", parse_v_number) or ""
        lvv_name = take("lvv", parse_text) or ""
        first = take("datum_eerste_aanvraag", parse_date)
        status = take("huidige_status_ind", parse_text) or ""
        changes: dict[str, Any] = {}
        if first:
            changes["first_ind_application_date"] = first
        if status:
            changes["ind_status"] = status[:200]
        if not corr and not v_number and not row_problems:
            row_problems.append(
                Problem(number, prefix + "correspondentienummer", "a value is required")
            )
        key: object = None
        if not row_problems:
            candidates = stays
            lvv_key = normalize_label(lvv_name)
            if lvv_name:
                # An LVV unknown or (dry run) still to be created has no stays.
                lvv_id = lvv_ids.get(lvv_key)
                candidates = candidates.filter(lvv_id=-1 if lvv_id is None else lvv_id)
            if corr:
                in_file = file_lvv.get(corr, set())
                if lvv_name:
                    in_file &= {lvv_key}
                person_ids = set(
                    candidates.filter(correspondence_number=corr).values_list(
                        "person_id", flat=True
                    )[:3]
                )
                if in_file and not person_ids and len(in_file) == 1:
                    key = ("new", next(iter(in_file)), corr)
                elif len(person_ids) + (len(in_file) if not person_ids else 0) > 1:
                    row_problems.append(
                        Problem(
                            number,
                            prefix + "correspondentienummer",
                            f"'{corr}' is used in more than one LVV; add a column lvv",
                        )
                    )
                elif person_ids:
                    key = next(iter(person_ids))
            else:
                person_ids = set(
                    candidates.filter(person__v_number=v_number).values_list(
                        "person_id", flat=True
                    )[:3]
                )
                if len(person_ids) > 1:
                    row_problems.append(
                        Problem(
                            number, prefix + "v_nummer", "more than one person has this v_nummer"
                        )
                    )
                elif person_ids:
                    key = next(iter(person_ids))
            if key is None and not row_problems:
                column = "correspondentienummer" if corr else "v_nummer"
                row_problems.append(
                    Problem(
                        number, prefix + column, "no person with this number (that you may see)"
                    )
                )
            elif key in planned and not row_problems:
                row_problems.append(
                    Problem(
                        number,
                        prefix + "correspondentienummer",
                        f"the same person as row {planned[key][0]}",
                    )
                )
        if row_problems:
            problems.extend(row_problems)
        else:
            planned[key] = (number, changes)
    if problems:
        return
    # Resolve persons created by the person file in this run.
    new_keys = [k for k in planned if isinstance(k, tuple)]
    # The other keys are the ids of persons found in the register.
    resolved: dict[object, uuid.UUID | None] = {k: k for k in planned if isinstance(k, uuid.UUID)}
    for kind, lvv_key, corr in new_keys:
        new_lvv_id = lvv_ids.get(lvv_key)  # None: (dry run) an LVV still to be created
        resolved[(kind, lvv_key, corr)] = (
            None
            if new_lvv_id is None
            else Stay.objects.filter(lvv_id=new_lvv_id, correspondence_number=corr)
            .values_list("person_id", flat=True)
            .first()
        )
    current = {
        p["id"]: p
        for p in Person.objects.filter(
            pk__in=[v for v in resolved.values() if v is not None]
        ).values("id", "first_ind_application_date", "ind_status")
    }
    updates: list[Person] = []
    for key, (number, changes) in planned.items():
        person_id = resolved[key]
        if person_id is not None:
            result.ind_persons.append((number, person_id))
        before: Mapping[str, Any] = current.get(person_id, {}) if person_id else {}
        changed = {k: v for k, v in changes.items() if before.get(k) != v}
        if not changed:
            result.ind_unchanged += 1
            continue
        result.ind_updated += 1
        if person_id is None:  # dry run: the person would be created by the person file
            sink.add(
                person_id=uuid.uuid4(),
                stay_id=None,
                kind=EventKind.PERSON_CORRECTED,
                valid_on=None,
                data=changed,
            )
            continue
        sink.add(
            person_id=person_id,
            stay_id=None,
            kind=EventKind.PERSON_CORRECTED,
            valid_on=None,
            data=changed,
        )
        values = {
            "first_ind_application_date": before.get("first_ind_application_date"),
            "ind_status": before.get("ind_status", ""),
            **changed,
        }
        updates.append(Person(id=person_id, updated_at=sink.now, **values))
    result.events_created += len(sink.pending)
    if write:
        Event.objects.bulk_create(sink.models())
        Person.objects.bulk_update(
            updates, ["first_ind_application_date", "ind_status", "updated_at"]
        )
        gate.log_access(
            by,
            persons=[p.pk for p in updates],
            operation="update",
            activity=ProcessingActivity.IMPORT,
            channel=channel,
            categories=("ind",),
        )
    sink.pending = []


def ind_enrich(
    *,
    rows: Iterable[tuple[int, dict[str, Cell]]],
    columns: set[str],
    stays: QuerySet[Stay],
    by: User | None,
    source_ref: str,
    dry_run: bool = False,
    channel: str = "api",
) -> ImportResult:
    """IND enrichment without a person file (the API, or `--ind` alone). `stays` are the stays the
    caller may reach (gate.stays_visible_to); all or nothing."""
    result = ImportResult(dry_run=dry_run)
    problems: list[Problem] = []
    table = IndTable(columns=columns, rows=list(rows), source_ref=source_ref)
    lvv_ids = {normalize_label(name): pk for pk, name in LVV.objects.values_list("pk", "name")}
    try:
        with transaction.atomic():
            _ind_apply(
                table,
                stays=stays,
                file_keys=set(),
                lvv_ids=lvv_ids,
                sink=_EventSink(now=timezone.now(), by=by, source="ind", source_ref=source_ref),
                result=result,
                problems=problems,
                write=not dry_run,
                by=by,
                channel=channel,
                prefix="",
            )
            if problems or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    result.problems = problems
    return result


def ind_import(
    *, path: Path | str, name: str | None = None, by: User | None = None, dry_run: bool = False
) -> ImportResult:
    """`lvv import-persons --ind FILE` without rows of its own to import... see persons_import."""
    problems: list[Problem] = []
    table = _ind_read(Path(path), name, problems)
    if table is None:
        return ImportResult(dry_run=dry_run, problems=problems)
    return ind_enrich(
        rows=table.rows,
        columns=table.columns,
        stays=Stay.objects.all(),
        by=by,
        source_ref=table.source_ref,
        dry_run=dry_run,
        channel="command",
    )


# Capacity ---------------------------------------------------------------------------------------


def capacity_import(
    *, path: Path | str, name: str | None = None, by: User | None = None, dry_run: bool = False
) -> ImportResult:
    """Append a CapacityRecord for every (lvv, datum_vanaf) whose capacity differs from the latest
    recorded one; unchanged rows are skipped, so a second import changes nothing."""
    path = Path(path)
    result = ImportResult(dry_run=dry_run)
    catalogue = _Catalogue(None)
    try:
        table = read_table(path, required=CAPACITY_REQUIRED, name=name)
    except FileInvalid as exc:
        result.problems = exc.problems
        return result
    rows: list[tuple[int, str, dt.date, int]] = []
    seen: dict[tuple[str, dt.date], tuple[int, int]] = {}
    for number, cells in table.rows:
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        for column, parse in (
            ("lvv", lambda c: catalogue.lvv_key(parse_text(c))),
            ("datum_vanaf", parse_date),
            ("capaciteit", parse_places),
        ):
            if cells.get(column, "") == "":
                problems.append(Problem(number, column, "a value is required"))
                continue
            try:
                values[column] = parse(cells[column])
            except CellError as exc:
                problems.append(Problem(number, column, str(exc)))
        if not problems:
            key = (values["lvv"], values["datum_vanaf"])
            if key in seen and seen[key][1] != values["capaciteit"]:
                problems.append(
                    Problem(
                        number,
                        "datum_vanaf",
                        f"this LVV has another capacity from this date in row {seen[key][0]}",
                    )
                )
            seen[key] = (number, values["capaciteit"])
            rows.append((number, values["lvv"], values["datum_vanaf"], values["capaciteit"]))
        result.problems.extend(problems)
    if not rows and not result.problems:
        result.problems.append(Problem(1, "file", "the file has a header but no rows"))
    if result.problems:
        return result
    result.lvvs_created = sorted(catalogue.new_lvvs.values())
    latest: dict[tuple[int, dt.date], int] = {}
    for record in CapacityRecord.objects.order_by("recorded_at", "id").values(
        "lvv_id", "valid_from", "places"
    ):
        latest[(record["lvv_id"], record["valid_from"])] = record["places"]
    with transaction.atomic():
        lvv_ids: dict[str, int | None] = {k: v.pk for k, v in catalogue.lvvs.items()}
        for new_key, lvv_name in catalogue.new_lvvs.items():
            if dry_run:
                lvv_ids[new_key] = None
                continue
            lvv = LVV.objects.create(name=lvv_name)
            Policy.objects.create(lvv=lvv)
            lvv_ids[new_key] = lvv.pk
        new: list[CapacityRecord] = []
        done: set[tuple[str, dt.date]] = set()
        now = timezone.now()
        for _number, lvv_key, valid_from, places in rows:
            if (lvv_key, valid_from) in done:
                continue
            done.add((lvv_key, valid_from))
            lvv_id = lvv_ids[lvv_key]
            if lvv_id is not None and latest.get((lvv_id, valid_from)) == places:
                result.capacity_unchanged += 1
                continue
            result.capacity_created += 1
            if lvv_id is None:  # dry run: an LVV still to be created; nothing is written
                continue
            new.append(
                CapacityRecord(
                    lvv_id=lvv_id,
                    valid_from=valid_from,
                    places=places,
                    recorded_at=now,
                    recorded_by=by if by is not None and by.pk else None,
                    source="import",
                )
            )
        if not dry_run:
            CapacityRecord.objects.bulk_create(new)
    return result
