"""The measurements that run inside a Django process (one database per process).

    python -m bench.stages STAGE   (DATABASE_URL and DJANGO_SETTINGS_MODULE set by bench.__main__)

Each stage prints one JSON object on its last line of standard output."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import pickle
import random
import statistics
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def _setup() -> None:
    import django

    django.setup()


def _median_time(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def prepare() -> dict:
    """Migrate; load the cached dataset when the database is still empty; verify a sample."""
    from django.core.management import call_command
    from django.db import connection

    from bench.load import load, verify_sample

    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM registry_event")
        existing = cur.fetchone()[0]
    loaded = None
    if existing == 0:
        with (OUT / os.environ["BENCH_DATASET"]).open("rb") as fh:
            tables = pickle.load(fh)
        started = time.perf_counter()
        counts = load(tables, log=lambda msg: print(msg, file=sys.stderr))
        loaded = {"seconds": round(time.perf_counter() - started, 1), "rows": counts}
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM registry_event")
        events = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM registry_person")
        persons = cur.fetchone()[0]
    checked = verify_sample(300)
    return {"events": events, "persons": persons, "loaded": loaded, "verified": checked}


def scan_events() -> int:
    """The baseline of docs/adr/0060: every row and column of registry_event through the same
    driver and connection the monitor uses, fetched in chunks and discarded."""
    from django.db import connection

    n = 0
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM registry_event")
        while rows := cur.fetchmany(10_000):
            n += len(rows)
    return n


def monitor_vs_scan() -> dict:
    peildatum = dt.date.fromisoformat(os.environ["BENCH_PEILDATUM"])
    scan, rows = _median_time(scan_events, 3)
    try:
        from lvv.monitor.figures import monitor_compute
    except ImportError as exc:
        return {"baseline": scan, "rows": rows, "error": f"monitor_compute not available: {exc}"}
    value, document = _median_time(lambda: monitor_compute(peildatum=peildatum), 3)
    return {"baseline": scan, "rows": rows, "value": value, "lvvs": len(document["lvvs"])}


def export_stays() -> dict:
    """The analyst's CSV export of the stays (state at the end of the data) and capacity."""
    from django.db import connection

    stays_csv, capacity_csv = OUT / "stays.csv", OUT / "capacity.csv"
    with connection.cursor() as cur, stays_csv.open("w", newline="", encoding="utf-8") as fh:
        cur.execute(
            """
            SELECT l.name, s.correspondence_number, s.target_group, s.admission_date,
                   s.outflow_date, s.outflow_type, s.scenario, s.scenario_discussed_in_lso,
                   s.follow_up, s.follow_up_date, p.gender, p.birth_year, p.country,
                   p.first_ind_application_date
            FROM registry_stay s JOIN registry_lvv l ON l.id = s.lvv_id
            JOIN registry_person p ON p.id = s.person_id
            """
        )
        w = csv.writer(fh)
        w.writerow(
            [
                "lvv", "correspondence_number", "target_group", "admission_date",
                "outflow_date", "outflow_type", "scenario", "discussed_in_lso", "follow_up",
                "follow_up_date", "gender", "birth_year", "country",
                "first_ind_application_date",
            ]
        )  # fmt: skip
        n = 0
        while rows := cur.fetchmany(10_000):
            w.writerows(rows)
            n += len(rows)
    with connection.cursor() as cur, capacity_csv.open("w", newline="", encoding="utf-8") as fh:
        cur.execute(
            "SELECT l.name, c.valid_from, c.places, c.recorded_at FROM registry_capacityrecord c"
            " JOIN registry_lvv l ON l.id = c.lvv_id"
        )
        w = csv.writer(fh)
        w.writerow(["lvv", "valid_from", "places", "recorded_at"])
        w.writerows(cur.fetchall())
    return {"stays": str(stays_csv), "capacity": str(capacity_csv), "rows": n}


def duplicates() -> dict:
    """p95 of the national duplicate check at registration, probes drawn from the register."""
    from lvv.registry.models import Person

    try:
        from lvv.workflow.duplicates import duplicates_find
    except ImportError as exc:
        return {"error": f"duplicates_find not available: {exc}"}
    rng = random.Random(7)
    ids = list(Person.objects.values_list("pk", flat=True)[:100_000])
    probes = []
    for pk in rng.sample(ids, 250):
        p = Person.objects.get(pk=pk)
        kind = rng.random()
        probes.append(
            {
                "given_names": p.given_names,
                "family_name": p.family_name if kind < 0.7 else p.family_name + "x",
                "birth_year": p.birth_year,
                "country": p.country,
                "v_number": p.v_number if kind < 0.3 else "",
            }
        )
    for probe in probes[:20]:  # warm-up
        duplicates_find(**probe)
    times = []
    for probe in probes[20:]:
        started = time.perf_counter()
        duplicates_find(**probe)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "value": times[int(len(times) * 0.95) - 1],
        "median": statistics.median(times),
        "n": len(times),
    }


def sessions() -> dict:
    """Logged-in sessions for the bench users, made directly in the session store, and the paths
    the web benchmark requests."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import NoReverseMatch, reverse

    from lvv.accounts.models import User
    from lvv.registry.models import Stay

    out: dict = {"cookies": {}, "paths": {}}
    for username in ("bench-alles", "bench-ngo-amsterdam", "bench-gemeente-amsterdam"):
        user = User.objects.get(username=username)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        # Two-factor: what the real verify step leaves behind (lvv.accounts.testing), and the
        # session-age marks of lvv.accounts.middleware, so no request is redirected.
        try:
            from django_otp import DEVICE_ID_SESSION_KEY

            from lvv.accounts.signals import HAS_DEVICE, LOGIN_AT, SEEN_AT
            from lvv.accounts.testing import give_totp_device

            store[DEVICE_ID_SESSION_KEY] = give_totp_device(user).persistent_id
            now = time.time()
            store.update({HAS_DEVICE: True, LOGIN_AT: now, SEEN_AT: now})
        except ImportError:  # before two-factor existed
            pass
        store.create()
        out["cookies"][username] = store.session_key

    def first(names, **kwargs):
        for name in names:
            try:
                return reverse(name, kwargs=kwargs or None)
            except NoReverseMatch:
                continue
        return None

    out["paths"]["healthz"] = first(["jobs:healthz"])
    out["paths"]["case_list"] = first(
        ["registry:person_list", "registry:case_list", "registry:stay_list"]
    )
    ngo_stays = list(
        Stay.objects.filter(lvv__name="Amsterdam").values_list("person_id", "id")[:2000]
    )
    person_paths = []
    for person_id, _stay_id in ngo_stays[:500]:
        path = first(
            ["registry:person", "registry:person_detail", "registry:person-detail"],
            pk=person_id,
        ) or first(["registry:person", "registry:person_detail"], person_id=person_id)
        if path is None:
            break
        person_paths.append(path)
    out["paths"]["person"] = person_paths
    return out


STAGES = {
    "prepare": prepare,
    "monitor_vs_scan": monitor_vs_scan,
    "export_stays": export_stays,
    "duplicates": duplicates,
    "sessions": sessions,
}


if __name__ == "__main__":
    _setup()
    result = STAGES[sys.argv[1]]()
    print(json.dumps(result, default=str))
