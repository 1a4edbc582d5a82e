"""The human formats of the monitor: CSV, XLSX (openpyxl), HTML (Django template with inline SVG
charts) and PDF (fpdf2 with PNG charts). All are built from one `report.Report`; the agreed target
group comes first, the other target groups follow in their own section, never mixed in."""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from typing import Any

from django.template.loader import render_to_string

from lvv.monitor import figures, outcomes
from lvv.monitor.report import (
    CLASS_LABELS,
    GROUP_LABELS,
    LABELS,
    PERCENT_ROWS,
    RULE_LABELS,
    SECTIONS,
    Report,
    percentage,
    value_at,
)
from lvv.registry.countries import all_countries
from lvv.registry.taxonomy import TargetGroup

NATIONAL = "Landelijk"
CHART_CAPTIONS = [
    ("occupancy", "Bezetting (lijn) tegen capaciteit (trap) aan het eind van elke maand."),
    ("flow", "Aantal toelatingen en uitstroom per maand."),
    ("outflow_class", "Uitstroom sinds de start naar bestendigheid, per LVV en landelijk."),
    ("scenario", "Huidige deelnemers naar begeleidingsscenario, per LVV en landelijk."),
]


def column_name(record: dict[str, Any]) -> str:
    return NATIONAL if record["lvv"] == "national" else record["lvv"]


