"""A national synthetic dataset: 40 LVVs, 100,000 persons, over 2,000,000 events in ten years.

Everything is made up from a fixed seed, so a run is reproducible. The distributions follow
DOMAIN.md: inflow grows over the years, guidance scenarios change during a stay, the outflow mix
among those who left is 18% durable, 41% semi-durable and 41% non-durable (section 5/7), some
people come back later or move to another LVV, capacity changes over time, and people move between
the locations of their LVV.

The result is a dict `table label -> (columns, rows)` with the columns named by Django attname;
`bench.load` writes it in bulk. The stay projection columns are computed here from the same facts
the events carry; `bench.load.verify_sample` checks a sample against `lvv.registry.history`."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass

from bench.names import NameDrawer

START = dt.date(2016, 1, 1)
END = dt.date(2025, 12, 31)  # the peildatum of the benchmark: every event is valid by then
SEED = 20261122
N_LVVS = 40
N_PERSONS = 100_000
MIN_EVENTS = 2_000_000
VERSION = 4  # bump when the generated data changes, to invalidate the cache in bench/out/

MUNICIPALITIES = [
    "Amsterdam", "Eindhoven", "Groningen", "Rotterdam", "Utrecht", "Den Haag", "Tilburg",
    "Almere", "Breda", "Nijmegen", "Apeldoorn", "Haarlem", "Arnhem", "Enschede", "Amersfoort",
    "Zaanstad", "Den Bosch", "Haarlemmermeer", "Zwolle", "Zoetermeer", "Leiden", "Leeuwarden",
    "Maastricht", "Dordrecht", "Ede", "Alphen aan den Rijn", "Westland", "Alkmaar", "Emmen",
    "Delft", "Venlo", "Deventer", "Sittard-Geleen", "Helmond", "Oss", "Amstelveen", "Hilversum",
    "Heerlen", "Assen", "Middelburg",
]  # fmt: skip
COUNTRIES = [
    ("ERI", 9), ("SYR", 5), ("IRN", 6), ("IRQ", 6), ("AFG", 6), ("NGA", 7), ("GIN", 6),
    ("SOM", 5), ("ETH", 5), ("SDN", 5), ("MAR", 6), ("DZA", 6), ("LBY", 2), ("EGY", 2),
    ("TUN", 2), ("GHA", 3), ("SLE", 3), ("CMR", 3), ("GMB", 2), ("MLI", 2), ("CIV", 2),
    ("MNG", 2), ("CHN", 2), ("PAK", 3), ("LKA", 1), ("RUS", 2), ("GEO", 2), ("ALB", 1),
    ("UKR", 1), ("SRB", 1), ("BRA", 1), ("COL", 1), ("SUR", 1), ("VEN", 1), ("XXA", 1), ("", 3),
]  # fmt: skip
# The names of dataset version 3; still drawn (and discarded) so the other columns stay as in v3.
GIVEN = [
    "Abel", "Amir", "Bashir", "Chidi", "Dawit", "Elias", "Farah", "Goli", "Hamid", "Idris",
    "Jamal", "Kofi", "Layla", "Mariam", "Nadia", "Omar", "Petros", "Qasim", "Rahel", "Samir",
    "Tesfay", "Umar", "Vera", "Wanjiru", "Yonas", "Zainab", "Ali", "Fatima", "Yusuf", "Amina",
]  # fmt: skip
FAMILY = [
    "Abebe", "Bakr", "Cisse", "Diallo", "Eze", "Fofana", "Ghani", "Haile", "Ibrahim", "Jallow",
    "Kamara", "Lemma", "Mensah", "Nasser", "Okafor", "Popov", "Qureshi", "Rahimi", "Sesay",
    "Tekle", "Usman", "Volkov", "Wolde", "Yilmaz", "Zewdu", "Bangura", "Conteh", "Karimi",
    "Mohammadi", "Hosseini", "Touré", "Keïta", "Bah", "Sow", "Barry", "Camara",
]  # fmt: skip
SCENARIOS = [
    ("legalisation", 30), ("return", 25), ("onward_migration", 6), ("not_yet_determined", 27),
    ("medical_stabilisation", 12),
]  # fmt: skip
# Outflow mix among those who left (DOMAIN.md 7): 18% durable, 41% semi-durable, 41% non-durable.
OUTFLOWS = [
    ("legalisation", 6.0), ("return", 9.0), ("onward_migration", 3.0),
    ("repeat_asylum_application", 30.0), ("article_64", 11.0),
    ("unknown_destination", 17.0), ("terminated", 10.0), ("other_shelter", 2.0),
    ("immigration_detention", 3.0), ("criminal_detention", 1.5), ("own_network", 2.5),
    ("other_lvv", 3.0), ("bbb", 1.0), ("deceased", 0.5), ("other", 0.5),
]  # fmt: skip
SHELTER_TYPES = ["full_day", "night", "evening_night", "small_house", "medical", "network"]


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple]


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    """When the register learned a fact dated `day`: the same day or up to a week later."""
    moment = dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC)
    return moment + dt.timedelta(days=rng.randint(0, 7), seconds=rng.randint(0, 9 * 3600))


def generate(seed: int = SEED, n_persons: int = N_PERSONS) -> dict[str, Table]:
    rng = random.Random(seed)
    t: dict[str, Table] = {}

    # Structure: LVVs, organisations, policies, locations, capacity, users ---------------------
    orgs: list[tuple] = []
    org_lvvs: list[tuple] = []
    lvvs: list[tuple] = []
    policies: list[tuple] = []
    locations: list[tuple] = []
    capacity: list[tuple] = []
    users: list[tuple] = []
    user_lvvs: list[tuple] = []
    lvv_info = []  # (id, start, [ngo ids], [location ids], weight)
    org_id = 0
    loc_id = 0
    for i, name in enumerate(MUNICIPALITIES[:N_LVVS], start=1):
        # The five pilots start at the beginning; the others join over the first four years.
        start = START if i <= 5 else START + dt.timedelta(days=rng.randint(0, 4 * 365))
        org_id += 1
        municipality_id = org_id
        orgs.append((org_id, f"Gemeente {name}", "municipality"))
        lvvs.append((i, name, start, municipality_id))
        org_lvvs.append((len(org_lvvs) + 1, org_id, i))
        ngo_ids = []
        for k in range(rng.randint(1, 4)):
            org_id += 1
            orgs.append((org_id, f"Stichting Begeleiding {name} {k + 1}", "ngo"))
            org_lvvs.append((len(org_lvvs) + 1, org_id, i))
            ngo_ids.append(org_id)
        policies.append(
            (
                i,
                i,
                rng.choice([None, 183, 365]),
                183,
                json.dumps(["medical", "documents"]),
                False,
                rng.choice([None, 548]),
                rng.choice([14, 28, 60]),
                i in (1, 4),
                "ngo",
                "at_intake",
                rng.choice([20, 20, 40, 60]),
                "[]",
                "lso",
                "",
                False,
                False,
            )
        )
        places = rng.randint(60, 400)
        loc_ids = []
        for k in range(rng.randint(2, 5)):
            loc_id += 1
            locations.append(
                (loc_id, i, f"Locatie {k + 1}", rng.choice(SHELTER_TYPES), places // 3, True)
            )
            loc_ids.append(loc_id)
        day = start
        for _ in range(rng.randint(1, 4)):
            capacity.append((len(capacity) + 1, i, day, places, _at(day, rng), None, "bench"))
            places = max(40, places + rng.randint(-40, 80))
            day = day + dt.timedelta(days=rng.randint(300, 900))
            if day > END:
                break
        lvv_info.append((i, start, ngo_ids, loc_ids, places))

    user_id = 0
    joined = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)

    def user(username: str, org: int | None, role: str, lvv_ids: list[int]) -> None:
        nonlocal user_id
        user_id += 1
        users.append(
            (user_id, "!", None, False, username, "", "", "", False, True, joined, org, role)
        )
        for lvv_id in lvv_ids:
            user_lvvs.append((len(user_lvvs) + 1, user_id, lvv_id))

    for lvv_id, _start, ngo_ids, _locs, _w in lvv_info:
        slug = MUNICIPALITIES[lvv_id - 1].lower().replace(" ", "-")
        user(f"bench-gemeente-{slug}", _municipality(orgs, lvv_id), "coordinator", [lvv_id])
        user(f"bench-ngo-{slug}", ngo_ids[0], "case_worker", [lvv_id])
    org_id += 1
    orgs.append((org_id, "Programmabureau LVV (bench)", "programme_bureau"))
    user("bench-alles", _municipality(orgs, 1), "coordinator", [i for i, *_ in lvv_info])

    t["accounts.Organisation"] = Table(["id", "name", "kind"], orgs)
    t["registry.LVV"] = Table(["id", "name", "start_date", "municipality_id"], lvvs)
    t["accounts.Organisation_lvvs"] = Table(["id", "organisation_id", "lvv_id"], org_lvvs)
    t["registry.Policy"] = Table(
        [
            "id", "lvv_id", "max_stay_days", "extension_days", "extension_reasons",
            "extension_requires_durable_prospect", "max_total_stay_days",
            "legal_check_norm_days", "avim_identity_check", "medical_intake_by", "consent_mode",
            "durable_outflow_target_pct", "admission_conditions", "exception_decider",
            "exception_forced_scenario", "forced_departure_requires_ngo_check",
            "pays_living_allowance",
        ],
        policies,
    )  # fmt: skip
    t["registry.Location"] = Table(
        ["id", "lvv_id", "name", "shelter_type", "places", "active"], locations
    )
    t["registry.CapacityRecord"] = Table(
        ["id", "lvv_id", "valid_from", "places", "recorded_at", "recorded_by_id", "source"],
        capacity,
    )
    t["accounts.User"] = Table(
        [
            "id", "password", "last_login", "is_superuser", "username", "first_name",
            "last_name", "email", "is_staff", "is_active", "date_joined", "organisation_id",
            "role",
        ],
        users,
    )  # fmt: skip
    t["accounts.User_lvvs"] = Table(["id", "user_id", "lvv_id"], user_lvvs)

    # Persons, stays and events ----------------------------------------------------------------
    persons: list[tuple] = []
    stays: list[tuple] = []
    events: list[tuple] = []
    aliases: list[tuple] = []
    n_days = (END - START).days
    # Inflow grows over the years: a day's weight rises linearly from 1 to 4 over ten years.
    day_weights = [1 + 3 * d / n_days for d in range(n_days + 1)]
    corr = defaultdict(int)
    event_id = 0

    def event(person, stay, kind, valid_on, data, when, org=None) -> None:
        nonlocal event_id
        event_id += 1
        events.append(
            (event_id, person, stay, kind, valid_on, when, None, org, "bench", "", data, None)
        )

    lvv_weights = [w for *_, w in lvv_info]
    # Names come from their own random stream (bench.names): every other column is drawn as in
    # dataset version 3, so the other figures stay comparable across the change of names.
    names = NameDrawer(random.Random(seed + 1))
    for _ in range(n_persons):
        pid = _uuid(rng)
        first_day = START + dt.timedelta(days=rng.choices(range(n_days + 1), day_weights)[0])
        birth_year = rng.randint(1950, 2006) if rng.random() > 0.05 else None
        gender = _pick(rng, [("male", 78), ("female", 19), ("unknown", 3)])
        country = _pick(rng, COUNTRIES)
        v_number = f"{rng.randint(0, 9_999_999_999):010d}" if rng.random() < 0.85 else ""
        first_app = (
            first_day - dt.timedelta(days=rng.randint(200, 15 * 365))
            if rng.random() < 0.7
            else None
        )
        rng.choice(GIVEN), rng.choice(FAMILY)  # the v3 draws, kept so the stream is unchanged
        given_names, family_name = names.noisy(*names.draw(country, gender))
        attrs = {
            "v_number": v_number,
            "given_names": given_names,
            "family_name": family_name,
            "birth_year": birth_year,
            "gender": gender,
            "country": country,
            "first_ind_application_date": first_app.isoformat() if first_app else None,
            "ind_status": rng.choice(["", "afgewezen", "uitgeprocedeerd", "lopende procedure"]),
        }
        recorded = _at(first_day, rng)
        event(pid, None, "person_recorded", None, json.dumps({k: v for k, v in attrs.items() if v not in (None, "")}), recorded)  # fmt: skip
        if rng.random() < 0.15:
            attrs["ind_status"] = "lopende procedure"
            event(pid, None, "person_corrected", None, json.dumps({"ind_status": "lopende procedure"}), recorded + dt.timedelta(days=30))  # fmt: skip
        if rng.random() < 0.1:
            rng.choice(GIVEN), rng.choice(FAMILY)  # the v3 draws (see above)
            if names.rng.random() < 0.5:  # the same name in another romanisation
                alias = (names.variant(given_names), names.variant(family_name))
            else:  # another identity used before
                alias = names.draw(country, gender)
            aliases.append((len(aliases) + 1, pid, *alias))
        persons.append(
            (
                pid, v_number, attrs["given_names"], attrs["family_name"], None, birth_year,
                gender, country, first_app, attrs["ind_status"], recorded, recorded,
            )
        )  # fmt: skip

        # One or more stays: re-admissions and moves to another LVV follow an outflow.
        day = first_day
        previous = None
        lvv_id = rng.choices(lvv_info, lvv_weights)[0][0]
        for _n in range(4):
            info = lvv_info[lvv_id - 1]
            if day < info[1]:
                day = info[1] + dt.timedelta(days=rng.randint(0, 60))
            if day > END:
                break
            stay, left_on, outflow_type = _stay(
                rng, pid, lvv_id, info, day, previous, corr, event, attrs
            )
            stays.append(stay)
            if left_on is None:
                break
            if outflow_type == "other_lvv":
                lvv_id = rng.choices(lvv_info, lvv_weights)[0][0]
                day = left_on + dt.timedelta(days=rng.randint(0, 14))
                previous = stay[0]
            elif rng.random() < 0.08:  # re-admission later, in the same LVV or another one
                if rng.random() < 0.3:
                    lvv_id = rng.choices(lvv_info, lvv_weights)[0][0]
                day = left_on + dt.timedelta(days=rng.randint(30, 700))
                previous = None
            else:
                break
    t["registry.Person"] = Table(
        [
            "id", "v_number", "given_names", "family_name", "birth_date", "birth_year", "gender",
            "country", "first_ind_application_date", "ind_status", "created_at", "updated_at",
        ],
        persons,
    )  # fmt: skip
    t["registry.PersonAlias"] = Table(["id", "person_id", "given_names", "family_name"], aliases)
    t["registry.Stay"] = Table(STAY_COLUMNS, stays)
    events.sort(key=lambda e: (e[5], e[0]))  # ids in record order, as the register would have
    events = [(i, *e[1:]) for i, e in enumerate(events, start=1)]
    t["registry.Event"] = Table(
        [
            "id", "person_id", "stay_id", "kind", "valid_on", "recorded_at", "recorded_by_id",
            "organisation_id", "source", "source_ref", "data", "supersedes_id",
        ],
        events,
    )  # fmt: skip
    if n_persons == N_PERSONS:
        assert len(events) >= MIN_EVENTS, len(events)
    return t


def _municipality(orgs: list[tuple], lvv_id: int) -> int:
    name = MUNICIPALITIES[lvv_id - 1]
    return next(o[0] for o in orgs if o[1] == f"Gemeente {name}")


STAY_COLUMNS = [
    "id", "person_id", "lvv_id", "correspondence_number", "previous_stay_id", "status",
    "organisation_id", "location_id", "target_group", "reported_municipality",
    "registration_date", "admission_date", "scenario", "scenario_date",
    "scenario_discussed_in_lso", "outflow_date", "outflow_type", "follow_up", "follow_up_date",
    "version", "created_at", "updated_at",
]  # fmt: skip


def _stay(rng, pid, lvv_id, info, day, previous, corr, event, attrs):
    """One stay from `day` on; returns (row, outflow date or None, outflow type)."""
    _id, _start, ngo_ids, loc_ids, _w = info
    sid = _uuid(rng)
    n = 0

    def ev(kind, on, data, org=None):
        nonlocal n
        n += 1
        event(pid, sid, kind, on, json.dumps(data), _at(on, rng) if on else _at(day, rng), org)

    corr[lvv_id] += 1
    number = f"B{lvv_id:02d}-{corr[lvv_id]:06d}"
    target_group = _pick(rng, [("convenant", 93), ("safe_country", 4), ("family", 3)])
    reg_data = {
        "target_group": target_group,
        "correspondence_number": number,
        "reported_municipality": MUNICIPALITIES[lvv_id - 1],
    }
    if previous:
        reg_data["previous_stay_id"] = str(previous)
    ev("stay_registered", day, reg_data)
    org = rng.choice(ngo_ids)
    ev("organisation_set", day, {"organisation_id": org})
    status = "registered"
    admission = None
    scenario, scenario_date, discussed = "not_yet_determined", None, True
    location = None
    outflow_date, outflow_type, follow_up, follow_up_date = None, "", "", None
    if rng.random() < 0.12:
        waited = day + dt.timedelta(days=rng.randint(0, 5))
        if waited <= END:
            ev("stay_waitlisted", waited, {})
            status = "waiting"
    if rng.random() < 0.05:
        refused = day + dt.timedelta(days=rng.randint(1, 20))
        if refused <= END:
            ev("stay_refused", refused, {"reason": "Valt buiten de doelgroep."})
            status = "refused"
    else:
        adm = day + dt.timedelta(days=rng.randint(0, 40))
        if adm <= END:
            admission = adm
            status = "admitted"
            ev("stay_admitted", adm, {})
            location = rng.choice(loc_ids)
            ev("location_set", adm, {"location_id": location})
            ev("scenario_set", adm, {"scenario": "not_yet_determined", "discussed_in_lso": True})
            scenario, scenario_date = "not_yet_determined", adm
            duration = int(rng.expovariate(1 / 330)) + 7
            end = adm + dt.timedelta(days=duration)
            # Scenario decided after the legal check, sometimes changed later.
            d = adm + dt.timedelta(days=rng.randint(14, 90))
            for _k in range(rng.choice([1, 1, 1, 2, 2, 3])):
                if d >= min(end, END):
                    break
                scenario = _pick(rng, SCENARIOS)
                discussed = rng.random() < 0.85
                scenario_date = d
                ev("scenario_set", d, {"scenario": scenario, "discussed_in_lso": discussed})
                d = d + dt.timedelta(days=rng.randint(60, 240))
            # Moves between the LVV's locations, weekly case notes as location confirmations.
            d = adm + dt.timedelta(days=rng.randint(10, 40))
            while d < min(end, END):
                location = rng.choice(loc_ids)
                ev("location_set", d, {"location_id": location})
                d = d + dt.timedelta(days=rng.randint(7, 34))
            if duration > 180 and rng.random() < 0.5:
                ext = adm + dt.timedelta(days=180)
                if ext <= END:
                    until = ext + dt.timedelta(days=183)
                    ev("stay_extended", ext, {"until": until.isoformat(), "reason": "medical"})
            if rng.random() < 0.1:
                new_org = rng.choice(ngo_ids)
                d = adm + dt.timedelta(days=rng.randint(1, 120))
                if d <= min(end, END):
                    org = new_org
                    ev("organisation_set", d, {"organisation_id": org})
            if end <= END:
                outflow_date = end
                outflow_type = _pick(rng, OUTFLOWS)
                status = "left"
                ev("outflow_registered", end, {"outflow_type": outflow_type})
                if outflow_type == "repeat_asylum_application" and rng.random() < 0.5:
                    f = end + dt.timedelta(days=rng.randint(60, 400))
                    if f <= END:
                        follow_up = rng.choice(["permit_granted", "refused"])
                        follow_up_date = f
                        ev("follow_up_registered", f, {"follow_up": follow_up})
                elif outflow_type == "immigration_detention" and rng.random() < 0.5:
                    f = end + dt.timedelta(days=rng.randint(7, 120))
                    if f <= END:
                        follow_up, follow_up_date = "forced_departure", f
                        ev("follow_up_registered", f, {"follow_up": follow_up})
    created = _at(day, rng)
    row = (
        sid, pid, lvv_id, number, previous, status, org, location, target_group,
        MUNICIPALITIES[lvv_id - 1], day, admission, scenario, scenario_date, discussed,
        outflow_date, outflow_type, follow_up, follow_up_date, max(1, n - 1), created, created,
    )  # fmt: skip
    return row, outflow_date, outflow_type
