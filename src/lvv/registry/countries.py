"""Countries and regions from the bundled copy of reference/countries.csv."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lvv.registry.taxonomy import normalize_label

STATELESS = "XXA"
REGIONS = (
    "sub_saharan_africa",
    "middle_east",
    "asia",
    "north_africa",
    "latin_america",
    "europe_non_eu",
    "eu",
    "other",
    "stateless",
)
UNKNOWN_WORDS = frozenset({"", "onbekend", "unknown"})
_CSV = Path(__file__).with_name("data") / "countries.csv"


@dataclass(frozen=True)
class Country:
    iso3: str
    name_nl: str
    name_en: str
    region: str


@cache
def all_countries() -> dict[str, Country]:
    with _CSV.open(encoding="utf-8", newline="") as fh:
        return {row["iso3"]: Country(**row) for row in csv.DictReader(fh)}


@cache
def _lookup() -> dict[str, str]:
    index: dict[str, str] = {}
    for c in all_countries().values():
        for key in (c.iso3, c.name_nl, c.name_en):
            index[normalize_label(key)] = c.iso3
    index["staatloos"] = STATELESS
    index["stateless"] = STATELESS
    return index


def country_code(raw: str) -> str:
    """ISO alpha-3 for a Dutch or English name or code; '' for unknown. KeyError when not found."""
    key = normalize_label(raw)
    if key in UNKNOWN_WORDS:
        return ""
    return _lookup()[key]


def region_of(code: str) -> str:
    """The monitor region of a country code; 'unknown' for ''."""
    if not code:
        return "unknown"
    return all_countries()[code].region


def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.iso3, c.name_nl) for c in all_countries().values()), key=lambda x: x[1])
