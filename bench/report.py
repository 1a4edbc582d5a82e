"""bench/results.json (one object per figure) and bench/report.md (the readable table)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent


@dataclass
class Result:
    name: str
    value: float | None
    baseline: float | None
    ratio: float | None
    unit: str
    target: str
    passed: bool
    note: str = ""

    @classmethod
    def ratio_of(
        cls, name: str, value: float, baseline: float, unit: str, limit: float, note: str = ""
    ) -> Result:
        ratio = value / baseline if baseline else None
        return cls(
            name,
            round(value, 3),
            round(baseline, 3),
            round(ratio, 3) if ratio is not None else None,
            unit,
            f"<= {limit:g}x baseline",
            ratio is not None and ratio <= limit,
            note,
        )

    @classmethod
    def failed(cls, name: str, unit: str, target: str, note: str) -> Result:
        """A figure that could not be measured: never a made-up number."""
        return cls(name, None, None, None, unit, target, False, note)

    def as_json(self) -> dict:
        d = asdict(self)
        d["pass"] = d.pop("passed")
        return d


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    return f"{value:,}"


def _merged(results: list[Result]) -> list[Result]:
    """A partial run (`--only`) replaces its own figures in the last full results and keeps the
    others, in their order."""
    path = BENCH / "results.json"
    if not path.exists():
        return results
    fresh = {r.name: r for r in results}
    merged = []
    for old in json.loads(path.read_text()):
        old["passed"] = old.pop("pass")
        merged.append(fresh.pop(old["name"], None) or Result(**old))
    return merged + list(fresh.values())


def write_report(
    results: list[Result],
    *,
    machine: dict,
    dataset: dict,
    loads: dict,
    seconds: float,
    partial: bool = False,
) -> None:
    if partial:
        results = _merged(results)
    (BENCH / "results.json").write_text(
        json.dumps([r.as_json() for r in results], indent=2, ensure_ascii=False) + "\n"
    )
    lines = [
        "# Benchmark report",
        "",
        f"Run of `make bench` finished {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC in "
        f"{seconds / 60:.1f} minutes"
        + (
            " (a partial run: `--only`; the other figures are from the last full run)"
            if partial
            else ""
        )
        + ". How to read and reproduce: docs/performance.md.",
        "",
        "| figure | value | baseline | ratio | unit | target | pass |",
        "|---|---:|---:|---:|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {_fmt(r.value)} | {_fmt(r.baseline)} | {_fmt(r.ratio)} | {r.unit} "
            f"| {r.target} | {'yes' if r.passed else '**no**'} |"
        )
    lines += ["", "## Notes per figure", ""]
    lines += [f"- **{r.name}**: {r.note}" for r in results if r.note]
    lines += ["", "## Dataset", ""]
    lines += [f"- {label}: {n:,} rows" for label, n in dataset.items()]
    for db, info in loads.items():
        lines.append(f"- {db}: {json.dumps(info, default=str)}")
    lines += ["", "## Machine", ""]
    lines += [f"- {k}: {v}" for k, v in machine.items()]
    (BENCH / "report.md").write_text("\n".join(lines) + "\n")