def tables(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The tables in the layout of the evaluation reports: one row per figure, one column per LVV
    and the national total, each cell a count with its percentage."""
    records = [*document["lvvs"], document["national"]]
    result = []
    for section in SECTIONS:
        rows = []
        for path in section.rows:
            if any(path.split(".")[0] not in record for record in records):
                continue  # a figure added later (ADR 102), absent from an older stored document
            cells = []
            if path in PERCENT_ROWS:
                for record in records:
                    pct = value_at(record, path)
                    # null: the occupancy is hidden (suppression) or there is no capacity.
                    hidden = pct is None and record["occupancy"] is None
                    cells.append(
                        {
                            "lvv": record["lvv"],
                            "path": path,
                            "count": None,
                            "pct": pct,
                            "hidden": hidden,
                            "text": "<" if hidden else (fmt_pct(pct) or "-"),
                            "pct_text": "",
                        }
                    )
                rows.append(
                    {"path": path, "label": LABELS[path], "cells": cells, "percent_row": True}
                )
                continue
            for record in records:
                count = value_at(record, path)
                if path == "occupancy":
                    base = record["capacity"]
                elif section.percent_of:
                    base = value_at(record, section.percent_of)
                else:
                    base = None
                pct = percentage(count, base) if base is not None else None
                cells.append(
                    {
                        "lvv": record["lvv"],
                        "path": path,
                        "count": count,
                        "pct": pct,
                        "text": fmt_count(count),
                        "pct_text": fmt_pct(pct),
                    }
                )
            rows.append({"path": path, "label": LABELS[path], "cells": cells})
        result.append(
            {
                "key": section.key,
                "title": section.title,
                "columns": [column_name(r) for r in records],
                "rows": rows,
                "percent_note": {
                    None: "bezetting in % van de capaciteit",
                    "occupancy": "in % van de bezetting",
                    "outflow_total": "in % van de uitstroom",
                    "intake_total": "in % van de instroom",
                }[section.percent_of],
            }
        )
    means = []
    for key, label in (
        ("mean_age", "Gemiddelde leeftijd (jaar)"),
        ("mean_years_first_application_to_admission", "Gemiddeld aantal jaren tussen eerste IND-aanvraag en toelating"),
    ):  # fmt: skip
        values = [r["background"][key] for r in records]
        means.append({"label": label, "values": values, "texts": [fmt_decimal(v) for v in values]})
    countries = all_countries()
    top = []
    for rank in range(figures.TOP_COUNTRIES):
        row = []
        for record in records:
            items = record["background"]["top_countries"]
            if rank < len(items):
                item = items[rank]
                name = (
                    countries[item["country"]].name_nl
                    if item["country"] in countries
                    else item["country"]
                )
                row.append(f"{name} ({'<' if item['count'] is None else item['count']})")
            else:
                row.append("")
        if any(row):
            top.append(row)
    return [
        *result,
        {
            "key": "means",
            "title": "Achtergrond: gemiddelden",
            "columns": [column_name(r) for r in records],
            "means": means,
        },
        {
            "key": "countries",
            "title": "Achtergrond: top-10 landen van herkomst",
            "columns": [column_name(r) for r in records],
            "top": top,
        },
    ]


def fmt_count(value: Any) -> str:
    return "<" if value is None else f"{value}"


def fmt_pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}%".replace(".", ",")


def fmt_decimal(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}".replace(".", ",")


def outcome_rows(report: Report) -> list[dict[str, Any]]:
    """Cumulative incidence at 6, 12 and 18 months per LVV and nationally (percent)."""
    rows = []
    for name, curve in report.outcomes.items():
        cells = []
        for months in outcomes.HORIZON_MONTHS:
            day = outcomes.months_to_days(months)
            followed = curve.followed_up_to(day)
            cells.append(
                {
                    "months": months,
                    **{
                        cause: (
                            figures.round_half_away(Fraction(repr(curve.at(day, cause) * 100)))
                            if followed
                            else None
                        )
                        for cause in figures.CLASS_KEYS
                    },
                }
            )
        rows.append({"lvv": NATIONAL if name == "national" else name, "n": curve.n, "cells": cells})
    rows.sort(key=lambda r: (r["lvv"] == NATIONAL, r["lvv"]))
    return rows


def context(report: Report, *, charts: dict[str, Any] | None = None) -> dict[str, Any]:
    charts = charts or {}
    return {
        "report": report,
        "tables": tables(report.document),
        "other_groups": [
            {"label": GROUP_LABELS[g], "tables": tables(d)}
            for g, d in report.other_groups.items()
            if g != TargetGroup.CONVENANT
        ],
        "targets": report.targets,
        "quality": [
            {"lvv": NATIONAL if name == "national" else name, **vars(q)}
            for name, q in sorted(report.quality.items(), key=lambda i: (i[0] == "national", i[0]))
        ],
        "outcomes": outcome_rows(report),
        "class_labels": CLASS_LABELS,
        "reconciliation": [
            {
                "lvv": NATIONAL if lvv == "national" else lvv,
                "rules": [(RULE_LABELS[r], n) for r, n in rules.items()],
            }
            for lvv, rules in report.reconciliation.items()
        ],
        "charts": charts,
        "chart_list": [(charts[k], caption) for k, caption in CHART_CAPTIONS if k in charts],
        "horizons": outcomes.HORIZON_MONTHS,
    }


# CSV -----------------------------------------------------------------------------------------------


def render_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["doelgroep", "tabel", "cel", "omschrijving", "lvv", "aantal", "percentage"])
    groups = [(TargetGroup.CONVENANT, report.document), *report.other_groups.items()]
    for group, document in groups:
        for table in tables(document):
            for row in table.get("rows", []):
                for cell in row["cells"]:
                    writer.writerow([group, table["key"], row["path"], row["label"], cell["lvv"],
                                     "" if cell["count"] is None else cell["count"],
                                     "" if cell["pct"] is None else cell["pct"]])  # fmt: skip
        for record in [*document["lvvs"], document["national"]]:
            bg = record["background"]
            for key in ("mean_age", "mean_years_first_application_to_admission"):
                writer.writerow(
                    [
                        group,
                        "means",
                        f"background.{key}",
                        key,
                        record["lvv"],
                        "" if bg[key] is None else bg[key],
                        "",
                    ]
                )
            for item in bg["top_countries"]:
                writer.writerow(
                    [
                        group,
                        "countries",
                        f"background.country.{item['country']}",
                        item["country"],
                        record["lvv"],
                        "" if item["count"] is None else item["count"],
                        "",
                    ]
                )
    for target in report.targets:
        writer.writerow(
            [
                TargetGroup.CONVENANT,
                "target",
                "durable_outflow_target_pct",
                "doel bestendige uitstroom (%)",
                target["lvv"],
                target["target_pct"],
                target["durable_pct_of_intake"],
            ]
        )
    for name, q in report.quality.items():
        for attr in (
            "unknown_gender",
            "unknown_birth_year",
            "unknown_country",
            "missing_first_application",
        ):
            value = getattr(q, attr)
            writer.writerow(
                [
                    TargetGroup.CONVENANT,
                    "data_quality",
                    attr,
                    attr,
                    name,
                    "" if value is None else value,
                    "",
                ]
            )
    for row in outcome_rows(report):
        for cell in row["cells"]:
            for cause in figures.CLASS_KEYS:
                writer.writerow(
                    [
                        TargetGroup.CONVENANT,
                        "cumulative_incidence",
                        f"{cause}.{cell['months']}m",
                        CLASS_LABELS[cause],
                        row["lvv"],
                        row["n"],
                        "" if cell[cause] is None else cell[cause],
                    ]
                )
    return buffer.getvalue().encode("utf-8")


# XLSX ----------------------------------------------------------------------------------------------


def render_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    head = PatternFill("solid", fgColor="EEF1F4")
    wb = Workbook()
    first = True

    def sheet(title: str):
        nonlocal first
        if first:
            ws = wb.active
            ws.title = title
            first = False
            return ws
        return wb.create_sheet(title)

    def write_tables(ws, document, heading: str) -> None:
        ws.append([heading])
        ws.cell(ws.max_row, 1).font = Font(bold=True, size=13)
        ws.append([f"Peildatum {report.peildatum:%d-%m-%Y} · telwijze: {report.scheme_label}"])
        if report.known_at:
            ws.append([f"Stand van de registratie: {report.known_at.isoformat()}"])
        if report.suppress_small_cells:
            ws.append(
                [
                    f"< : onderdrukt (kleiner dan {report.suppress_small_cells}, of aanvullend onderdrukt)"
                ]
            )
        for table in tables(document):
            ws.append([])
            ws.append([table["title"]])
            ws.cell(ws.max_row, 1).font = bold
            if "rows" in table:
                header = [""]
                for col in table["columns"]:
                    header += [col, "%"]
                ws.append(header)
                for cell in ws[ws.max_row]:
                    cell.font = bold
                    cell.fill = head
                for row in table["rows"]:
                    line: list[Any] = [row["label"]]
                    for cell in row["cells"]:
                        if row.get("percent_row"):  # the value is in the % column
                            count = "<" if cell["hidden"] else None
                        else:
                            count = "<" if cell["count"] is None else cell["count"]
                        line += [count, None if cell["pct"] is None else cell["pct"] / 100]
                    ws.append(line)
                    for c in ws[ws.max_row][2::2]:
                        c.number_format = "0.0%"
            elif "means" in table:
                ws.append(["", *table["columns"]])
                for row in table["means"]:
                    ws.append([row["label"], *row["values"]])
            else:
                ws.append(["", *table["columns"]])
                for i, row in enumerate(table["top"], 1):
                    ws.append([i, *row])
        ws.column_dimensions["A"].width = 48
        for cell in ws["A"]:
            cell.alignment = Alignment(wrap_text=False)

    write_tables(
        sheet("Monitor"), report.document, f"Monitor LVV: {GROUP_LABELS[TargetGroup.CONVENANT]}"
    )
    for group, document in report.other_groups.items():
        write_tables(
            sheet(GROUP_LABELS[group][:31]), document, f"Apart gerapporteerd: {GROUP_LABELS[group]}"
        )

    ws = sheet("Doel en datakwaliteit")
    ws.append(["Bestendige uitstroom tegen het doel"])
    ws.cell(1, 1).font = bold
    ws.append(["LVV", "doel (%)", "bestendig", "instroom", "% van instroom", "% van uitstroom"])
    for t in report.targets:
        ws.append(
            [
                t["lvv"],
                t["target_pct"],
                t["durable"],
                t["intake_total"],
                t["durable_pct_of_intake"],
                t["durable_pct_of_outflow"],
            ]
        )
    ws.append([])
    ws.append(["Datakwaliteit (afgesproken doelgroep, instroom)"])
    ws.cell(ws.max_row, 1).font = bold
    ws.append(
        [
            "LVV",
            "instroom",
            "geslacht onbekend",
            "geboortejaar onbekend",
            "land onbekend",
            "datum eerste IND-aanvraag ontbreekt",
        ]
    )
    for q in context(report)["quality"]:
        ws.append(
            [
                q["lvv"],
                q["intake"],
                q["unknown_gender"],
                q["unknown_birth_year"],
                q["unknown_country"],
                q["missing_first_application"],
            ]
        )
    ws.column_dimensions["A"].width = 24

    if report.outcomes:
        ws = sheet("Uitstroom in de tijd")
        ws.append(["Cumulatieve incidentie van uitstroom per klasse (Aalen-Johansen, %)"])
        ws.cell(1, 1).font = bold
        ws.append(["LVV", "n", "maanden", *[CLASS_LABELS[c] for c in figures.CLASS_KEYS]])
        for row in outcome_rows(report):
            for cell in row["cells"]:
                ws.append(
                    [row["lvv"], row["n"], cell["months"], *[cell[c] for c in figures.CLASS_KEYS]]
                )
    if report.series:
        ws = sheet("Per maand")
        ws.append(["LVV", "maand", "instroom", "uitstroom", "bezetting", "capaciteit"])
        for name, rows in report.series.items():
            for r in rows:
                ws.append(
                    [
                        NATIONAL if name == "national" else name,
                        r["month"],
                        r["inflow"],
                        r["outflow"],
                        r["occupancy"],
                        r["capacity"],
                    ]
                )
                ws.cell(ws.max_row, 2).number_format = "DD-MM-YYYY"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# HTML ----------------------------------------------------------------------------------------------


def render_html(report: Report) -> bytes:
    from lvv.monitor.charts import report_charts

    return render_to_string(
        "monitor/report.html", context(report, charts=report_charts(report))
    ).encode("utf-8")


# PDF -----------------------------------------------------------------------------------------------


def _latin1(text: str) -> str:
    return text.replace("·", "-").encode("latin-1", "replace").decode("latin-1")


def render_pdf(report: Report) -> bytes:
    from fpdf import FPDF

    from lvv.monitor.charts import report_charts

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_title(f"Monitor LVV {report.peildatum:%d-%m-%Y}")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.cell(
        0,
        9,
        _latin1(f"Monitor LVV, peildatum {report.peildatum:%d-%m-%Y}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("helvetica", "", 9)
    note = f"Telwijze: {report.scheme_label}. Afgesproken doelgroep (convenant)."
    if report.known_at:
        note += f" Registratie tot en met {report.known_at:%d-%m-%Y %H:%M}."
    if report.suppress_small_cells:
        note += f" Aantallen kleiner dan {report.suppress_small_cells} en aanvullende cellen zijn onderdrukt (<)."
    pdf.multi_cell(0, 5, _latin1(note), new_x="LMARGIN", new_y="NEXT")

    def write_tables(document) -> None:
        for table in tables(document):
            pdf.ln(2)
            pdf.set_font("helvetica", "B", 11)
            pdf.cell(0, 7, _latin1(table["title"]), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("helvetica", "", 7.5)
            columns = table["columns"]
            first_width = 62
            widths = (first_width, *[(pdf.epw - first_width) / len(columns)] * len(columns))
            with pdf.table(
                col_widths=widths,
                text_align=("LEFT", *["RIGHT"] * len(columns)),
                line_height=4.2,
                first_row_as_headings=True,
            ) as t:
                t.row([""] + [_latin1(c) for c in columns])
                if "rows" in table:
                    for row in table["rows"]:
                        t.row(
                            [_latin1(row["label"])]
                            + [
                                c["text"]
                                if row.get("percent_row")
                                else f"{fmt_count(c['count'])}"
                                + (f" ({fmt_pct(c['pct'])})" if c["pct"] is not None else "")
                                for c in row["cells"]
                            ]
                        )
                elif "means" in table:
                    for row in table["means"]:
                        t.row([_latin1(row["label"])] + [fmt_decimal(v) for v in row["values"]])
                else:
                    for i, row in enumerate(table["top"], 1):
                        t.row([str(i)] + [_latin1(v) for v in row])

    write_tables(report.document)
    ctx = context(report)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(0, 7, "Bestendige uitstroom tegen het doel", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 8)
    with pdf.table(line_height=4.5, text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")) as t:
        t.row(["LVV", "doel", "bestendig", "% van instroom", "% van uitstroom"])
        for x in report.targets:
            t.row(
                [
                    _latin1(x["lvv"]),
                    f"{x['target_pct']}%",
                    fmt_count(x["durable"]),
                    fmt_pct(x["durable_pct_of_intake"]),
                    fmt_pct(x["durable_pct_of_outflow"]),
                ]
            )
    pdf.ln(3)
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(0, 7, "Datakwaliteit (afgesproken doelgroep, instroom)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 8)
    with pdf.table(
        line_height=4.5, text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
    ) as t:
        t.row(
            [
                "LVV",
                "instroom",
                "geslacht onbekend",
                "geboortejaar onbekend",
                "land onbekend",
                "eerste IND-aanvraag ontbreekt",
            ]
        )
        for q in ctx["quality"]:
            t.row(
                [
                    _latin1(q["lvv"]),
                    *[
                        fmt_count(q[k])
                        for k in (
                            "intake",
                            "unknown_gender",
                            "unknown_birth_year",
                            "unknown_country",
                            "missing_first_application",
                        )
                    ],
                ]
            )
    if ctx["outcomes"]:
        pdf.ln(3)
        pdf.set_font("helvetica", "B", 11)
        pdf.cell(
            0,
            7,
            "Uitstroom in de tijd: cumulatieve incidentie (Aalen-Johansen)",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font("helvetica", "", 8)
        with pdf.table(line_height=4.5) as t:
            t.row(
                [
                    "LVV",
                    "n",
                    *[
                        f"{CLASS_LABELS[c]} {m} mnd"
                        for m in outcomes.HORIZON_MONTHS
                        for c in figures.CLASS_KEYS
                    ],
                ]
            )
            for row in ctx["outcomes"]:
                t.row(
                    [
                        _latin1(row["lvv"]),
                        str(row["n"]),
                        *[fmt_pct(cell[c]) for cell in row["cells"] for c in figures.CLASS_KEYS],
                    ]
                )
    charts = report_charts(report)
    for key in ("occupancy", "flow", "outflow_class", "scenario", "incidence"):
        if key in charts:
            if pdf.get_y() > pdf.eph * 0.55:
                pdf.add_page()
            pdf.image(io.BytesIO(charts[key]["png"]), w=190)
    for group in ctx["other_groups"]:
        pdf.add_page()
        pdf.set_font("helvetica", "B", 14)
        pdf.cell(
            0, 9, _latin1(f"Apart gerapporteerd: {group['label']}"), new_x="LMARGIN", new_y="NEXT"
        )
        write_tables(
            report.other_groups[next(g for g, lbl in GROUP_LABELS.items() if lbl == group["label"])]
        )
    return bytes(pdf.output())


def render(report: Report, fmt: str) -> bytes:
    if fmt == "json":
        return figures.to_json(report.document).encode("utf-8")
    return {"csv": render_csv, "xlsx": render_xlsx, "html": render_html, "pdf": render_pdf}[fmt](
        report
    )
