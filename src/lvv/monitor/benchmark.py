"""Benchmark of the monitor at scale (docs/monitor.md, "Performance").

    LVV_DATA_DIR=/tmp/lvv-bench python -m lvv.monitor.benchmark --persons 100000

Fills an EMPTY database (migrate first) with synthetic persons of about 20 events each through
bulk inserts (not the services: this is about reading), then times
  1. a bare full scan of the event table (every column, streamed),
  2. `monitor_compute` for one peildatum,
  3. DuckDB computing the core figures (intake, occupancy, outflow by type, scenarios, gender,
     age bands per LVV) from a CSV export of the same events,
and prints the ratios. Never run it against a database with real data."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import tempfile
import time
import uuid


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lvv.conf.dev")
    import django

    django.setup()


def generate(persons: int, *, seed: int = 7) -> int:
    from django.db import transaction
    from django.utils import timezone

    from lvv.registry.history import person_state, stay_state
    from lvv.registry.models import LVV, CapacityRecord, Event, Person, Policy, Stay
    from lvv.registry.services import PERSON_FIELDS, STAY_PROJECTION

    rng = random.Random(seed)
    lvvs = []
    for i in range(40):
        lvv, _ = LVV.objects.get_or_create(
            name=f"Bench{i:02d}", defaults={"start_date": dt.date(2019, 1, 1)}
        )
        Policy.objects.get_or_create(lvv=lvv)
        CapacityRecord.objects.get_or_create(
            lvv=lvv, valid_from=dt.date(2019, 1, 1), defaults={"places": 300}
        )
        lvvs.append(lvv)
    base = timezone.now() - dt.timedelta(days=2000)
    countries = ["ERI", "IRN", "AFG", "MAR", "DZA", "SYR", "IRQ", "NGA", "XXA", ""]
    scenarios = ["legalisation", "return", "onward_migration", "not_yet_determined",
                 "medical_stabilisation"]  # fmt: skip
    outflows = ["legalisation", "return", "repeat_asylum_application", "article_64",
                "unknown_destination", "terminated", "immigration_detention", "own_network"]  # fmt: skip
    total = 0
    batch = 2000
    for start in range(0, persons, batch):
        people: list[Person] = []
        stays: list[Stay] = []
        events: list[Event] = []
        for _ in range(min(batch, persons - start)):
            p = Person(id=uuid.uuid4())
            s = Stay(id=uuid.uuid4(), person=p, lvv=rng.choice(lvvs))
            people.append(p)
            stays.append(s)
            admitted = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 1800))
            t = base + dt.timedelta(days=(admitted - dt.date(2019, 1, 1)).days)

            def ev(kind, valid_on, data, stay=s, t_offset=0, p=p, t=t, events=events):
                events.append(
                    Event(person=p, stay=stay, kind=kind, valid_on=valid_on,
                          recorded_at=t + dt.timedelta(minutes=t_offset), data=data, source="bench")
                )  # fmt: skip

            ev("person_recorded", None, {"gender": rng.choice(["male", "female", "unknown"]),
               "birth_year": rng.randint(1950, 2004), "country": rng.choice(countries),
               "given_names": "X", "family_name": "Y",
               "first_ind_application_date": "2012-05-01"}, stay=None)  # fmt: skip
            ev("person_corrected", None, {"country": rng.choice(countries)}, None, 5)
            ev("stay_registered", admitted, {"target_group": "convenant"}, t_offset=1)
            ev("stay_waitlisted", admitted, {}, t_offset=2)
            ev("stay_admitted", admitted, {}, t_offset=3)
            for k in range(3):
                ev("organisation_set", admitted, {"organisation_id": k}, t_offset=4 + k)
            for k in range(4):
                ev("location_set", admitted + dt.timedelta(days=k * 30), {"location_id": k},
                   t_offset=10 + k)  # fmt: skip
            for k in range(3):
                ev("scenario_set", admitted + dt.timedelta(days=k * 40),
                   {"scenario": rng.choice(scenarios), "discussed_in_lso": rng.random() > 0.2},
                   t_offset=20 + k)  # fmt: skip
            ev(
                "stay_extended",
                admitted + dt.timedelta(days=180),
                {"until": "2030-01-01"},
                t_offset=30,
            )
            ev(
                "stay_extended",
                admitted + dt.timedelta(days=360),
                {"until": "2030-01-01"},
                t_offset=31,
            )
            if rng.random() < 0.6:
                out = admitted + dt.timedelta(days=rng.randint(10, 600))
                kind = rng.choice(outflows)
                ev("outflow_registered", out, {"outflow_type": kind}, t_offset=40)
                if kind == "immigration_detention":
                    ev("follow_up_registered", out + dt.timedelta(days=30),
                       {"follow_up": "forced_departure"}, t_offset=41)  # fmt: skip
            else:
                ev("person_corrected", None, {"gender": "male"}, None, 45)
        # The projection columns the services would have written (the monitor reads them); not
        # the guiding organisation and location: the synthetic events name ids that do not exist.
        by_stay: dict = {}
        by_person: dict = {}
        for e in events:
            if e.stay is not None:
                by_stay.setdefault(e.stay, []).append(e)
            else:
                by_person.setdefault(e.person, []).append(e)
        for stay, stay_events in by_stay.items():
            stay_now = stay_state(stay_events)
            for attr in STAY_PROJECTION:
                if attr not in ("organisation_id", "location_id"):
                    setattr(stay, attr, getattr(stay_now, attr))
        for person, person_events in by_person.items():
            person_now = person_state(person_events)
            for attr in PERSON_FIELDS:
                setattr(person, attr, getattr(person_now, attr))
        with transaction.atomic():
            Person.objects.bulk_create(people)
            Stay.objects.bulk_create(stays)
            Event.objects.bulk_create(events, batch_size=5000)
        total += len(events)
    return total


def bare_scan() -> int:
    from lvv.registry.models import Event

    n = 0
    fields = [f.attname for f in Event._meta.concrete_fields]
    for _row in Event.objects.values_list(*fields).iterator(chunk_size=10_000):
        n += 1
    return n


def export_csv(folder: str) -> tuple[str, str]:
    from lvv.registry.models import Event, Stay

    events_path = os.path.join(folder, "events.csv")
    stays_path = os.path.join(folder, "stays.csv")
    with open(events_path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["stay_id", "person_id", "id", "kind", "valid_on", "recorded_at", "data"])
        for row in Event.objects.values_list(
            "stay_id", "person_id", "id", "kind", "valid_on", "recorded_at", "data"
        ).iterator(chunk_size=10_000):
            w.writerow([row[0] or "", row[1], row[2], row[3], row[4] or "", row[5].isoformat(),
                        json.dumps(row[6])])  # fmt: skip
    with open(stays_path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["stay_id", "lvv_id"])
        for stay_row in Stay.objects.values_list("id", "lvv_id").iterator(chunk_size=10_000):
            w.writerow(stay_row)
    return events_path, stays_path


DUCKDB_SQL = """
WITH e AS (SELECT * FROM read_csv_auto('{events}', header=true, all_varchar=true)),
latest AS (  -- single-valued facts: the most recently recorded event of each kind
  SELECT stay_id, kind, valid_on, data FROM (
    SELECT *, row_number() OVER (PARTITION BY stay_id, kind ORDER BY recorded_at DESC, id::BIGINT DESC) rn
    FROM e WHERE stay_id <> '' AND kind IN ('stay_registered','stay_admitted','outflow_registered')
  ) WHERE rn = 1),
