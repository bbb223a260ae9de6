"""Layouts of official statistics on a grid of text cells: GENESIS table downloads (title
block, stacked header rows, indented names, footer after ``__________``), stacked or merged
header cells of spreadsheets, and the column names of GENESIS flat files (ffcsv).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .findings import ReadError, error
from .notation import SIGNS, looks_numeric

FOOTER = re.compile(r"^_{3,}\s*$")
TABLE_CODE = re.compile(r"\b(\d{5}-[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*)")
STAND = re.compile(r"Stand:\s*(\d{1,2})\.(\d{1,2})\.(\d{4})")
UNIT_WORDS = {
    "anzahl",
    "%",
    "prozent",
    "eur",
    "tsd. eur",
    "1000 eur",
    "tsd.",
    "1000",
    "qkm",
    "km²",
    "ha",
    "personen",
    "je 1000 ew",
}
# ffcsv value columns: CODE__Label__Unit, optionally __q for the quality column.
FFCSV_VALUE = re.compile(r"^(?P<code>[A-Z0-9]+)__(?P<label>.+?)__(?P<unit>[^_]+?)(?P<q>__q)?$")
FFCSV_OLD_MARKERS = ("Statistik_Code", "Zeit_Code")
FFCSV_NEW_MARKERS = ("statistics_code", "value_variable_code")


@dataclass
class GridTable:
    """A table found on a grid: names, records (text) and where they were in the file."""

    names: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    header_line: int
    title_lines: int = 0
    dropped_footer_lines: int = 0
    details: dict = field(default_factory=dict)


def detect_format(rows: list[list[str]]) -> str:
    """'genesis_table', 'ffcsv', 'ffcsv_new' or 'table', from the first rows of a grid."""
    head = [[c.strip() for c in row] for row in rows[:40]]
    for row in head:
        if all(marker in row for marker in FFCSV_OLD_MARKERS):
            return "ffcsv"
        if all(marker in row for marker in FFCSV_NEW_MARKERS):
            return "ffcsv_new"
    first = next((row for row in head if any(row)), [])
    filled = [c for c in first if c]
    has_footer = any(row and FOOTER.match(row[0]) for row in rows[-60:])
    if len(filled) == 1 and (filled[0].startswith("GENESIS") or TABLE_CODE.search(filled[0])):
        return "genesis_table"
    if has_footer and len(filled) == 1:
        return "genesis_table"
    return "table"


def combine_headers(header_rows: list[list[str]], width: int) -> list[str]:
    """One name per column from stacked header rows. A merged (or GENESIS-style spanning)
    cell is written once, at its left: upper rows are filled to the right until the next
    cell. Unit rows ("Anzahl") are left out of the name."""
    names = [[] for _ in range(width)]
    for depth, row in enumerate(header_rows):
        row = (list(row) + [""] * width)[:width]
        last = depth == len(header_rows) - 1
        carried = ""
        for index, cell in enumerate(row):
            text = cell.strip()
            if text:
                carried = text
            elif not last and index > 0:
                text = carried
            if text and text not in names[index]:
                names[index].append(text)
    combined = [" ".join(parts) for parts in names]
    return unique_names(combined)


def unique_names(names: list[str]) -> list[str]:
    """Duplicate column names get a number ("männlich", "männlich (2)")."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        if not name:
            result.append(name)
            continue
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return result


def units_of(header_rows: list[list[str]], width: int) -> dict[int, str]:
    """Column index -> unit, from a header row whose filled cells are all unit words."""
    for row in header_rows:
        cells = [(i, c.strip()) for i, c in enumerate(row[:width]) if c.strip()]
        if cells and all(text.casefold() in UNIT_WORDS for _i, text in cells):
            return dict(cells)
    return {}


def read_stacked(rows: list[list[str]], header_rows: int, *, first_line: int = 1) -> GridTable:
    """A spreadsheet table whose header spans ``header_rows`` rows (merged cells)."""
    start = next((i for i, row in enumerate(rows) if _filled(row) >= 2), None)
    if start is None:
        raise ReadError(error("single_column"))
    width = max(len(row) for row in rows)
    header = rows[start : start + header_rows]
    units = units_of(header, width)
    named = [row for row in header if not _is_unit_row(row, units)]
    names = combine_headers(named, width)
    body, numbers = [], []
    for offset, row in enumerate(rows[start + header_rows :]):
        if any(c.strip() for c in row):
            body.append((list(row) + [""] * width)[:width])
            numbers.append(first_line + start + header_rows + offset)
    if not body:
        raise ReadError(error("header_only", rows=[first_line + start + header_rows - 1]))
    return GridTable(
        names=names,
        rows=body,
        row_numbers=numbers,
        header_line=first_line + start + header_rows - 1,
        title_lines=start,
        details={"header_rows": header_rows, "units": _units_by_name(units, names)},
    )


