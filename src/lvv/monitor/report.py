"""Everything the human formats and the web page show, computed from one `figures.collect`: the
contract document, the other target groups, targets, data quality, time series, outcomes over time
and the reconciliation counts."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from lvv.monitor import figures, outcomes, reconcile
from lvv.monitor.suppression import suppress_document
from lvv.registry.taxonomy import TargetGroup

SCHEME_LABELS = {
    figures.EVALUATION: "Evaluatie (zoals geregistreerd)",
    figures.PROGRAMME: "Programma (regels van de landelijke monitor)",
}
GROUP_LABELS: dict[str, str] = {
    TargetGroup.CONVENANT: "Afgesproken doelgroep (convenant)",
    TargetGroup.SAFE_COUNTRY: "Veilige landers",
    TargetGroup.FAMILY: "Gezinnen",
}
RULE_LABELS = {
    figures.RULE_ONWARD_AS_RETURN: "Doormigratie geteld als terugkeer",
    figures.RULE_MEDICAL_AS_NOT_YET_DETERMINED: "Stabilisatie medisch geteld als nog niet opgesteld",
    figures.RULE_NOT_DISCUSSED_IN_LSO: "Scenario niet besproken in het LSO",
    figures.RULE_DETENTION_FORCED_DEPARTURE: "Vreemdelingenbewaring gevolgd door gedwongen vertrek geteld als terugkeer (bestendig)",
}
LABELS: dict[str, str] = {
    "capacity": "Capaciteit (plekken)",
    "occupancy": "Bezetting",
    "occupancy_pct": "Bezetting (% van capaciteit)",
    "waiting_list": "Wachtlijst",
    "intake_total": "Instroom sinds de start",
    "outflow_total": "Uitstroom sinds de start",
    "current_by_scenario.legalisation": "Legalisering",
    "current_by_scenario.return": "Terugkeer",
    "current_by_scenario.onward_migration": "Doormigratie",
    "current_by_scenario.not_yet_determined": "Nog niet opgesteld / in onderzoek",
    "current_by_scenario.medical_stabilisation": "Stabilisatie medisch",
    "current_by_scenario.not_discussed_in_lso": "Niet besproken in het LSO",
    "outflow_by_type.legalisation": "Legalisering",
    "outflow_by_type.return": "Terugkeer",
    "outflow_by_type.onward_migration": "Doormigratie",
    "outflow_by_type.repeat_asylum_application": "Herhaalde asielaanvraag (HASA)",
    "outflow_by_type.article_64": "Artikel 64 Vw",
    "outflow_by_type.unknown_destination": "Met onbekende bestemming (MOB)",
    "outflow_by_type.terminated": "Gedwongen beëindigd",
    "outflow_by_type.other": "Overig (niet-bestendig)",
    "outflow_by_class.durable": "Bestendig",
    "outflow_by_class.semi_durable": "Semi-bestendig",
    "outflow_by_class.non_durable": "Niet-bestendig",
    "background.gender.male": "Man",
    "background.gender.female": "Vrouw",
    "background.gender.unknown": "Onbekend",
    **{f"background.age_bands.{b}": b for b in figures.AGE_BANDS if b != "unknown"},
    "background.age_bands.unknown": "Onbekend",
    "background.region.sub_saharan_africa": "Afrika ten zuiden van de Sahara",
    "background.region.middle_east": "Midden-Oosten",
    "background.region.asia": "Azië",
    "background.region.north_africa": "Noord-Afrika",
    "background.region.latin_america": "Latijns-Amerika",
    "background.region.europe_non_eu": "Europa (niet-EU)",
    "background.region.eu": "EU",
    "background.region.other": "Overig",
    "background.region.stateless": "Staatloos",
    "background.region.unknown": "Onbekend",
}
CLASS_LABELS = {
    "durable": "Bestendig",
    "semi_durable": "Semi-bestendig",
    "non_durable": "Niet-bestendig",
}


@dataclass
class Section:
    """One table: a title, the rows (cell paths) and what the percentages are taken of."""

    key: str
    title: str
    rows: list[str]
    percent_of: str | None


SECTIONS = [
    Section("totals", "Capaciteit, bezetting, wachtlijst, instroom en uitstroom", [
        "capacity", "occupancy", "occupancy_pct", "waiting_list", "intake_total",
        "outflow_total"], None),
    Section("scenario", "Huidige deelnemers naar begeleidingsscenario",
            [f"current_by_scenario.{k}" for k in figures.SCENARIO_KEYS], "occupancy"),
    Section("outflow_type", "Uitstroom sinds de start naar wijze van uitstroom",
            [f"outflow_by_type.{k}" for k in figures.MONITOR_OUTFLOW_KEYS], "outflow_total"),
    Section("outflow_class", "Uitstroom sinds de start naar bestendigheid",
            [f"outflow_by_class.{k}" for k in figures.CLASS_KEYS], "outflow_total"),
    Section("gender", "Achtergrond: geslacht",
            [f"background.gender.{k}" for k in figures.GENDER_KEYS], "intake_total"),
    Section("age", "Achtergrond: leeftijd op de peildatum",
            [f"background.age_bands.{k}" for k in figures.AGE_BANDS], "intake_total"),
    Section("region", "Achtergrond: regio van herkomst",
            [f"background.region.{k}" for k in figures.REGION_KEYS], "intake_total"),
]  # fmt: skip


# Rows whose value is a percentage (of the capacity), not a count (ADR 102).
PERCENT_ROWS = frozenset({"occupancy_pct"})


def value_at(record: dict[str, Any], path: str) -> Any:
    node: Any = record
    for part in path.split("."):
        node = node[part]
    return node


def percentage(count: int | None, total: int | None) -> float | None:
    if count is None or not total:
        return None
    return figures.round_half_away(Fraction(count * 100, total))


@dataclass
class Quality:
    intake: int = 0
    unknown_gender: int = 0
    unknown_birth_year: int = 0
    unknown_country: int = 0
    missing_first_application: int = 0


@dataclass
class Report:
    peildatum: dt.date
    scheme: str
    known_at: dt.datetime | None
    suppress_small_cells: int | None
    document: dict[str, Any]
    other_groups: dict[str, dict[str, Any]]
    targets: list[dict[str, Any]]
    quality: dict[str, Quality]
    series: dict[str, list[dict[str, Any]]]
    outcomes: dict[str, outcomes.CumulativeIncidence]
    reconciliation: dict[str, dict[str, int]]
    lvv_ids: dict[str, int] = field(default_factory=dict)

    @property
    def records(self) -> list[dict[str, Any]]:
        return [*self.document["lvvs"], self.document["national"]]

    @property
    def scheme_label(self) -> str:
        return SCHEME_LABELS[self.scheme]


def _month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    ends: list[dt.date] = []
    year, month = first.year, first.month
    while True:
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
        if end >= last:
            ends.append(last)
            return ends
        ends.append(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def time_series(facts: figures.Facts, names: dict[int, str]) -> dict[str, list[dict[str, Any]]]:
    """Per LVV and national, per month up to the peildatum: inflow, outflow, occupancy at the end
    of the month (or on the peildatum for its month) and capacity on that day."""
    peildatum = facts.peildatum
    stays = [
        (s, s.admission_date)
        for s in facts.stays
        if s.admission_date is not None and s.target_group == TargetGroup.CONVENANT
    ]
    if not stays:
        return {}
    first = min(admitted for _, admitted in stays)
    starts = [lvv.start_date for lvv in facts.lvvs.values() if lvv.start_date]
    if starts:
        first = min(first, min(starts))
    ends = _month_ends(first, peildatum)
    result: dict[str, list[dict[str, Any]]] = {}
    for lvv_id, name in [*names.items(), (None, "national")]:
        inflow: Counter = Counter()
        outflow: Counter = Counter()
        for s, admitted in stays:
            if lvv_id is not None and s.lvv_id != lvv_id:
                continue
            inflow[(admitted.year, admitted.month)] += 1
            if s.outflow_date is not None:
                outflow[(s.outflow_date.year, s.outflow_date.month)] += 1
        rows = []
        occupied = 0
        ids = [lvv_id] if lvv_id is not None else list(names)
        for end in ends:
            key = (end.year, end.month)
            occupied += inflow[key] - outflow[key]
            capacity = [facts.capacity_on(i, end) for i in ids]
            rows.append(
                {
                    "month": end,
                    "inflow": inflow[key],
                    "outflow": outflow[key],
                    "occupancy": occupied,
                    "capacity": sum(c for c in capacity if c is not None),
                }
            )
        result[name] = rows
    return result


def outcome_curves(
    facts: figures.Facts, names: dict[int, str], *, scheme: str
) -> dict[str, outcomes.CumulativeIncidence]:
    per: dict[str, list[tuple[int, str | None]]] = {name: [] for name in [*names.values()]}
    per["national"] = []
    for s in facts.stays:
        if s.admission_date is None or s.target_group != TargetGroup.CONVENANT:
            continue
        obs: tuple[int, str | None]
        if s.outflow_date is None:
            obs = ((facts.peildatum - s.admission_date).days, None)
        else:
            obs = (
                (s.outflow_date - s.admission_date).days,
                figures.outflow_cells(s, scheme)[1],
            )
        if s.lvv_id in names:
            per[names[s.lvv_id]].append(obs)
        per["national"].append(obs)
    return {name: outcomes.aalen_johansen(obs, figures.CLASS_KEYS) for name, obs in per.items()}


def data_quality(facts: figures.Facts, names: dict[int, str]) -> dict[str, Quality]:
    result = {name: Quality() for name in [*names.values(), "national"]}
    for s in facts.stays:
        if s.admission_date is None or s.target_group != TargetGroup.CONVENANT:
            continue
        person = facts.person(s) or figures.PersonFacts("unknown", None, "", None)
        for name in (names.get(s.lvv_id), "national"):
            if name is None:
                continue
            q = result[name]
            q.intake += 1
            q.unknown_gender += person.gender not in ("male", "female")
            q.unknown_birth_year += person.birth_year is None
            q.unknown_country += not person.country
            q.missing_first_application += person.first_ind_application_date is None
    return result


def build_report(
    *,
    peildatum: dt.date,
    scheme: str,
    known_at: dt.datetime | None = None,
    suppress_small_cells: int | None = None,
    lvv_names: Iterable[str] | None = None,
) -> Report:
    figures.check_input(peildatum=peildatum, scheme=scheme)
    facts = figures.collect_cached(peildatum=peildatum, known_at=known_at, lvv_names=lvv_names)
    groups = figures.monitor_compute_groups(facts, scheme=scheme)
    document = groups.pop(TargetGroup.CONVENANT)
    if suppress_small_cells:
        document = suppress_document(document, threshold=suppress_small_cells)
        groups = {
            g: suppress_document(d, threshold=suppress_small_cells) for g, d in groups.items()
        }
    listed = {r["lvv"] for r in document["lvvs"]}
    names = {pk: lvv.name for pk, lvv in facts.lvvs.items() if lvv.name in listed}
    targets = []
    for record in document["lvvs"]:
        lvv = next(x for x in facts.lvvs.values() if x.name == record["lvv"])
        policy = getattr(lvv, "policy", None)
        durable = record["outflow_by_class"]["durable"]
        targets.append(
            {
                "lvv": record["lvv"],
                "target_pct": policy.durable_outflow_target_pct if policy else None,
                "durable": durable,
                "intake_total": record["intake_total"],
                "durable_pct_of_intake": percentage(durable, record["intake_total"]),
                "durable_pct_of_outflow": percentage(durable, record["outflow_total"]),
            }
        )
    diffs = reconcile.differences(facts)
    quality = data_quality(facts, names)
    series = time_series(facts, names)
    curves = outcome_curves(facts, names, scheme=scheme)
    counts_per_rule = reconcile.counts_per_rule(diffs)
    if suppress_small_cells:
        # Monthly counts, person-level curves and per-rule counts are mostly small numbers: a
        # publication with suppression leaves them out; data-quality counts are suppressed.
        series, curves, counts_per_rule = {}, {}, {}
        for q in quality.values():
            for attr in ("unknown_gender", "unknown_birth_year", "unknown_country",
                         "missing_first_application"):  # fmt: skip
                if 0 < getattr(q, attr) < suppress_small_cells:
                    setattr(q, attr, None)
    return Report(
        peildatum=peildatum,
        scheme=scheme,
        known_at=known_at,
        suppress_small_cells=suppress_small_cells,
        document=document,
        other_groups={g: d for g, d in groups.items() if d["national"]["intake_total"] != 0},
        targets=targets,
        quality=quality,
        series=series,
        outcomes=curves,
        reconciliation=counts_per_rule,
        lvv_ids={name: pk for pk, name in names.items()},
    )