scen AS (    -- time series: latest valid_on on or before the peildatum
  SELECT stay_id, data FROM (
    SELECT *, row_number() OVER (PARTITION BY stay_id ORDER BY valid_on DESC, recorded_at DESC, id::BIGINT DESC) rn
    FROM e WHERE kind = 'scenario_set' AND valid_on::DATE <= DATE '{p}'
  ) WHERE rn = 1),
person AS (
  SELECT person_id,
    last(json_extract_string(data, '$.gender') ORDER BY recorded_at) FILTER (WHERE json_extract_string(data, '$.gender') IS NOT NULL) gender,
    last(json_extract_string(data, '$.birth_year') ORDER BY recorded_at) FILTER (WHERE json_extract_string(data, '$.birth_year') IS NOT NULL) birth_year
  FROM e WHERE stay_id = '' GROUP BY person_id),
stay AS (
  SELECT s.stay_id, s.lvv_id, a.valid_on::DATE adm,
    CASE WHEN o.valid_on::DATE <= DATE '{p}' THEN json_extract_string(o.data, '$.outflow_type') END out_type,
    json_extract_string(sc.data, '$.scenario') scenario, pe.gender, pe.birth_year::INT birth_year
  FROM read_csv_auto('{stays}', header=true, all_varchar=true) s
  JOIN latest a ON a.stay_id = s.stay_id AND a.kind = 'stay_admitted' AND a.valid_on::DATE <= DATE '{p}'
  LEFT JOIN latest o ON o.stay_id = s.stay_id AND o.kind = 'outflow_registered'
  LEFT JOIN scen sc ON sc.stay_id = s.stay_id
  JOIN (SELECT DISTINCT stay_id, person_id FROM e WHERE stay_id <> '') sp ON sp.stay_id = s.stay_id
  LEFT JOIN person pe ON pe.person_id = sp.person_id)
