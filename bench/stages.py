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
    """The analyst's CSV export of the stays (state at the end of the data) and capacity.

    The stay table holds no waiting-list or refusal date: they are the valid date of the stay's
    latest recorded event of that kind that was not voided, as the register's fold takes them
    (docs/adr/0102)."""
    from django.db import connection

    def latest(kind: str) -> str:
        return f"""(SELECT e.valid_on FROM registry_event e
                    WHERE e.stay_id = s.id AND e.kind = '{kind}'
                      AND NOT EXISTS (SELECT 1 FROM registry_event v
                                      WHERE v.supersedes_id = e.id AND v.kind = 'event_voided')
                    ORDER BY e.recorded_at DESC, e.id DESC LIMIT 1)"""

    stays_csv, capacity_csv = OUT / "stays.csv", OUT / "capacity.csv"
    with connection.cursor() as cur, stays_csv.open("w", newline="", encoding="utf-8") as fh:
        cur.execute(
            f"""
            SELECT l.name, s.correspondence_number, s.target_group, s.admission_date,
                   s.outflow_date, s.outflow_type, s.scenario, s.scenario_discussed_in_lso,
                   s.follow_up, s.follow_up_date, p.gender, p.birth_year, p.country,
                   p.first_ind_application_date, {latest("stay_waitlisted")},
                   {latest("stay_refused")}
            FROM registry_stay s JOIN registry_lvv l ON l.id = s.lvv_id
            JOIN registry_person p ON p.id = s.person_id
            """  # only the two constant kinds above are put in the text
        )
        w = csv.writer(fh)
        w.writerow(
            [
                "lvv", "correspondence_number", "target_group", "admission_date",
                "outflow_date", "outflow_type", "scenario", "discussed_in_lso", "follow_up",
                "follow_up_date", "gender", "birth_year", "country",
                "first_ind_application_date", "waitlisted_on", "refusal_date",
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


PROBE_KINDS = [
    ("exact", 25), ("one_edit", 20), ("transposition", 10), ("transliteration", 15),
    ("missing_given_name", 10), ("swapped", 10), ("no_birth_year_one_edit", 10),
]  # fmt: skip


def _typo(rng: random.Random, name: str, kind: str) -> str:
    """One edit (substitute, insert or delete a letter) or one transposition of two neighbours,
    never on the first letter of a name of three letters or fewer."""
    if len(name) < 2:
        return name + rng.choice("aeiou")
    if kind == "transposition":
        at = rng.randrange(len(name) - 1)
        return name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    at = rng.randrange(1 if len(name) <= 3 else 0, len(name))
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    op = rng.choice(("substitute", "insert", "delete"))
    if op == "substitute":
        return name[:at] + letter + name[at + 1 :]
    if op == "insert":
        return name[:at] + letter + name[at:]
    return name[:at] + name[at + 1 :]


def duplicate_probes(persons: list[dict], n: int, seed: int = 7) -> list[dict]:
    """Registrations of people already in the register, as a desk would type them: exact, with
    one typo, a transposition, another romanisation, without the given name, with given and family
    name swapped, or without the birth year and with a typo. 30% also carry the V-number.
    Each probe keeps the true person's id (`truth`) and its kind, to measure recall."""
    from bench.names import NameDrawer

    rng = random.Random(seed)
    drawer = NameDrawer(random.Random(seed + 1))
    kinds, weights = zip(*PROBE_KINDS, strict=True)
    probes = []
    for p in rng.sample(persons, n):
        kind = rng.choices(kinds, weights)[0]
        given, family, birth_year = p["given_names"], p["family_name"], p["birth_year"]
        # The typo goes into the family name, or into the given name when there is none.
        field = "family" if family and (not given or rng.random() < 0.7) else "given"
        if kind in ("one_edit", "transposition", "no_birth_year_one_edit"):
            typo_kind = "transposition" if kind == "transposition" else "edit"
            if field == "family":
                family = _typo(rng, family, typo_kind)
            else:
                given = _typo(rng, given, typo_kind)
        elif kind == "transliteration":
            if field == "family":
                family = drawer.variant(family)
            else:
                given = drawer.variant(given)
        elif kind == "missing_given_name":
            given = ""
        elif kind == "swapped":
            given, family = family, given
        if kind == "no_birth_year_one_edit":
            birth_year = None
        probes.append(
            {
                "kind": kind,
                "truth": p["pk"],
                "args": {
                    "given_names": given,
                    "family_name": family,
                    "birth_year": birth_year,
                    "country": p["country"],
                    "v_number": p["v_number"] if rng.random() < 0.3 else "",
                },
            }
        )
    return probes


def duplicates() -> dict:
    """p95 of the national duplicate check at registration, probes drawn from the register and
    made realistic (duplicate_probes); recall = the true person among the matches."""
    from collections import Counter

    from lvv.registry.models import Person

    try:
        from lvv.workflow.duplicates import duplicates_find
    except ImportError as exc:
        return {"error": f"duplicates_find not available: {exc}"}
    rebuilt = None
    try:
        from lvv.workflow.duplicates import name_keys_rebuild
    except ImportError:
        pass
    else:
        # The bulk load writes persons without the derived name keys (as a restore would), and
        # keys built by an earlier version of the code may differ: rebuild them, as after any
        # bulk load; timed apart, not part of the figure.
        started = time.perf_counter()
        name_keys_rebuild()
        rebuilt = round(time.perf_counter() - started, 1)
    fields = ("pk", "given_names", "family_name", "birth_year", "country", "v_number")
    persons = list(Person.objects.order_by("pk").values(*fields)[:100_000])
    probes = duplicate_probes(persons, 270)
    for probe in probes[:20]:  # warm-up
        duplicates_find(**probe["args"])
    times = []
    asked: Counter = Counter()
    found: Counter = Counter()
    for probe in probes[20:]:
        started = time.perf_counter()
        matches = duplicates_find(**probe["args"])
        times.append((time.perf_counter() - started) * 1000)
        if not probe["args"]["v_number"]:  # recall on names alone (a V-number always matches)
            asked[probe["kind"]] += 1
            found[probe["kind"]] += any(m.person_id == probe["truth"] for m in matches)
    times.sort()
    return {
        "value": times[int(len(times) * 0.95) - 1],
        "median": statistics.median(times),
        "n": len(times),
        "recall": sum(found.values()) / max(1, sum(asked.values())),
        "recall_n": sum(asked.values()),
        "recall_by_kind": {k: f"{found[k]}/{asked[k]}" for k in sorted(asked)},
        "keys_rebuilt_seconds": rebuilt,
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
    # The API's one-person read of the same persons, with a token of the same user: the cheapest
    # request that reads a person (login, the gate, the access log, no page around it).
    out["paths"]["api_person"] = []
    out["token"] = None
    try:
        from django.utils import timezone

        from lvv.exchange.models import ApiToken
    except ImportError:  # before the API existed
        return out
    user = User.objects.get(username="bench-gemeente-amsterdam")
    ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
    out["token"] = ApiToken.issue(user)[1]
    out["paths"]["api_person"] = [
        first(["api:person-detail"], pk=person_id) for person_id, _stay_id in ngo_stays[:500]
    ]
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
