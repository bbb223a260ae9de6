"""Entry point for reading a Fachverfahren export: decide by content (not by name) how to read it.

CSV goes through Arrow (``csv_reader``), Excel through calamine (``xlsx_reader``); both return a
``ReadResult`` whose frame holds every cell as text, so validation sees what the analyst typed.
"""

from __future__ import annotations

from pathlib import Path

from .csv_reader import CsvLayout, iter_csv_chunks, read_csv
from .findings import ReadError, error
from .layout import ReadResult
from .xlsx_process import read_workbook
from .xlsx_scan import DEFAULT_LIMITS, XlsxLimits

__all__ = ["CsvLayout", "ReadError", "ReadResult", "XlsxLimits", "iter_csv_chunks", "read_table"]

MAX_BYTES = 500 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".ods"}
# Encrypted OOXML is an OLE2 container holding these streams (names are UTF-16LE in the directory).
_ENCRYPTED_MARKERS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))


def read_table(
    path,
    *,
    filename: str,
    sheet: str | None = None,
    max_bytes: int = MAX_BYTES,
    xlsx_limits: XlsxLimits = DEFAULT_LIMITS,
    header: bool | None = None,
) -> ReadResult:
    """Read a CSV or XLSX export into a frame of text columns; raise ReadError if it can't be.

    A workbook is read in a child process with capped memory (xlsx_process).
    ``header=False`` says the CSV has no header row; ``None`` lets its content decide."""
    path = Path(path)
    check_size(path, max_bytes)
    with open(path, "rb") as handle:
        head = handle.read(8)
    suffix = Path(filename).suffix.lower()
    if head.startswith(ZIP_MAGIC):
        return read_workbook(path, sheet=sheet, limits=xlsx_limits)
    if head.startswith(OLE_MAGIC):
        raise ReadError(_ole_finding(path))
    if suffix in EXCEL_SUFFIXES:
        raise ReadError(error("xlsx_invalid", params={"reason": "not_zip"}))
    # Some Fachverfahren write text into files named .xls; those are read as CSV.
    return read_csv(path, header=header)


def check_size(path, max_bytes: int | None) -> None:
    """Refuse a file over ``max_bytes`` (None: no limit) or an empty one, before reading."""
    size = Path(path).stat().st_size
    if max_bytes and size > max_bytes:
        raise ReadError(
            error(
                "file_too_large",
                params={"size_mb": round(size / 2**20, 1), "limit_mb": round(max_bytes / 2**20, 1)},
            )
        )
    if size == 0:
        raise ReadError(error("empty_file"))


def _ole_finding(path: Path):
    """OLE2 is either a password-protected .xlsx or a legacy .xls: both need the analyst."""
    with open(path, "rb") as handle:
        head = handle.read(16 * 1024 * 1024)
    if any(marker in head for marker in _ENCRYPTED_MARKERS):
        return error("encrypted")
    return error("xls_legacy")
