"""The reconciliation of the two counting schemes: every stay of the agreed target group that is
counted in a different cell under `evaluation` than under `programme`, with the rule responsible.

Adding, per cell, the stays that move in and subtracting those that move out turns the evaluation
figures into the programme figures, person by person (tested in tests/test_reconcile.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from lvv.monitor import figures
from lvv.registry.taxonomy import TargetGroup


@dataclass(frozen=True)
class Difference:
    stay_id: str
    person_id: str
    lvv: str
    figure: str  # "current_by_scenario" or "outflow_by_type"
    evaluation: str
    programme: str
    evaluation_class: str  # outflow class under each scheme; "" for current participants
    programme_class: str
    rule: str


def differences(facts: figures.Facts) -> list[Difference]:
    rows: list[Difference] = []
    for stay in facts.stays:
        if stay.admission_date is None or stay.target_group != TargetGroup.CONVENANT:
            continue
        lvv = facts.lvvs[stay.lvv_id].name
        if stay.outflow_date is None:
            before, _ = figures.scenario_cell(stay, figures.EVALUATION)
            after, rule = figures.scenario_cell(stay, figures.PROGRAMME)
            if before != after and rule:
                rows.append(
                    Difference(
                        str(stay.stay_id),
                        str(stay.person_id),
                        lvv,
                        "current_by_scenario",
                        before,
                        after,
                        "",
                        "",
                        rule,
                    )
                )
        else:
            type_before, class_before, _ = figures.outflow_cells(stay, figures.EVALUATION)
            type_after, class_after, rule = figures.outflow_cells(stay, figures.PROGRAMME)
            if (type_before, class_before) != (type_after, class_after) and rule:
                rows.append(
                    Difference(
                        str(stay.stay_id),
                        str(stay.person_id),
                        lvv,
                        "outflow_by_type",
                        type_before,
                        type_after,
                        class_before,
                        class_after,
                        rule,
                    )
                )
    rows.sort(key=lambda d: (d.lvv, d.rule, d.figure, d.stay_id))
    return rows


def reconcile(
    *,
    peildatum: dt.date,
    known_at: dt.datetime | None = None,
    lvv_names: Iterable[str] | None = None,
) -> list[Difference]:
    facts = figures.collect(peildatum=peildatum, known_at=known_at, lvv_names=lvv_names)
    return differences(facts)


def counts_per_rule(rows: Iterable[Difference]) -> dict[str, dict[str, int]]:
    """{lvv: {rule: number of stays}} plus "national"; what users who may not see persons get."""
    per: dict[str, Counter] = {}
    for row in rows:
        per.setdefault(row.lvv, Counter())[row.rule] += 1
        per.setdefault("national", Counter())[row.rule] += 1
    return {
        lvv: {rule: per.get(lvv, Counter())[rule] for rule in figures.RULES}
        for lvv in sorted(per, key=lambda n: (n == "national", n))
    }


def to_json(rows: list[Difference], *, peildatum: dt.date) -> str:
    document = {
        "peildatum": peildatum.isoformat(),
        "counts_per_rule": counts_per_rule(rows),
        "stays": [asdict(r) for r in rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def to_csv(rows: list[Difference]) -> str:
    buffer = io.StringIO()
    fields = list(Difference.__dataclass_fields__)
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(asdict(row))
    return buffer.getvalue()
