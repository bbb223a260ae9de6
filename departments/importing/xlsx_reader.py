"""Excel workbooks (.xlsx): guard against zip bombs, pick a sheet, read every cell as text.

Before calamine parses anything, xlsx_scan streams the parts (limits, DTDs, formulas,
macros); the pipeline runs all of it in a capped child process (xlsx_process).

Public: `check_zip`, `load_sheet` (a sheet's typed cells, trimmed), `read_xlsx` (the
ReadResult of the import) and, from xlsx_cells, `cell_text` / `column_text`."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from .findings import Finding, ReadError, error
from .layout import (
    SAMPLE_ROWS,
    ReadResult,
    check_header,
    detect_decimal,
    finalise_frame,
    find_header,
    is_footnote,
)
from .xlsx_cells import cell_text, column_text
from .xlsx_scan import DEFAULT_LIMITS, WorkbookScan, XlsxLimits, scan_workbook

__all__ = [
    "Sheet",
    "cell_text",
    "check_zip",
    "column_text",
    "load_sheet",
    "read_sheet",
    "read_xlsx",
]

MAX_UNCOMPRESSED = 1024 * 1024 * 1024
# Sheet XML compresses well, but not a thousandfold; a bomb does.
MAX_RATIO = 200
RATIO_MIN_SIZE = 10 * 1024 * 1024


def check_zip(path: Path, *, max_uncompressed: int = MAX_UNCOMPRESSED) -> list[str]:
    """Member names, after checking the sizes the zip directory declares (before unpacking)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ReadError(error("xlsx_invalid", params={"reason": "zip"}))
    total = sum(member.file_size for member in members)
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_MIN_SIZE and ratio > MAX_RATIO:
            raise ReadError(
                error("zip_bomb", params={"ratio": round(ratio), "size_mb": member.file_size >> 20})
            )
    if total > max_uncompressed:
        raise ReadError(error("zip_bomb", params={"ratio": 0, "size_mb": total >> 20}))
    names = [member.filename for member in members]
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise ReadError(error("xlsx_invalid", params={"reason": "not_excel"}))
    return names


def read_xlsx(
    path: Path, *, sheet: str | None = None, limits: XlsxLimits = DEFAULT_LIMITS
) -> ReadResult:
    check_zip(path)
    scan = scan_workbook(path, limits)
    read = read_sheet(path, sheet=sheet)
    read.findings = hostile_content(scan, read.sheet) + read.findings
    return read


def read_sheet(path: Path, *, sheet: str | None = None) -> ReadResult:
    """The sheet as read_xlsx reads it, without the scan: xlsx_process runs the scan beside
    it in a process of its own and refuses the file (ending this read) if the scan does."""
    check_zip(path)
    loaded = load_sheet(path, sheet)
    sheet_names, rows, chosen = loaded.sheet_names, loaded.rows, loaded.name
    width = loaded.width
    texts = [[_preview(v) for v in row] for row in rows[:SAMPLE_ROWS]]
    header_index = find_header(texts)
    names = [str(v).strip() if v is not None else "" for v in rows[header_index]]
    names += [""] * (width - len(names))
    check_header(names)
    title_lines = sum(1 for row in texts[:header_index] if any(v.strip() for v in row))

    end = len(rows)
    dropped = 0
    while end > header_index + 1:
        row_texts = [_preview(v) for v in rows[end - 1]]
        if not any(v.strip() for v in row_texts):
            end -= 1
            continue
        if not is_footnote(row_texts, width):
            break
        dropped += 1
        end -= 1
    body = rows[header_index + 1 : end]
    if not body:
        raise ReadError(error("header_only", rows=[header_index + 1]))

    text_values = [v for row in body[:SAMPLE_ROWS] for v in row if isinstance(v, str)]
    decimal = detect_decimal(text_values, None) if text_values else "."
    if not any(_DECIMAL_HINT(v) for v in text_values):
        decimal = "."
    # Column by column, by the type calamine read (xlsx_cells), not one call per cell; one
    # object grid (rows are all `width` long) costs a third of transposing with zip.
    grid = np.empty((len(body), width), dtype=object)
    grid[:] = body
    columns = {f"c{i}": column_text(grid[:, i], decimal) for i in range(width)}
    table = pa.table(columns)
    numbers = np.arange(header_index + 2, header_index + 2 + len(body), dtype=np.int64)
    frame, numbers = finalise_frame(table, names, numbers, header_line=header_index + 1)
    return ReadResult(
        frame=frame,
        encoding="xlsx",
        delimiter=None,
        decimal=decimal,
        header_line=header_index + 1,
        row_numbers=numbers,
        sheet=chosen,
        sheet_names=sheet_names,
        dropped_footer_lines=dropped,
        title_lines=title_lines,
    )


