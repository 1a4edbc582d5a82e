"""Reading spreadsheet files (CSV or XLSX) into rows of trimmed cells, and parsing the cell values
the import contract allows (CONTRACTS.md section 2). Nothing here touches the database.

A row is numbered as a spreadsheet user sees it: the header is row 1, the first data row is row 2.
Problems with the file as a whole (encoding, empty, missing columns) are reported on the row where
they were found, with the column `file` or the missing column's name."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lvv.registry.countries import country_code
from lvv.registry.taxonomy import Label, accepted_labels, normalize_label, parse_label

Cell = str | dt.date


class CellError(ValueError):
    """A cell that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.column}: {self.reason}"


class FileInvalid(Exception):
    """The file cannot be read at all (not rows of it): the problems say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Table:
    """The rows of a file: `columns` are the normalised headers; `records` yields (row number,
    cells in the order of `columns`, as many as there are columns); `rows` the same as
    (row number, {column: cell}). Both read the file once, as it is iterated."""

    columns: list[str]
    records: Iterator[tuple[int, list[Cell]]]
    problems: list[Problem] = field(default_factory=list)
    # About how many rows follow the header (lines or sheet rows; empty ones included).
    size_hint: int = 0

    @property
    def rows(self) -> Iterator[tuple[int, dict[str, Cell]]]:
        named = [(i, col) for i, col in enumerate(self.columns) if col]
        return ((number, {col: cells[i] for i, col in named}) for number, cells in self.records)


def normalize_header(value: object) -> str:
    """'  Datum Toelating ' -> 'datum_toelating' (case-insensitive, a space is an underscore)."""
    text = "" if value is None else str(value)
    return "_".join(text.replace("\ufeff", "").strip().lower().replace("_", " ").split())


def _check_headers(raw: Sequence[object], required: tuple[str, ...]) -> list[str]:
    columns = [normalize_header(h) for h in raw]
    problems = []
    seen: set[str] = set()
    for name in columns:
        if name and name in seen:
            problems.append(Problem(1, name, "column appears twice in the header"))
        seen.add(name)
    problems += [
        Problem(1, name, "required column is missing from the header")
        for name in required
        if name not in seen
    ]
    if problems:
        raise FileInvalid(problems)
    return columns


def _is_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith("=")


def read_table(path: Path | str, *, required: tuple[str, ...], name: str | None = None) -> Table:
    """Open a CSV or XLSX file. `name` (the original file name) decides the format when given."""
    path = Path(path)
    suffix = Path(name or path.name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, required)
    return _read_csv(path, required)


def _read_csv(path: Path, required: tuple[str, ...]) -> Table:
    raw = path.read_bytes()
    if not raw.strip(b"\xef\xbb\xbf \t\r\n"):
        raise FileInvalid([Problem(1, "file", "the file is empty")])
    if raw.startswith(b"PK\x03\x04"):
        raise FileInvalid([Problem(1, "file", "this is an XLSX file; give it the extension .xlsx")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileInvalid(
            [
                Problem(
                    line,
                    "file",
                    "the file is not UTF-8 (save it as 'CSV UTF-8' or as XLSX)",
                )
            ]
        ) from None
    del raw
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise FileInvalid([Problem(1, "file", "the file is empty")]) from None
    columns = _check_headers(header, required)

    width = len(columns)

    def records() -> Iterator[tuple[int, list[Cell]]]:
        number = 1
        for record in reader:
            number += 1
            cells: list[Cell] = [cell.strip() for cell in record]
            if not any(cells):
                continue
            if len(cells) != width:
                cells = (cells + [""] * width)[:width]
            yield number, cells

    return Table(columns=columns, records=records(), size_hint=text.count("\n"))


def _xlsx_cell(value: object) -> Cell:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value).strip()


def _read_xlsx(path: Path, required: tuple[str, ...]) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        # data_only=False: a formula comes back as its text ('=A1+1') so it can be refused; it is
        # never evaluated.
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileInvalid(
            [Problem(1, "file", "this is not a readable XLSX file (save it again as .xlsx)")]
        ) from None
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    header: tuple | None = None
    for row in values:
        if any(v not in (None, "") for v in row):
            header = row
            break
    if header is None:
        workbook.close()
        raise FileInvalid([Problem(1, "file", "the file is empty")])
    columns = _check_headers(list(header), required)

    def records() -> Iterator[tuple[int, list[Cell]]]:
        number = 1
        try:
            for record in values:
                number += 1
                if not any(v not in (None, "") for v in record):
                    continue
                cells: list[Cell] = []
                for i, col in enumerate(columns):
                    value = record[i] if i < len(record) and col else None
                    cells.append("=formula" if _is_formula(value) else _xlsx_cell(value))
                yield number, cells
        finally:
            workbook.close()

    return Table(columns=columns, records=records(), size_hint=max((sheet.max_row or 1) - 1, 0))


# Cell values --------------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def check_formula(value: Cell) -> None:
    if isinstance(value, str) and value.startswith("="):
        raise CellError("formulas are not accepted; type the value itself")


def parse_date(value: Cell) -> dt.date | None:
    """A dd-mm-yyyy, d-m-yyyy or yyyy-mm-dd text or a date cell; None for empty."""
    check_formula(value)
    if isinstance(value, dt.date):
        return value
    if not value:
        return None
    match = _DMY.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _ISO.match(value)
        if not match:
            raise CellError(f"'{value}' is not a date (use dd-mm-yyyy or yyyy-mm-dd)")
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"'{value}' is not a real date") from None


def parse_text(value: Cell) -> str:
    check_formula(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@functools.lru_cache(maxsize=4096)
def parse_choice(kind: Label, value: Cell) -> str | bool | None:
    text = parse_text(value)
    try:
        return parse_label(kind, text)
    except KeyError:
        raise CellError(f"unknown value '{text}' (accepted: {accepted_labels(kind)})") from None


def parse_v_number(value: Cell) -> str:
    text = parse_text(value).replace(" ", "")
    if text and not (len(text) == 10 and text.isdigit()):
        raise CellError("a v_nummer has exactly 10 digits")
    return text


def parse_birth_year(value: Cell, *, today: dt.date) -> int | None:
    text = parse_text(value)
    if normalize_label(text) in ("", "onbekend", "unknown"):
        return None
    if not (len(text) == 4 and text.isdigit()):
        raise CellError(f"'{text}' is not a year of four digits")
    year = int(text)
    if not 1900 <= year <= today.year:
        raise CellError(f"{year} is not a plausible birth year (1900-{today.year})")
    return year


@functools.lru_cache(maxsize=4096)
def parse_country(value: Cell) -> str:
    text = parse_text(value)
    try:
        return country_code(text)
    except KeyError:
        raise CellError(
            f"unknown country '{text}' (a Dutch or English name or ISO 3166 alpha-3 code; "
            "'staatloos' for stateless, empty or 'onbekend' for unknown)"
        ) from None


def parse_places(value: Cell) -> int:
    text = parse_text(value)
    if not text.isdigit():
        raise CellError(f"'{text}' is not a whole number of places")
    return int(text)
