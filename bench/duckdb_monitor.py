"""What an analyst would do instead of `lvv monitor`: DuckDB over a CSV export of the stays.

    python bench/duckdb_monitor.py --peildatum 2025-12-31 --stays stays.csv \
        --capacity capacity.csv --countries countries.csv

Prints the same JSON document as `lvv monitor --format json` (scheme evaluation, agreed target
group), computed by DuckDB: one row per stay, as in the person file of CONTRACTS.md section 2.
The export holds each stay's state at the end of the data, so it answers for a peildatum on or
after the last event (the benchmark's peildatum is the last day of the dataset). DuckDB counts the
cells; Python only assembles the document and rounds the means and the occupancy percentage half
away from zero.

The waiting list (docs/adr/0102): a stay of the agreed target group with a waiting-list date on or
before the peildatum and no admission, refusal or outflow dated on or before it (the export's
`waitlisted_on` and `refusal_date`: the valid date of the latest recorded, not voided, event of
that kind, as the register's fold takes it). An LVV with a stay on its waiting list (of any
target group) is listed, as one with an admitted stay."""

from __future__ import annotations

import argparse
import json
import math
from fractions import Fraction

import duckdb

OTHER_SUBTYPES = (
    "other_shelter", "immigration_detention", "criminal_detention", "own_network", "other_lvv",
    "bbb", "deceased", "other",
)  # fmt: skip
DURABLE = ("legalisation", "return", "onward_migration")
SEMI = ("repeat_asylum_application", "article_64")
SCENARIO_KEYS = (
    "legalisation", "return", "onward_migration", "not_yet_determined", "medical_stabilisation",
    "not_discussed_in_lso",
)  # fmt: skip
OUTFLOW_KEYS = (
    "legalisation", "return", "onward_migration", "repeat_asylum_application", "article_64",
    "unknown_destination", "terminated", "other",
)  # fmt: skip
CLASS_KEYS = ("durable", "semi_durable", "non_durable")
GENDER_KEYS = ("male", "female", "unknown")
AGE_BANDS = ("0-17", "18-25", "26-35", "36-45", "46-55", "56-65", "66+", "unknown")
REGION_KEYS = (
    "sub_saharan_africa", "middle_east", "asia", "north_africa", "latin_america",
    "europe_non_eu", "eu", "other", "stateless", "unknown",
)  # fmt: skip


