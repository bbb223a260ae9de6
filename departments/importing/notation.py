"""German statistical notation: a cell of a measure is read into a value and a status.

The signs are the ones Destatis and the statistical offices of the Länder print in their tables
(Zeichenerklärung): ``-`` nothing (a true zero), ``.`` unknown or secret, ``x`` blocked (not
meaningful), ``/`` not reliable enough, ``…`` not yet available, ``0`` less than half of the
unit (but more than nothing). Numbers are written with ``.`` or a space between thousands and
``,`` as decimal sign, or the other way round; percent strings (``"35,5%"``) are numbers too.
Pure functions on Arrow arrays: no Django here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Cell text -> status code (the sign as it travels to publication).
SIGNS = {
    "-": "-",
    "–": "-",
    "—": "-",
    ".": ".",
    "x": "x",
    "X": "x",
    "/": "/",
    "…": "...",
    "...": "...",
}
STATUS_CODES = ("-", ".", "x", "/", "...", "0")
# Signs whose cell still carries a number: "-" is a true zero, "0" less than half the unit.
ZERO_SIGNS = ("-",)
SPACES = " \u00a0\u202f\u2009"
_SPACE_CLASS = "[ \u00a0\u202f\u2009]"
_PERCENT = r"\s*%"
_COMMA_NUMBER = re.compile(r"^[+-]?\s*(\d{1,3}([. \u00a0\u202f]\d{3})+|\d+)(,\d+)?\s*%?$")
_DOT_NUMBER = re.compile(r"^[+-]?\s*(\d{1,3}([, \u00a0\u202f]\d{3})+|\d+)(\.\d+)?\s*%?$")
_NUMBERISH = re.compile(r"^[+-]?\s*[\d.,  \u202f]*\d\s*%?$")


def status_name(field_name: str) -> str:
    """Name of the column that keeps a measure's status next to its value."""
    return f"{field_name}__status"


def is_status_name(name: str) -> bool:
    """True for a status column (``<field>__status``): the status of a measure, not a field."""
    return isinstance(name, str) and name.endswith("__status") and len(name) > len("__status")


def sign_status(text: str) -> str | None:
    return SIGNS.get(text.strip())


def is_sign(text: str) -> bool:
    return text.strip() in SIGNS


def looks_numeric(text: str) -> bool:
    """True for anything a German table prints in a number cell (numbers, percent, signs)."""
    value = text.strip()
    return bool(value) and (value in SIGNS or bool(_NUMBERISH.match(value)))


def column_decimal(values: list[str]) -> str | None:
    """The decimal sign of one column: ',' or '.', or None if its numbers don't tell.

    "1.374" alone is a thousands separator in a German file; "35,5%" and "3.1" are decimals.
    The file-level guess is not enough: one file mixes a count column with "1.374" and a
    percent column with "35,5%".
    """
    comma = dot = 0
    for raw in values:
        value = raw.strip().rstrip("%").strip()
        if not value or value in SIGNS:
            continue
        if re.fullmatch(r"[+-]?\s*\d+,\d+", value) or re.fullmatch(
            r"[+-]?\s*\d{1,3}(\.\d{3})+(,\d+)?", value
        ):
            comma += 1
        elif re.fullmatch(r"[+-]?\s*\d+\.\d{1,2}|[+-]?\s*\d+\.\d{4,}", value) or re.fullmatch(
            r"[+-]?\s*\d{1,3}(,\d{3})+\.\d+", value
        ):
            dot += 1
    if comma == dot:
        return None
    return "," if comma > dot else "."


@dataclass
class Measure:
    values: pa.ChunkedArray  # float64 or int64, null where no number
    status: pa.ChunkedArray | None  # status code per cell, null where the value stands as is
    ok: np.ndarray  # cell is a number or an accepted sign
    bad: np.ndarray  # cell present but neither
    huge: np.ndarray  # a number, but too large to store


def read_measure(
    text: pa.ChunkedArray,
    *,
    kind: str,
    decimal: str,
    group: str | None = None,
    percent: bool = False,
    signs: tuple[str, ...] = (),
) -> Measure:
    """Numbers and signs of one column of trimmed text (null = blank cell).

    ``signs`` are the status codes the schema accepts in this column; "0" among them marks
    a bare zero as "less than half of the unit".
    """
    present = _np(pc.invert(pc.is_null(text)))
    sign_texts = [t for t, code in SIGNS.items() if code in signs]
    is_sign_cell = (
        _np(pc.is_in(text, value_set=pa.array(sign_texts, text.type)))
        if sign_texts
        else np.zeros(len(text), dtype=bool)
    )
    thousands = group if group is not None else ("." if decimal == "," else ",")
    group_class = "[" + re.escape(thousands) + SPACES + "]"
    dec = re.escape(decimal)
    suffix = _PERCENT if percent else ""
    if kind == "integer":
        body = rf"(\d+|\d{{1,3}}({group_class}\d{{3}})+)({dec}0+)?"
    else:
        body = rf"((\d+|\d{{1,3}}({group_class}\d{{3}})+)({dec}\d+)?|{dec}\d+)"
    pattern = rf"^[+-]?{_SPACE_CLASS}*{body}({suffix})?$"
    number_cell = present & ~is_sign_cell & _np(pc.match_substring_regex(text, pattern))
    cleaned = pc.replace_substring_regex(text, rf"[{re.escape(thousands)}{SPACES}%]", "")
    if kind == "integer":
        cleaned = pc.replace_substring_regex(cleaned, rf"{dec}0+$", "")
    elif decimal != ".":
        cleaned = pc.replace_substring(cleaned, decimal, ".")
    null_text = pa.scalar(None, cleaned.type)
    cleaned = pc.if_else(pa.array(number_cell), cleaned, null_text)
    if kind == "integer":
        fits = _np(pc.less(pc.abs(pc.cast(cleaned, pa.float64())), 9.2e18))
        huge = number_cell & ~fits
        number_cell &= fits
        cleaned = pc.if_else(pa.array(number_cell), cleaned, null_text)
        target = pa.int64()
    else:
        target = pa.float64()
    values = pc.cast(cleaned, target)
    if kind != "integer":
        huge = _np(pc.is_inf(values))
        number_cell &= ~huge
        values = pc.if_else(pa.array(huge), pa.scalar(None, target), values)
    values = _as_chunked(values)

    status = None
    if signs:
        codes = _np_text(text)
        status_np = np.full(len(text), None, dtype=object)
        for sign_text, code in SIGNS.items():
            if code in signs:
                status_np[is_sign_cell & (codes == sign_text)] = code
        zero = is_sign_cell & np.isin(codes, [t for t, c in SIGNS.items() if c in ZERO_SIGNS])
        if "0" in signs:
            bare_zero = number_cell & np.isin(codes, ["0", "0,0", "0.0"])
            status_np[bare_zero] = "0"
        if zero.any():
            zeros = pa.array(np.zeros(len(text)), type=pa.float64()).cast(target)
            values = pc.if_else(pa.array(zero), zeros, _as_chunked(values))
        status = pa.chunked_array([pa.array(status_np, type=pa.string())])
    ok = number_cell | is_sign_cell
    return Measure(
        values=_as_chunked(values), status=status, ok=ok, bad=present & ~ok & ~huge, huge=huge
    )


def _as_chunked(array) -> pa.ChunkedArray:
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])


def _np(mask) -> np.ndarray:
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def _np_text(text) -> np.ndarray:
    return np.asarray(pc.fill_null(text, "").to_numpy(zero_copy_only=False), dtype=object)
