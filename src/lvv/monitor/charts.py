"""Charts of the monitor, drawn server-side with matplotlib (Agg) as SVG for HTML and PNG for PDF
(docs/adr/0032-monitor-outputs.md). Every chart has a data table next to it on the page."""

from __future__ import annotations

import base64
import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from lvv.monitor import figures
from lvv.monitor.report import CLASS_LABELS, LABELS, Report

plt.rcParams.update(
    {
        "svg.hashsalt": "lvv-monitor",  # stable ids: the same figures give the same SVG
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#e3e7eb",
        "axes.axisbelow": True,
    }
)
# Colour-blind safe (Okabe-Ito), in the order the classes and scenarios are listed.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]
CLASS_COLOURS = {"durable": "#009E73", "semi_durable": "#E69F00", "non_durable": "#D55E00"}


def _finish(fig) -> dict[str, Any]:
    fig.tight_layout()
    svg = io.StringIO()
    fig.savefig(svg, format="svg", metadata={"Date": None})
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=130, metadata={"Software": None})
    plt.close(fig)
    text = svg.getvalue()
    # Shown as <img src="data:..."> so the page's Content-Security-Policy (no inline styles)
    # does not apply to the chart's own styling.
    uri = "data:image/svg+xml;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")
    return {"svg": text[text.index("<svg") :], "png": png.getvalue(), "data_uri": uri}


def occupancy_chart(rows: list[dict[str, Any]], title: str) -> dict[str, Any]:
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    months = [r["month"] for r in rows]
    ax.step(
        months, [r["capacity"] for r in rows], where="post", color="#999999", label="Capaciteit"
    )
    ax.plot(
        months, [r["occupancy"] for r in rows], color=PALETTE[0], linewidth=2, label="Bezetting"
    )
    ax.set_title(title, loc="left")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, loc="upper left")
    return _finish(fig)


def flow_chart(rows: list[dict[str, Any]], title: str) -> dict[str, Any]:
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    months = list(range(len(rows)))
    width = 0.42
    ax.bar(
        [m - width / 2 for m in months],
        [r["inflow"] for r in rows],
        width,
        color=PALETTE[0],
        label="Instroom",
    )
    ax.bar(
        [m + width / 2 for m in months],
        [r["outflow"] for r in rows],
        width,
        color=PALETTE[1],
        label="Uitstroom",
    )
    step = max(1, len(rows) // 12)
    ax.set_xticks(
        months[::step],
        [r["month"].strftime("%m-%Y") for r in rows][::step],
        rotation=45,
        ha="right",
    )
    ax.set_title(title, loc="left")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(frameon=False, loc="upper left")
    return _finish(fig)


def _stacked(
    records: list[dict[str, Any]],
    block: str,
    keys: list[str],
    colours: list[str],
    title: str,
    labels: dict[str, str],
) -> dict[str, Any]:
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(records) + 1.4))
    names = [r["lvv"] if r["lvv"] != "national" else "Landelijk" for r in records]
    left = [0] * len(records)
    for key, colour in zip(keys, colours, strict=False):
        values = [(r[block][key] or 0) for r in records]
        if not any(values):
            continue
        ax.barh(names, values, left=left, color=colour, label=labels[key])
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_title(title, loc="left")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(frameon=False, fontsize=8, loc="upper center", ncol=3, bbox_to_anchor=(0.5, -0.12))
    return _finish(fig)


def outflow_class_chart(records: list[dict[str, Any]]) -> dict[str, Any]:
    keys = list(figures.CLASS_KEYS)
    return _stacked(
        records,
        "outflow_by_class",
        keys,
        [CLASS_COLOURS[k] for k in keys],
        "Uitstroom naar bestendigheid per LVV",
        CLASS_LABELS,
    )


def scenario_chart(records: list[dict[str, Any]]) -> dict[str, Any]:
    keys = list(figures.SCENARIO_KEYS)
    labels = {k: LABELS[f"current_by_scenario.{k}"] for k in keys}
    return _stacked(
        records, "current_by_scenario", keys, PALETTE, "Huidige deelnemers naar scenario", labels
    )


def incidence_chart(curve, title: str) -> dict[str, Any]:
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    for cause in curve.causes:
        xs = [0, *[t / 30.4375 for t in curve.times], curve.max_time / 30.4375]
        values = list(curve.curves[cause])
        ys = [0, *[v * 100 for v in values], (values[-1] * 100) if values else 0]
        ax.step(
            xs, ys, where="post", color=CLASS_COLOURS[cause], label=CLASS_LABELS[cause], linewidth=2
        )
    ax.set_xlabel("maanden sinds toelating")
    ax.set_ylabel("cumulatief %")
    ax.set_ylim(0, 100)
    ax.set_title(title, loc="left")
    ax.legend(frameon=False, loc="upper left")
    return _finish(fig)


def report_charts(report: Report, *, focus: str = "national") -> dict[str, dict[str, Any]]:
    """The charts of one report; `focus` is the LVV (or "national") for the time charts."""
    charts: dict[str, dict[str, Any]] = {}
    label = "landelijk" if focus == "national" else focus
    rows = report.series.get(focus)
    if rows:
        charts["occupancy"] = occupancy_chart(rows, f"Bezetting en capaciteit, {label}")
        charts["flow"] = flow_chart(rows, f"Instroom en uitstroom per maand, {label}")
    if report.document["lvvs"]:
        charts["outflow_class"] = outflow_class_chart(report.records)
        charts["scenario"] = scenario_chart(report.records)
    curve = report.outcomes.get(focus)
    if curve is not None and curve.n:
        charts["incidence"] = incidence_chart(
            curve, f"Uitstroom in de tijd (cumulatieve incidentie), {label}"
        )
    return charts
