"""A streaming look at an Excel workbook before anything parses it: limits and hostile parts.

The zip parts are decompressed in blocks and searched as bytes, never built into a tree, so a
workbook that would unpack to gigabytes is refused after the first limit it crosses, in
constant memory. Found: a DTD in any part (XXE, entity expansion), macros, and per sheet the
rows, columns, cells, oversized cells and formula cells (external references among them).
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .findings import ReadError, error

BLOCK = 1 << 20
PROLOG_LIMIT = 1 << 20
# What a part may really unpack to, whatever its zip entry claims.
PART_LIMIT = 1 << 30
# One row (1,000 cells of 32,767 characters would be 128 MB; no export comes near).
UNIT_LIMIT = 64 << 20


@dataclass(frozen=True)
class XlsxLimits:
    """What one sheet may hold. Excel itself stops at 1,048,576 rows and 32,767 characters
    per cell; an export for BIF is far below the cell count (larger data comes as CSV)."""

    max_rows: int = 1_048_576
    max_columns: int = 1_000
    max_cells: int = 3_000_000
    max_cell_chars: int = 32_767
    max_shared_strings: int = 3_000_000
    max_shared_strings_mb: int = 200
    # The reading process (xlsx_process): its address space and its time.
    memory_mb: int = 2_048
    timeout_seconds: int = 600


@dataclass
class SheetScan:
    name: str
    rows: int = 0
    cells: int = 0
    formula_cells: list[str] = field(default_factory=list)
    formula_count: int = 0
    external_cells: list[str] = field(default_factory=list)
    external_count: int = 0


@dataclass
class WorkbookScan:
    sheets: dict[str, SheetScan]
    macros: bool = False


_ROW = re.compile(rb"<row\b[^>]*?\br=\"(\d+)\"")
_FORMULA = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]{1,3}\d+)\"[^>]*>\s*<f\b[^>]*?(/>|>([^<]*))")
_EXTERNAL = re.compile(rb"\[\d+\]")
_SHEET = re.compile(rb"<sheet\b[^>]*>")
_ATTR = re.compile(rb"\b(name|r:id|id)=\"([^\"]*)\"", re.I)
_REL = re.compile(rb"<Relationship\b[^>]*>")


DEFAULT_LIMITS = XlsxLimits()


def scan_workbook(path: Path, limits: XlsxLimits = DEFAULT_LIMITS) -> WorkbookScan:
    """Raise ReadError at the first limit a part crosses or at a DTD; else what was found."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            for name in names:
                if name.endswith((".xml", ".rels", ".vml")):
                    _check_prolog(archive, name)
            sheets = {}
            for sheet, part in _sheet_parts(archive, names).items():
                sheets[sheet] = _scan_sheet(archive, part, sheet, limits)
            if "xl/sharedStrings.xml" in names:
                _scan_shared_strings(archive, "xl/sharedStrings.xml", limits)
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, NotImplementedError):
        raise ReadError(error("xlsx_invalid", params={"reason": "zip"}))
    macros = any(name.lower().endswith("vbaproject.bin") for name in names)
    return WorkbookScan(sheets=sheets, macros=macros)


def _blocks(archive, name):
    total = 0
    with archive.open(name) as stream:
        while block := stream.read(BLOCK):
            total += len(block)
            if total > PART_LIMIT:
                raise ReadError(error("zip_bomb", params={"ratio": 0, "size_mb": total >> 20}))
            yield block


def _check_prolog(archive, name):
    """OOXML never carries a document type declaration; one is an XXE or entity bomb."""
    head = b""
    for block in _blocks(archive, name):
        head += block
        start = re.search(rb"<[A-Za-z_]", head)
        if start is not None or len(head) > PROLOG_LIMIT:
            head = head[: start.start()] if start is not None else head
            break
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
        raise ReadError(error("xlsx_doctype", params={"part": name}))


