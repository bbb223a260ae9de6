"""Workbook cells as the text the analyst saw: calamine hands over typed values (float, int,
str, bool, date, datetime, time); each column is converted by type, vectorised in Arrow, so a
100,000-row sheet is not formatted one Python call per cell.

`cell_text` is the rule for one cell; `column_text` applies the same rule to a whole column
and falls back to it only for the rare cells Arrow would write differently (very long or very
large floats, exponents, years before 1000, durations).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NONE = type(None)
DATE_FORMAT = "%d.%m.%Y"
DATETIME_FORMAT = "%d.%m.%Y %H:%M:%S"
# Below this, an integral float is written exactly by int64 (and .15g would not use exponents).
EXACT_INTEGRAL = 1e15
# .15g writes positionally from 1e-4 up; Arrow writes the shortest round trip, the same digits
# whenever that has at most 15 (any such decimal survives a double).
SHORT_FLOAT = 15


def cell_text(value, decimal: str = ".") -> str | None:
    """One cell as text: numbers without a spurious ".0", dates as dd.mm.yyyy."""
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) < 1e300:
            return str(int(value))
        text = f"{value:.15g}"
        if "e" in text:
            text = repr(value)
        return text.replace(".", decimal) if decimal == "," else text
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime(DATE_FORMAT)
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def column_text(values: Sequence, decimal: str = ".") -> pa.Array:
    """A column of typed cells as a string array (null for empty cells); exactly what
    `cell_text` gives cell by cell."""
    if isinstance(values, np.ndarray) and values.dtype == object:
        cells = values  # a column of the reader's grid: no copy
    else:
        cells = np.empty(len(values), dtype=object)
        cells[:] = values
    kinds = np.fromiter(map(type, values), dtype=object, count=len(values))
    present = set(kinds.tolist())
    if present <= {str, NONE}:
        return _strings(cells)
    if present <= {float, NONE}:
        fast = _float_column(cells, kinds, decimal)
        if fast is not None:
            return fast
    out = np.empty(len(values), dtype=object)  # None where empty
    for kind in present - {NONE}:
        where = np.flatnonzero(kinds == kind)
        out[where] = _convert(kind, cells[where], decimal)
    return _strings(out)


def _strings(cells: np.ndarray) -> pa.Array:
    array = pa.array(cells, type=pa.string(), from_pandas=True)
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


def _convert(kind, cells: np.ndarray, decimal: str) -> np.ndarray:
    converter = {
        str: lambda c, _d: c,
        float: _floats,
        bool: lambda c, _d: np.where(c.astype(bool), "true", "false").astype(object),
        int: _ints,
        dt.date: _dates,
        dt.datetime: _datetimes,
    }.get(kind)
    if converter is None:
        return _one_by_one(cells, decimal)
    return converter(cells, decimal)


def _one_by_one(cells: np.ndarray, decimal: str) -> np.ndarray:
    return np.array([cell_text(v, decimal) for v in cells.tolist()], dtype=object)


def _floats(cells: np.ndarray, decimal: str) -> np.ndarray:
    numbers = cells.astype(np.float64)
    out = np.empty(len(numbers), dtype=object)  # NaN stays None (an empty cell)
    finite = np.isfinite(numbers)
    integral = finite & (numbers == np.trunc(numbers)) & (np.abs(numbers) < EXACT_INTEGRAL)
    if integral.any():
        whole = pa.array(numbers[integral].astype(np.int64)).cast(pa.string())
        out[integral] = whole.to_numpy(zero_copy_only=False)
    fraction = finite & ~integral & (np.abs(numbers) >= 1e-4) & (np.abs(numbers) < EXACT_INTEGRAL)
    if fraction.any():
        text = pa.array(numbers[fraction]).cast(pa.string())
        if decimal == ",":
            text = pc.replace_substring(text, ".", ",")
        short = pc.less_equal(pc.utf8_length(text), SHORT_FLOAT).to_numpy(zero_copy_only=False)
        chosen = np.flatnonzero(fraction)
        text = text.to_numpy(zero_copy_only=False)
        out[chosen[short]] = text[short]
        fraction[chosen[~short]] = False  # too long to be sure: the one-cell rule
    rest = ~(integral | fraction) & ~np.isnan(numbers)
    if rest.any():
        out[rest] = _one_by_one(cells[rest], decimal)
    return out


def _float_column(cells: np.ndarray, kinds: np.ndarray, decimal: str) -> pa.Array | None:
    """A column of numbers (and empty cells) straight into Arrow, without a Python string
    per cell; None if a cell needs the one-cell rule (exponents, long fractions)."""
    numbers = np.full(len(cells), np.nan)
    where = kinds != NONE  # the rest are floats
    numbers[where] = cells[where].astype(np.float64)
    finite = np.isfinite(numbers)
    size = np.abs(numbers)
    integral = finite & (numbers == np.trunc(numbers)) & (size < EXACT_INTEGRAL)
    fraction = finite & ~integral & (size >= 1e-4) & (size < EXACT_INTEGRAL)
    if (finite & ~(integral | fraction)).any() or np.isinf(numbers).any():
        return None
    whole = pa.array(np.where(integral, numbers, 0).astype(np.int64)).cast(pa.string())
    if not fraction.any():
        return pc.if_else(pa.array(integral), whole, pa.scalar(None, pa.string()))
    text = pa.array(np.where(fraction, numbers, 0.5)).cast(pa.string())
    if decimal == ",":
        text = pc.replace_substring(text, ".", ",")
    too_long = fraction & pc.greater(pc.utf8_length(text), SHORT_FLOAT).to_numpy(
        zero_copy_only=False
    )
    if too_long.any():
        return None
    chosen = pc.if_else(pa.array(fraction), text, pa.scalar(None, pa.string()))
    return pc.if_else(pa.array(integral), whole, chosen)


def _ints(cells: np.ndarray, decimal: str) -> np.ndarray:
    try:
        return pa.array(cells.tolist(), pa.int64()).cast(pa.string()).to_numpy(zero_copy_only=False)
    except (OverflowError, pa.ArrowInvalid):
        return _one_by_one(cells, decimal)


def _by_distinct(convert):
    """Dates repeat (a year has 365 days): each distinct value is converted once."""

    def by_distinct(cells: np.ndarray, decimal: str) -> np.ndarray:
        distinct = list(dict.fromkeys(cells.tolist()))
        if len(distinct) * 2 > len(cells):
            return convert(cells, decimal)
        unique = np.empty(len(distinct), dtype=object)
        unique[:] = distinct
        text = dict(zip(distinct, convert(unique, decimal).tolist(), strict=True))
        out = np.empty(len(cells), dtype=object)
        out[:] = list(map(text.__getitem__, cells.tolist()))
        return out

    return by_distinct


@_by_distinct
def _dates(cells: np.ndarray, decimal: str) -> np.ndarray:
    days = pa.array(cells.tolist(), pa.date32())
    if pc.any(pc.less(pc.year(days), 1000)).as_py():
        return _one_by_one(cells, decimal)
    text = pc.strftime(days.cast(pa.timestamp("s")), DATE_FORMAT)
    return text.to_numpy(zero_copy_only=False)


@_by_distinct
def _datetimes(cells: np.ndarray, decimal: str) -> np.ndarray:
    if any(v.tzinfo is not None for v in cells[:1].tolist()):
        return _one_by_one(cells, decimal)
    stamps = pa.array(cells.tolist(), pa.timestamp("us"))
    if pc.any(pc.less(pc.year(stamps), 1000)).as_py():
        return _one_by_one(cells, decimal)
    seconds = stamps.cast(pa.timestamp("s"), safe=False)
    micros = stamps.cast(pa.int64()).to_numpy(zero_copy_only=False)
    midnight = pa.array(micros % 86_400_000_000 == 0)
    text = pc.if_else(
        midnight, pc.strftime(seconds, DATE_FORMAT), pc.strftime(seconds, DATETIME_FORMAT)
    )
    return text.to_numpy(zero_copy_only=False)