def read_genesis_table(rows: list[list[str]]) -> GridTable:
    """A GENESIS table download (Destatis, regional database, Landesämter), as one record per
    unit: code, name, its level (from the name's indentation) and one column per value column.
    Rows of "-" only are units that did not exist at the reference date: they are left out
    and named in the details."""
    footer_at = next(
        (i for i, row in enumerate(rows) if row and FOOTER.match(row[0].strip())), len(rows)
    )
    footer = [" ".join(c.strip() for c in row if c.strip()) for row in rows[footer_at + 1 :]]
    body = rows[:footer_at]
    # Excel-made exports pad every line with ";": the table ends at its last filled column.
    width = 1 + max(
        (max((i for i, c in enumerate(row) if c.strip()), default=-1) for row in body), default=0
    )
    body = [(list(row) + [""] * width)[:width] for row in body]
    # The title block: lines with text in the first cell only; header lines leave it empty.
    title_end = next(
        (i for i, row in enumerate(body) if _filled(row) >= 2 or not row[0].strip()), None
    )
    if title_end is None:
        raise ReadError(error("single_column"))
    title = [" ".join(c.strip() for c in row if c.strip()) for row in body[:title_end]]
    first_data = next(
        (i for i in range(title_end, len(body)) if _is_record(body[i])),
        None,
    )
    if first_data is None:
        raise ReadError(error("header_only", rows=[len(body)]))
    labels = _label_columns(body[first_data:])
    header = [row for row in body[title_end:first_data] if not _is_section(row)]
    units = units_of(header, width)
    named = [row for row in header if not _is_unit_row(row, units)]
    value_names = combine_headers([row[labels:] for row in named], width - labels)
    label_names = {1: ["name"], 2: ["code", "name"]}.get(
        labels, [f"merkmal_{i}" for i in range(1, labels + 1)]
    )
    records, numbers, indents, missing_units = [], [], [], []
    section, section_values = None, []
    for index in range(title_end, len(body)):
        row = body[index]
        if _is_section(row):
            section = row[0].strip()
            continue
        if index < first_data or not _filled(row):
            continue
        values = [c.strip() for c in row[labels:]]
        if values and all(v in ("-", "–") for v in values if v) and any(values):
            missing_units.append(row[0].strip())
            continue
        name_cell = row[labels - 1]
        indents.append(len(name_cell) - len(name_cell.lstrip(" ")))
        records.append([c.strip() for c in row[:labels]] + values)
        section_values.append(section)
        numbers.append(index + 1)
    names = label_names + value_names
    levels = sorted(set(indents))
    if len(levels) > 1:
        names.append("ebene")
        for record, indent in zip(records, indents, strict=True):
            record.append(str(levels.index(indent) + 1))
    if any(section_values):
        names.append("zeit")
        for record, value in zip(records, section_values, strict=True):
            record.append(value or "")
    stand = next((m for m in (STAND.search(line) for line in footer) if m), None)
    code = next((m.group(1) for m in (TABLE_CODE.search(t) for t in title) if m), "")
    return GridTable(
        names=unique_names(names),
        rows=records,
        row_numbers=numbers,
        header_line=first_data,
        title_lines=title_end,
        dropped_footer_lines=len(rows) - footer_at,
        details={
            "table_code": code,
            "title": " – ".join(t for t in title if t)[:500],
            "notes": [line for line in footer if line][:20],
            "stand": f"{stand.group(3)}-{int(stand.group(2)):02d}-{int(stand.group(1)):02d}"
            if stand
            else None,
            "units": _units_by_name({i - labels: u for i, u in units.items()}, value_names),
            "units_without_data": missing_units,
            "levels": len(levels),
        },
    )


def ffcsv_value_column(name: str) -> dict | None:
    """{"code", "label", "unit", "quality"} of an ffcsv value column name, or None."""
    match = FFCSV_VALUE.match(name.strip())
    if not match:
        return None
    return {
        "code": match["code"],
        "label": match["label"].replace("_", " "),
        "unit": match["unit"],
        "quality": bool(match["q"]),
    }


def _filled(row) -> int:
    return sum(1 for c in row if c.strip())


def _is_record(row) -> bool:
    """A data row: a label in the first cell and numbers or signs after the labels."""
    if not row or not row[0].strip():
        return False
    values = [c.strip() for c in row[1:] if c.strip()]
    return any(looks_numeric(v) for v in values[1:] or values) and _filled(row) >= 2


def _is_section(row) -> bool:
    """A row with only its first cell filled inside the table (a reference date, a year)."""
    return bool(row) and bool(row[0].strip()) and _filled(row) == 1


def _label_columns(rows) -> int:
    """How many leading columns hold labels (code, name) rather than numbers."""
    records = [r for r in rows if _is_record(r)][:50]
    width = len(records[0]) if records else 1
    for index in range(width):
        cells = [r[index].strip() for r in records if r[index].strip()]
        if cells and all(looks_numeric(c) or c in SIGNS for c in cells) and index > 0:
            # A code column of digits ("01001") is a label if the next column is text.
            return index
    return 1


def _is_unit_row(row, units) -> bool:
    cells = [c.strip() for c in row if c.strip()]
    return bool(units) and bool(cells) and all(c.casefold() in UNIT_WORDS for c in cells)


def _units_by_name(units: dict[int, str], names: list[str]) -> dict[str, str]:
    return {names[i]: unit for i, unit in units.items() if 0 <= i < len(names) and names[i]}
