"""Small-cell suppression for published tables (docs/adr/0033-small-cell-suppression.md).

`suppress_cells` is generic: give it the counts, the additive relations between them
(`total = part1 + part2 + ...`) and a threshold, and it returns the cells to hide: every count
from 1 up to threshold - 1 (primary suppression), and then, until nothing changes, enough other
cells (secondary suppression) that no relation has a single hidden member (which could be
computed back from the others) or hidden parts that add up to less than the threshold (which
would publish their small sum). Among the candidates it hides the smallest non-zero count first,
so as little as possible is lost. Zero is not suppressed by itself: it discloses no person.

`suppress_document` applies it to the monitor JSON (CONTRACTS.md section 4): hidden counts become
null, as do means over fewer persons than the threshold."""

from __future__ import annotations

import copy
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from lvv.registry.taxonomy import MONITOR_OUTFLOW_KEYS

K = TypeVar("K", bound=Hashable)
# `total = part1 + part2 + ...`, by the keys of the counts.
Relation = tuple[K, Sequence[K]]
# A count of the monitor document: (the LVV's name or "national", the path in its record).
Cell = tuple[str, str]


def suppress_cells(
    values: Mapping[K, int | None],
    relations: Iterable[Relation[K]],
    *,
    threshold: int,
) -> set[K]:
    """The keys of `values` to hide so that no count below `threshold` can be read or derived."""
    if threshold <= 1:
        return set()
    relations = [(total, list(parts)) for total, parts in relations]
    hidden = {k for k, v in values.items() if v is not None and 0 < v < threshold}

    def order(key: K) -> tuple[bool, int, str]:
        value = values.get(key) or 0
        return (value == 0, value, repr(key))

    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            members = [total, *parts]
            hidden_members = [m for m in members if m in hidden]
            if not hidden_members:
                continue
            hidden_sum = sum(values.get(p) or 0 for p in parts if p in hidden)
            exposed = len(hidden_members) == 1 or (
                total not in hidden and 0 < hidden_sum < threshold
            )
            if not exposed:
                continue
            shown = [p for p in parts if p not in hidden]
            if shown:
                hidden.add(min(shown, key=order))
                changed = True
            elif total not in hidden:
                hidden.add(total)
                changed = True
    return hidden


# The monitor document ------------------------------------------------------------------------------

_BREAKDOWNS = {
    "current_by_scenario": "occupancy",
    "outflow_by_type": "outflow_total",
    "outflow_by_class": "outflow_total",
    "background.gender": "intake_total",
    "background.age_bands": "intake_total",
    "background.region": "intake_total",
}
_CLASS_OF_TYPE = {
    "durable": ("legalisation", "return", "onward_migration"),
    "semi_durable": ("repeat_asylum_application", "article_64"),
    "non_durable": ("unknown_destination", "terminated", "other"),
}
assert {t for ts in _CLASS_OF_TYPE.values() for t in ts} == set(MONITOR_OUTFLOW_KEYS)


def _get(record: dict[str, Any], path: str) -> Any:
    node: Any = record
    for part in path.split("."):
        node = node[part]
    return node


def _set(record: dict[str, Any], path: str, value: Any) -> None:
    *head, last = path.split(".")
    node = record
    for part in head:
        node = node[part]
    node[last] = value


def _count_paths(record: dict[str, Any]) -> list[str]:
    paths = ["occupancy", "intake_total", "outflow_total"]
    if "waiting_list" in record:  # a count of its own; absent from documents published before it
        paths.append("waiting_list")
    for block in _BREAKDOWNS:
        paths += [f"{block}.{key}" for key in _get(record, block)]
    return paths


def document_relations(
    records: list[dict[str, Any]], national: dict[str, Any]
) -> list[Relation[Cell]]:
    relations: list[Relation[Cell]] = []
    for record in [*records, national]:
        name = record["lvv"]
        relations.append(((name, "intake_total"), [(name, "occupancy"), (name, "outflow_total")]))
        for block, total in _BREAKDOWNS.items():
            parts = [(name, f"{block}.{k}") for k in _get(record, block)]
            relations.append(((name, total), parts))
        for class_key, type_keys in _CLASS_OF_TYPE.items():
            relations.append(
                (
                    (name, f"outflow_by_class.{class_key}"),
                    [(name, f"outflow_by_type.{t}") for t in type_keys],
                )
            )
    if records:
        for path in _count_paths(national):
            relations.append((("national", path), [(r["lvv"], path) for r in records]))
    return relations


def suppress_document(document: dict[str, Any], *, threshold: int) -> dict[str, Any]:
    """A copy of the monitor document with small cells (and their complements) set to null."""
    result = copy.deepcopy(document)
    records: list[dict[str, Any]] = result["lvvs"]
    national: dict[str, Any] = result["national"]
    values: dict[Cell, int | None] = {}
    for record in [*records, national]:
        for path in _count_paths(record):
            values[(record["lvv"], path)] = _get(record, path)
    hidden = suppress_cells(values, document_relations(records, national), threshold=threshold)
    for name, path in hidden:
        record = national if name == "national" else next(r for r in records if r["lvv"] == name)
        _set(record, path, None)
    for record in [*records, national]:
        # The capacity is never hidden: a percentage of it would give a hidden occupancy back.
        if record.get("occupancy") is None and "occupancy_pct" in record:
            record["occupancy_pct"] = None
        background = record["background"]
        for item in background["top_countries"]:
            if item["count"] is not None and 0 < item["count"] < threshold:
                item["count"] = None
        original = next(
            r for r in [*document["lvvs"], document["national"]] if r["lvv"] == record["lvv"]
        )
        known_ages = original["intake_total"] - original["background"]["age_bands"]["unknown"]
        if known_ages < threshold:
            background["mean_age"] = None
        if original["intake_total"] < threshold:
            background["mean_years_first_application_to_admission"] = None
    return result