SELECT lvv_id, count(*) intake, count(*) FILTER (WHERE out_type IS NULL) occupancy,
  histogram(out_type), histogram(scenario) FILTER (WHERE out_type IS NULL), histogram(gender),
  histogram(CASE WHEN birth_year IS NULL THEN 'unknown' ELSE ({y} - birth_year)::VARCHAR END)
FROM stay GROUP BY lvv_id
"""


def duckdb_figures(events: str, stays: str, peildatum: dt.date):
    import duckdb

    sql = DUCKDB_SQL.format(events=events, stays=stays, p=peildatum.isoformat(), y=peildatum.year)
    relation = duckdb.sql(sql)
    if relation is None:  # only a statement without a result gives none; this is a SELECT
        raise RuntimeError("DuckDB gave no result for the figures query")
    return relation.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--peildatum", default="2022-06-30")
    parser.add_argument("--skip-generate", action="store_true")
    args = parser.parse_args()
    _setup()
    from lvv.monitor.figures import monitor_compute
    from lvv.registry.models import Event

    if not args.skip_generate:
        if Event.objects.exists():
            raise SystemExit("the database is not empty: use a fresh LVV_DATA_DIR/DATABASE_URL")
        t = time.perf_counter()
        n = generate(args.persons)
        print(f"generated {n} events for {args.persons} persons in {time.perf_counter() - t:.1f}s")
    peildatum = dt.date.fromisoformat(args.peildatum)

    def timed(fn):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        return result, time.perf_counter() - wall, time.process_time() - cpu

    # Twice each, the best of two (the first run warms the page cache).
    rows, scan, scan_cpu = min((timed(bare_scan) for _ in range(2)), key=lambda r: r[1])
    doc, monitor, monitor_cpu = min(
        (timed(lambda: monitor_compute(peildatum=peildatum)) for _ in range(2)),
        key=lambda r: r[1],
    )
    with tempfile.TemporaryDirectory() as folder:
        events, stays = export_csv(folder)
        duck, duck_time, _ = min(
            (timed(lambda: duckdb_figures(events, stays, peildatum)) for _ in range(2)),
            key=lambda r: r[1],
        )
    duck_intake = sum(r[1] for r in duck)
    print(f"events: {rows}")
    print(f"bare full scan of the event table: {scan:.2f}s wall, {scan_cpu:.2f}s cpu")
    print(f"monitor_compute:                   {monitor:.2f}s wall, {monitor_cpu:.2f}s cpu "
          f"({monitor / scan:.2f}x the scan)")  # fmt: skip
    print(f"DuckDB from CSV (core figures):    {duck_time:.2f}s wall "
          f"(monitor is {monitor / duck_time:.2f}x)")  # fmt: skip
    print(f"intake check: monitor {doc['national']['intake_total']}, DuckDB {duck_intake}")


if __name__ == "__main__":
    main()