def _list(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


# The stays on the waiting list on the peildatum (of every target group). An empty CSV field is
# read as NULL: a date that is not there is not on or before the peildatum.
WAITING_SQL = """
    SELECT lvv, target_group FROM (
        SELECT lvv, target_group, CAST(NULLIF(waitlisted_on, '') AS DATE) AS waitlisted_on,
               CAST(NULLIF(admission_date, '') AS DATE) AS admitted,
               CAST(NULLIF(refusal_date, '') AS DATE) AS refused,
               CAST(NULLIF(outflow_date, '') AS DATE) AS left_on
        FROM read_csv($stays, header = true, all_varchar = true)
    )
    WHERE waitlisted_on <= $peildatum AND coalesce(admitted > $peildatum, true)
      AND coalesce(refused > $peildatum, true) AND coalesce(left_on > $peildatum, true)
"""

CELLS_SQL = f"""
WITH all_stays AS (
    SELECT * FROM read_csv($stays, header = true, all_varchar = true)
),
admitted AS (
    SELECT lvv, target_group, CAST(admission_date AS DATE) AS admission_date,
           CAST(NULLIF(outflow_date, '') AS DATE) AS outflow_date, outflow_type, scenario,
           gender, TRY_CAST(birth_year AS INTEGER) AS birth_year, country,
           CAST(NULLIF(first_ind_application_date, '') AS DATE) AS first_application
    FROM all_stays
    WHERE admission_date <> '' AND CAST(admission_date AS DATE) <= $peildatum
),
s AS (
    SELECT a.*, a.outflow_date IS NOT NULL AND a.outflow_date <= $peildatum AS has_left,
           $year - a.birth_year AS age, c.region
    FROM admitted a LEFT JOIN read_csv($countries, header = true) c ON c.iso3 = a.country
    WHERE a.target_group = 'convenant'
),
waiting AS ({WAITING_SQL}),
cells AS (
    SELECT lvv, 'waiting_list' AS cell FROM waiting WHERE target_group = 'convenant'
    UNION ALL SELECT lvv, 'intake_total' FROM s
    UNION ALL SELECT lvv, 'occupancy' FROM s WHERE NOT has_left
    UNION ALL SELECT lvv, 'current_by_scenario.' || scenario FROM s WHERE NOT has_left
    UNION ALL SELECT lvv, 'outflow_total' FROM s WHERE has_left
    UNION ALL SELECT lvv, 'outflow_by_type.' ||
        CASE WHEN outflow_type IN ({_list(OTHER_SUBTYPES)}) THEN 'other' ELSE outflow_type END
        FROM s WHERE has_left
    UNION ALL SELECT lvv, 'outflow_by_class.' ||
        CASE WHEN outflow_type IN ({_list(DURABLE)}) THEN 'durable'
             WHEN outflow_type IN ({_list(SEMI)}) THEN 'semi_durable'
             ELSE 'non_durable' END
        FROM s WHERE has_left
    UNION ALL SELECT lvv, 'background.gender.' ||
        CASE WHEN gender IN ('male', 'female') THEN gender ELSE 'unknown' END FROM s
    UNION ALL SELECT lvv, 'background.age_bands.' ||
        CASE WHEN age IS NULL THEN 'unknown' WHEN age <= 17 THEN '0-17'
             WHEN age <= 25 THEN '18-25' WHEN age <= 35 THEN '26-35'
             WHEN age <= 45 THEN '36-45' WHEN age <= 55 THEN '46-55'
             WHEN age <= 65 THEN '56-65' ELSE '66+' END FROM s
    UNION ALL SELECT lvv, 'background.region.' ||
        CASE WHEN country IS NULL OR country = '' THEN 'unknown'
             ELSE coalesce(region, 'other') END FROM s
    UNION ALL SELECT lvv, 'background.country.' || country FROM s
        WHERE country IS NOT NULL AND country <> '' AND country <> 'XXA'
)
SELECT lvv, cell, count(*) AS n FROM cells GROUP BY ALL
"""

MEANS_SQL = """
WITH s AS (
    SELECT lvv, TRY_CAST(birth_year AS INTEGER) AS birth_year,
           CAST(admission_date AS DATE) AS admission_date,
           CAST(NULLIF(first_ind_application_date, '') AS DATE) AS first_application
    FROM read_csv($stays, header = true, all_varchar = true)
    WHERE admission_date <> '' AND CAST(admission_date AS DATE) <= $peildatum
      AND target_group = 'convenant'
)
SELECT lvv,
       sum($year - birth_year) FILTER (WHERE birth_year IS NOT NULL) AS age_sum,
       count(birth_year) AS age_n,
       sum(date_diff('day', first_application, admission_date))
           FILTER (WHERE first_application IS NOT NULL) AS days_sum,
       count(first_application) AS days_n
FROM s GROUP BY lvv
"""

PRESENT_SQL = f"""
SELECT DISTINCT lvv FROM read_csv($stays, header = true, all_varchar = true)
WHERE admission_date <> '' AND CAST(admission_date AS DATE) <= $peildatum
UNION SELECT lvv FROM ({WAITING_SQL})
"""

CAPACITY_SQL = """
SELECT lvv, arg_max(places, (valid_from, recorded_at)) AS places
FROM read_csv($capacity, header = true)
WHERE valid_from <= $peildatum GROUP BY lvv
"""


def round_half_away(value: Fraction | None) -> float | None:
    if value is None:
        return None
    scaled = value * 10
    magnitude = math.floor(abs(scaled) + Fraction(1, 2))
    return math.copysign(magnitude, scaled) / 10 if magnitude else 0.0


def _document(name, counts, capacity, means) -> dict:
    def block(prefix, keys):
        return {k: counts.get(f"{prefix}.{k}", 0) for k in keys}

    countries = sorted(
        (
            (k.removeprefix("background.country."), n)
            for k, n in counts.items()
            if k.startswith("background.country.")
        ),
        key=lambda item: (-item[1], item[0]),
    )[:10]
    age_sum, age_n, days_sum, days_n = means
    occupancy = counts.get("occupancy", 0)
    return {
        "lvv": name,
        "capacity": capacity,
        "occupancy": occupancy,
        "intake_total": counts.get("intake_total", 0),
        "current_by_scenario": block("current_by_scenario", SCENARIO_KEYS),
        "outflow_total": counts.get("outflow_total", 0),
        "outflow_by_type": block("outflow_by_type", OUTFLOW_KEYS),
        "outflow_by_class": block("outflow_by_class", CLASS_KEYS),
        "background": {
            "gender": block("background.gender", GENDER_KEYS),
            "age_bands": block("background.age_bands", AGE_BANDS),
            "mean_age": round_half_away(Fraction(age_sum, age_n) if age_n else None),
            "region": block("background.region", REGION_KEYS),
            "top_countries": [{"country": k, "count": n} for k, n in countries],
            "mean_years_first_application_to_admission": round_half_away(
                Fraction(days_sum * 4, 1461 * days_n) if days_n else None
            ),
        },
        "occupancy_pct": round_half_away(Fraction(occupancy * 100, capacity) if capacity else None),
        "waiting_list": counts.get("waiting_list", 0),
    }


def compute(*, peildatum: str, stays: str, capacity: str, countries: str) -> dict:
    import datetime as dt

    day = dt.date.fromisoformat(peildatum)
    params = {"stays": stays, "peildatum": day, "year": day.year, "countries": countries}
    con = duckdb.connect()
    counts: dict[str, dict[str, int]] = {}
    for lvv, cell, n in con.execute(CELLS_SQL, params).fetchall():
        counts.setdefault(lvv, {})[cell] = n
    means = {
        lvv: (a or 0, an, d or 0, dn)
        for lvv, a, an, d, dn in con.execute(
            MEANS_SQL, {k: params[k] for k in ("stays", "peildatum", "year")}
        ).fetchall()
    }
    present = {
        r[0] for r in con.execute(PRESENT_SQL, {"stays": stays, "peildatum": day}).fetchall()
    }
    places = dict(con.execute(CAPACITY_SQL, {"capacity": capacity, "peildatum": day}).fetchall())
    present |= set(places)
    lvvs = []
    national_counts: dict[str, int] = {}
    national_means = [0, 0, 0, 0]
    for name in sorted(present):
        c = counts.get(name, {})
        m = means.get(name, (0, 0, 0, 0))
        lvvs.append(_document(name, c, places.get(name, 0), m))
        for k, n in c.items():
            national_counts[k] = national_counts.get(k, 0) + n
        national_means = [a + b for a, b in zip(national_means, m, strict=True)]
    return {
        "peildatum": peildatum,
        "scheme": "evaluation",
        "lvvs": lvvs,
        "national": _document(
            "national", national_counts, sum(places.values()), tuple(national_means)
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peildatum", required=True)
    parser.add_argument("--stays", required=True)
    parser.add_argument("--capacity", required=True)
    parser.add_argument("--countries", required=True)
    args = parser.parse_args()
    document = compute(
        peildatum=args.peildatum,
        stays=args.stays,
        capacity=args.capacity,
        countries=args.countries,
    )
    print(json.dumps(document, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
