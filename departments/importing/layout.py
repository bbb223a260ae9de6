"""Shared pieces of the readers: the result type and the heuristics that find the table in a file.

Fachverfahren exports put title lines above the header and footnotes below the data; these
functions find where the table really starts and ends, for CSV lines and Excel rows alike.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .findings import Finding, ReadError, error

STRING_DTYPE = pd.StringDtype("pyarrow")
SAMPLE_ROWS = 200

_DECIMAL_COMMA = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$")
_DECIMAL_DOT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)\.\d+$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_YEAR = re.compile(r"^(19|20)\d\d$")
_NOTE_START = re.compile(r"^\s*(\*|\(|\d+\)|quelle|hinweis|anmerkung|fu(ss|ß)note|stand|erl)", re.I)


@dataclass
class ReadResult:
    frame: pd.DataFrame
    encoding: str
    delimiter: str | None
    decimal: str
    header_line: int
    row_numbers: np.ndarray
    sheet: str | None = None
    sheet_names: list[str] = field(default_factory=list)
    dropped_footer_lines: int = 0
    title_lines: int = 0
    findings: list[Finding] = field(default_factory=list)
    has_header: bool = True
    details: dict = field(default_factory=dict)  # what a layout found (GENESIS title, notes)


def find_header(rows: list[list[str]], *, width: int | None = None) -> int:
    """Index of the header among sample rows: the first row that fills most of the table width.

    Title lines ("Export Einwohnermeldewesen Stand 31.12.2023") fill one cell, even when Excel
    padded them with delimiters; blank lines fill none.
    """
    filled = [sum(1 for v in row if v and v.strip()) for row in rows]
    most = max(filled, default=0)
    if most < 2:
        raise ReadError(error("single_column"))
    needed = max(2, math.ceil(most / 2))
    for index, row in enumerate(rows):
        if filled[index] >= needed and (width is None or len(row) == width):
            return index
    for index in range(len(rows)):
        if filled[index] >= needed:
            return index
    raise ReadError(error("single_column"))  # pragma: no cover - most >= needed always matches


def generated_names(width: int) -> list[str]:
    """Column names for a file without a header row: by position, as the analyst counts."""
    return [f"spalte_{i}" for i in range(1, width + 1)]


def looks_like_data(first: list[str], following: list[list[str]]) -> bool:
    """True if the row taken for the header is a record: its cells have the types of the
    cells below them. A header names a number column with text ("Anzahl_2018"); only years
    ("2018;2019") may be numbers in a header."""
    from .notation import looks_numeric

    rows = [row for row in following[:50] if any(v.strip() for v in row)]
    if not rows:
        return False
    numeric_in_numeric_column = []
    for index, cell in enumerate(first):
        cell = cell.strip()
        column = [row[index].strip() for row in rows if index < len(row) and row[index].strip()]
        if not cell or not column:
            continue
        numeric_column = sum(looks_numeric(v) for v in column) >= 0.8 * len(column)
        if not numeric_column:
            continue
        if not looks_numeric(cell):
            return False
        numeric_in_numeric_column.append((cell, column))
    if not numeric_in_numeric_column:
        return False
    years = [cell for cell, _column in numeric_in_numeric_column if _YEAR.match(cell)]
    if len(years) == len(numeric_in_numeric_column) and len(set(years)) == len(years):
        data_are_years = all(
            all(_YEAR.match(v) for v in column) for _cell, column in numeric_in_numeric_column
        )
        return data_are_years
    return True


def is_footnote(fields: list[str], width: int, text: str | None = None) -> bool:
    """A line under the table that is a note, not a record: one text cell, e.g. "* vorläufig"."""
    if text and len(fields) != width and _NOTE_START.match(text):
        return True
    filled = [v.strip() for v in fields if v and v.strip()]
    if len(filled) != 1 or width < 2:
        return False
    text = filled[0]
    if not (fields[0] or "").strip():
        return False
    if _NOTE_START.match(text):
        return True
    # A free-text sentence in the first cell while the table has many columns.
    return len(fields) != width and bool(re.search(r"[A-Za-zÄÖÜäöüß]{2,}\s+\S", text))


def detect_decimal(values: list[str], delimiter: str | None) -> str:
    """',' or '.', from how numbers in the sample are written (German exports use ',')."""
    comma = dot = 0
    for value in values:
        value = value.strip()
        if _DECIMAL_COMMA.match(value) or _THOUSANDS_DOT.match(value):
            comma += 1
        elif _DECIMAL_DOT.match(value):
            dot += 1
    if comma != dot:
        return "," if comma > dot else "."
    return "." if delimiter == "," else ","


def mode_width(counts: list[int]) -> tuple[int, int]:
    """Most common field count above 1 and how often it occurs."""
    multi = Counter(c for c in counts if c > 1)
    if not multi:
        return 0, 0
    width, freq = max(multi.items(), key=lambda item: (item[1], item[0]))
    return width, freq


def check_header(names: list[str]) -> None:
    named = [n for n in names if n]
    duplicates = [n for n, c in Counter(named).items() if c > 1]
    if duplicates:
        raise ReadError(
            error(
                "column_duplicate",
                duplicates[0],
                count=len(duplicates),
                values=duplicates,
            )
        )


def _blank(column) -> pa.Array:
    """True where a cell is missing or whitespace only."""
    array = pa.array(column) if not isinstance(column, pa.ChunkedArray | pa.Array) else column
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        from .arrowtext import may_need_trim

        if not may_need_trim(array).any():
            return pc.is_null(array)  # no cell of spaces only: blank means missing
    trimmed = pc.utf8_trim_whitespace(array)
    return pc.fill_null(pc.equal(trimmed, ""), True)


def finalise_frame(
    table: pa.Table, names: list[str], row_numbers: np.ndarray, *, header_line: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Name the columns, drop empty unnamed columns and fully blank rows; string dtype throughout.

    An unnamed column that holds data cannot be mapped, so it stops the import.
    """
    keep_columns, keep_names = [], []
    for index, name in enumerate(names):
        column = table.column(index)
        if not name:
            blank = _blank(column)
            if not pc.all(blank).as_py():
                rows = np.flatnonzero(~np.asarray(blank.to_numpy(zero_copy_only=False)))
                raise ReadError(
                    error(
                        "column_unnamed",
                        count=len(rows),
                        rows=[header_line],
                        params={"position": index + 1},
                    )
                )
            continue
        keep_columns.append(column)
        keep_names.append(name)
    if not keep_columns:
        raise ReadError(error("empty_file"))
    empty_row = None
    for column in keep_columns:
        blank = _blank(column)
        empty_row = blank if empty_row is None else pc.and_(empty_row, blank)
    keep = ~np.asarray(empty_row.to_numpy(zero_copy_only=False), dtype=bool)
    table = pa.table(
        dict(zip([f"c{i}" for i in range(len(keep_names))], keep_columns, strict=True))
    )
    if not keep.all():
        table = table.filter(pa.array(keep))
        row_numbers = np.asarray(row_numbers)[keep]
    if table.num_rows == 0:
        raise ReadError(error("header_only", rows=[header_line]))
    frame = table.to_pandas(types_mapper=_string_mapper)
    frame.columns = keep_names
    return frame, np.asarray(row_numbers, dtype=np.int64)


def _string_mapper(arrow_type):
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return STRING_DTYPE
    return None