def _sheet_parts(archive, names) -> dict[str, str]:
    """{sheet name: part name}, in the workbook's order."""
    if "xl/workbook.xml" not in names:
        return {}
    workbook = archive.read("xl/workbook.xml")[: 16 * BLOCK]
    targets = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for tag in _REL.findall(archive.read("xl/_rels/workbook.xml.rels")[: 16 * BLOCK]):
            attrs = {k.lower(): v for k, v in _ATTR.findall(tag)}
            target = re.search(rb"\bTarget=\"([^\"]*)\"", tag)
            if target and b"id" in attrs:
                path = target.group(1).decode("utf-8", "replace").lstrip("/")
                targets[attrs[b"id"]] = path if path.startswith("xl/") else f"xl/{path}"
    parts = {}
    for tag in _SHEET.findall(workbook):
        attrs = {k.lower(): v for k, v in _ATTR.findall(tag)}
        part = targets.get(attrs.get(b"r:id", b""))
        if part in names:
            parts[html.unescape(attrs.get(b"name", b"").decode("utf-8", "replace"))] = part
    return parts


def _scan_sheet(archive, part, sheet, limits):
    found = SheetScan(name=sheet)
    wide = _column_letters(limits.max_columns)
    # Literal prefix first, so the search skips ahead fast; rows' r="…" are digits only.
    wide_cell = re.compile(rb'r="([A-Z]{%d,3})\d' % len(wide))
    for data in _pieces(archive, part, sheet, limits, b"<row"):
        found.cells += data.count(b"<c")  # and the few <cols>: a limit, not a census
        found.rows += data.count(b"<row")
        last = data.rfind(b"<row ")
        if last >= 0 and (number := _ROW.match(data, last)):
            found.rows = max(found.rows, int(number.group(1)))
        for letters in wide_cell.findall(data):
            if _column_number(letters.decode()) > limits.max_columns:
                _limit("columns", _column_number(letters.decode()), limits.max_columns, sheet)
        if found.rows > limits.max_rows:
            _limit("rows", found.rows, limits.max_rows, sheet)
        if found.cells > limits.max_cells:
            _limit("cells", found.cells, limits.max_cells, sheet)
        if b"<f>" in data or b"<f " in data:
            _formulas(data, found)
    return found


def _pieces(archive, part, sheet, limits, unit):
    """The part's text in pieces that end before a unit (a row, a shared string) begins, so
    no cell is split between pieces; a text longer than a cell may be is refused."""
    carry = b""
    for block in _blocks(archive, part):
        data = carry + block
        cut = data.rfind(unit)
        if cut <= 0:
            cut = data.rfind(b"<")
        if cut <= 0:
            cut = len(data)
        data, carry = data[:cut], data[cut:]
        if len(carry) > UNIT_LIMIT:
            _limit("cell_chars", len(carry), limits.max_cell_chars, sheet)
        yield _checked(data, sheet, limits)
    if carry:
        yield _checked(carry, sheet, limits)


def _checked(data, sheet, limits):
    # A run of more than max_cell_chars bytes without "<" covers one of these windows
    # (half as long, back to back) whole: a few dozen searches per megabyte find it.
    window = (limits.max_cell_chars + 2) // 2
    for start in range(0, max(len(data) - window + 1, 0), window):
        if data.find(b"<", start, start + window) == -1:
            for text in re.findall(rb">([^<]{%d,})" % (limits.max_cell_chars + 1), data):
                chars = len(text.decode("utf-8", "replace"))
                if chars > limits.max_cell_chars:
                    _limit("cell_chars", chars, limits.max_cell_chars, sheet)
            break
    return data


def _formulas(data, found):
    for match in _FORMULA.finditer(data):
        cell, formula = match.group(1).decode(), match.group(3) or b""
        if _EXTERNAL.search(formula):
            found.external_count += 1
            if len(found.external_cells) < 5:
                found.external_cells.append(cell)
        else:
            found.formula_count += 1
            if len(found.formula_cells) < 5:
                found.formula_cells.append(cell)


def _scan_shared_strings(archive, part, limits):
    count, size = 0, 0
    for data in _pieces(archive, part, "", limits, b"<si"):
        size += len(data)
        count += data.count(b"<si")
        if count > limits.max_shared_strings:
            _limit("shared_strings", count, limits.max_shared_strings, "")
        if size > limits.max_shared_strings_mb << 20:
            _limit("shared_strings_mb", size >> 20, limits.max_shared_strings_mb, "")


def _limit(name, value, limit, sheet):
    raise ReadError(
        error("xlsx_limit", params={"limit": name, "value": value, "max": limit, "sheet": sheet})
    )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