def hostile_content(scan: WorkbookScan, sheet: str) -> list[Finding]:
    """Formula cells, external references and macros: refused as formulas in CSV are. The
    cached values a formula left behind would be read silently otherwise."""
    found = []
    sheet_scan = scan.sheets.get(sheet)
    if sheet_scan and sheet_scan.formula_count:
        params = {"sheet": sheet, "cells": ", ".join(sheet_scan.formula_cells)}
        found.append(error("xlsx_formula", count=sheet_scan.formula_count, params=params))
    if sheet_scan and sheet_scan.external_count:
        params = {"sheet": sheet, "cells": ", ".join(sheet_scan.external_cells)}
        found.append(error("xlsx_external_link", count=sheet_scan.external_count, params=params))
    if scan.macros:
        found.append(error("xlsx_macro"))
    return found


def _DECIMAL_HINT(value: str) -> bool:  # noqa: N802 - reads like a predicate table entry
    stripped = value.strip()
    return any(ch.isdigit() for ch in stripped) and ("," in stripped or "." in stripped)


@dataclass
class Sheet:
    """One sheet's cells as calamine typed them (str, float, int, bool, date, datetime,
    None), trailing empty rows and columns dropped, every row ``width`` long."""

    sheet_names: list[str]
    name: str
    rows: list[list]

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


def load_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """The named sheet, or the workbook's first sheet that holds anything."""
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)

        def load(name):
            return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)

    except Exception:  # noqa: BLE001 - calamine rejects some valid files; openpyxl may cope
        names, load = _openpyxl_loader(path)
    if sheet is not None:
        if sheet not in names:
            raise ReadError(
                error("sheet_missing", values=[sheet], params={"sheets": ", ".join(names)})
            )
        return Sheet(names, sheet, _trim(load(sheet)))
    for name in names:
        rows = _trim(load(name))
        if rows:
            return Sheet(names, name, rows)
    raise ReadError(error("empty_file"))


def _openpyxl_loader(path: Path):
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any failure here means the workbook is unreadable
        raise ReadError(error("xlsx_invalid", params={"reason": "corrupt"}))

    def load(name):
        return [list(row) for row in workbook[name].iter_rows(values_only=True)]

    return list(workbook.sheetnames), load


def _trim(rows: list[list]) -> list[list]:
    """Drop trailing empty rows and columns (Excel's used range is often too large); pad
    short rows, so every row has the same width."""
    end = len(rows)
    while end and not any(v not in (None, "") for v in rows[end - 1]):
        end -= 1
    if not end:
        return []
    rows = rows[:end]
    width = max(map(len, rows))
    if min(map(len, rows)) != width:  # in C: a generator over 100,000 rows costs 15 ms
        rows = [list(row) + [None] * (width - len(row)) for row in rows]
    # A column is empty when no row has a value there; the header row usually has one.
    while width and all(row[width - 1] in (None, "") for row in rows):
        width -= 1
    if width < len(rows[0]):
        rows = [row[:width] for row in rows]
    return rows


def _preview(value) -> str:
    return "" if value is None else str(value)
