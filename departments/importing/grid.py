"""Read a file the way its schema's layout says: plain tables through the fast readers,
GENESIS tables, stacked (merged) headers and zipped flat files through a grid of text cells;
then the declared transformations (code and name split, wide to long).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from . import genesis, transform
from .csv_reader import detect_delimiter, detect_encoding
from .findings import ReadError, error
from .layout import ReadResult, finalise_frame
from .readers import check_size, read_table
from .xlsx_reader import (
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    RATIO_MIN_SIZE,
    cell_text,
    check_zip,
    load_sheet,
)
from .xlsx_scan import DEFAULT_LIMITS, XlsxLimits, scan_workbook

ZIP_MAGIC = b"PK\x03\x04"
GRID_FORMATS = ("genesis_table",)
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
HEAD_BYTES = 512 * 1024


@dataclass
class Grid:
    rows: list[list[str]]
    encoding: str
    delimiter: str | None
    sheet: str | None = None
    sheet_names: list[str] = field(default_factory=list)


def read_grid(
    path,
    *,
    filename: str,
    sheet: str | None = None,
    limit: int | None = None,
    xlsx_limits: XlsxLimits | None = None,
) -> Grid:
    """Every cell as text, leading spaces kept (they carry levels in GENESIS tables). A
    workbook is first scanned part by part against the limits on rows, columns, cell size
    and shared strings, so no oversized sheet is ever expanded in this process."""
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head == ZIP_MAGIC:
        members = _zip_members(path)
        if "xl/workbook.xml" in members or "xl/workbook.bin" in members:
            check_zip(path)
            scan_workbook(path, xlsx_limits or DEFAULT_LIMITS)
            loaded = load_sheet(path, sheet)
            text = [[cell_text(v, ".") or "" for v in row] for row in loaded.rows[:limit]]
            return Grid(text, "xlsx", None, sheet=loaded.name, sheet_names=loaded.sheet_names)
        return _csv_grid(_zipped_csv(path, members), limit)
    if limit is None:
        return _csv_grid(path.read_bytes(), None)
    with open(path, "rb") as handle:
        data = handle.read(HEAD_BYTES)
    if len(data) == HEAD_BYTES and b"\n" in data:
        data = data[: data.rfind(b"\n") + 1]
    return _csv_grid(data, limit)


def _zip_members(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError):
        raise ReadError(error("xlsx_invalid", params={"reason": "zip"}))


def _zipped_csv(path: Path, members: list[str]) -> bytes:
    """GENESIS sends one ZIP per table holding one CSV."""
    csvs = [m for m in members if m.lower().endswith(CSV_SUFFIXES)]
    if len(csvs) != 1:
        raise ReadError(error("xlsx_invalid", params={"reason": "not_excel"}))
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(csvs[0])
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_UNCOMPRESSED or (
            info.file_size > RATIO_MIN_SIZE and ratio > MAX_RATIO
        ):
            raise ReadError(
                error("zip_bomb", params={"ratio": round(ratio), "size_mb": info.file_size >> 20})
            )
        return archive.read(csvs[0])


def _csv_grid(data: bytes, limit: int | None) -> Grid:
    if not data.strip():
        raise ReadError(error("empty_file"))
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, data = "utf-8-sig", data[3:]
    else:
        encoding = detect_encoding(data)
    text = data.decode("utf-8" if encoding == "utf-8-sig" else encoding)
    lines = text.splitlines()
    if limit is not None:
        lines = lines[:limit]
    delimiter, _width = detect_delimiter(lines[:200])
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    return Grid(rows, encoding, delimiter)


def is_zipped_csv(path) -> bool:
    with open(path, "rb") as handle:
        if handle.read(4) != ZIP_MAGIC:
            return False
    members = _zip_members(Path(path))
    return "xl/workbook.xml" not in members and "xl/workbook.bin" not in members


def read_for_schema(
    path,
    *,
    filename: str,
    layout: dict | None = None,
    sheet=None,
    max_bytes=None,
    xlsx_limits: XlsxLimits | None = None,
) -> ReadResult:
    """The file as the schema's layout declares it, ready for mapping and validation."""
    layout = layout or {}
    kind = layout.get("format", "table")
    header_rows = int(layout.get("headerRows", 1))
    kwargs = {"max_bytes": max_bytes} if max_bytes else {}
    if xlsx_limits is not None:
        kwargs["xlsx_limits"] = xlsx_limits
    if kind in GRID_FORMATS or header_rows > 1 or is_zipped_csv(path):
        check_size(path, max_bytes)
        grid = read_grid(path, filename=filename, sheet=sheet, xlsx_limits=xlsx_limits)
        if kind == "genesis_table":
            table = genesis.read_genesis_table(grid.rows)
        else:
            table = genesis.read_stacked(grid.rows, header_rows)
        read = from_grid_table(table, grid)
    else:
        header = layout.get("header")
        read = read_table(path, filename=filename, sheet=sheet, header=header, **kwargs)
    return transform.apply(read, layout)


def from_grid_table(table: genesis.GridTable, grid: Grid) -> ReadResult:
    width = len(table.names)
    columns = {
        f"c{i}": pa.array([row[i] if i < len(row) else "" for row in table.rows], pa.string())
        for i in range(width)
    }
    frame, numbers = finalise_frame(
        pa.table(columns),
        table.names,
        np.asarray(table.row_numbers, dtype=np.int64),
        header_line=table.header_line,
    )
    return ReadResult(
        frame=frame,
        encoding=grid.encoding,
        delimiter=grid.delimiter,
        decimal=",",
        header_line=table.header_line,
        row_numbers=numbers,
        sheet=grid.sheet,
        sheet_names=grid.sheet_names,
        dropped_footer_lines=table.dropped_footer_lines,
        title_lines=table.title_lines,
        details=table.details,
    )
