"""Transformations a schema declares in its layout, applied to the text frame before checks:
code and name in one cell ("01 Altstadt"), wide tables (years as columns) to long, and
names written differently from the code list ("Westliche_Höhe", "fuerstenberg").
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd

from .findings import ReadError, error
from .layout import STRING_DTYPE, ReadResult
from .schema import normalise_header

CODE_NAME = r"^\s*(?P<code>\d+[A-Za-z]?)\s+(?P<name>\S.*?)\s*$"
YEAR_COLUMNS = r"^(?P<measure>.*?)[ _-]*(?P<key>(?:19|20)\d\d)$"


def apply(read: ReadResult, layout: dict) -> ReadResult:
    frame, rows = read.frame, np.asarray(read.row_numbers)
    for split in layout.get("splitColumns") or []:
        frame = split_code_name(frame, split["column"], split["into"], split.get("pattern"))
    if layout.get("wideToLong"):
        frame, rows = wide_to_long(frame, rows, layout["wideToLong"])
    if frame is read.frame:
        return read
    return dataclasses.replace(read, frame=frame, row_numbers=rows)


def split_code_name(frame: pd.DataFrame, column: str, into: list[str], pattern=None):
    """Replace ``column`` by two columns, code and name, at its place."""
    if column not in frame.columns:
        return frame
    parts = frame[column].astype(STRING_DTYPE).str.extract(pattern or CODE_NAME)
    code = parts.iloc[:, 0].astype(STRING_DTYPE)
    name = parts.iloc[:, 1].astype(STRING_DTYPE).fillna(frame[column].str.strip())
    position = list(frame.columns).index(column)
    result = frame.drop(columns=[column])
    result.insert(position, into[1], name)
    result.insert(position, into[0], code)
    return result


def wide_columns(columns: list[str], pattern: str = YEAR_COLUMNS) -> dict[str, tuple[str, str]]:
    """{column: (measure, key)} of the columns that carry the key in their name."""
    found = {}
    for column in columns:
        match = re.match(pattern, column)
        if match and match.groupdict().get("key"):
            found[column] = ((match.groupdict().get("measure") or "").strip(" _-"), match["key"])
    return found


def wide_to_long(frame: pd.DataFrame, rows: np.ndarray, spec: dict):
    """One row per record and key (year): the other columns repeat, each measure becomes
    one column. ``spec``: ``columns`` (a pattern with the groups ``key`` and optionally
    ``measure``), ``key`` (the new column's name), ``value`` (the measure's name when the
    pattern has none)."""
    wide = wide_columns(list(frame.columns), spec.get("columns") or YEAR_COLUMNS)
    if not wide:
        raise ReadError(error("column_missing", spec.get("key", "jahr"), params={"field": "jahr"}))
    keep = [c for c in frame.columns if c not in wide]
    value = spec.get("value", "wert")
    by_key: dict[str, dict[str, str]] = {}
    for column, (measure, key) in wide.items():
        by_key.setdefault(key, {})[measure or value] = column
    measures = list(dict.fromkeys(m for columns in by_key.values() for m in columns))
    parts, numbers = [], []
    for key, columns in by_key.items():
        part = frame[keep].copy()
        part[spec.get("key", "jahr")] = pd.array([key] * len(frame), dtype=STRING_DTYPE)
        for measure in measures:
            source = columns.get(measure)
            part[measure] = (
                frame[source] if source else pd.array([None] * len(frame), dtype=STRING_DTYPE)
            )
        parts.append(part)
        numbers.append(rows)
    long = pd.concat(parts, ignore_index=True)
    return long, np.concatenate(numbers)


def match_code_list(values: pd.Series, allowed: list[str]) -> pd.Series:
    """Values not in the code list but equal to one of its entries when written with "_"
    for spaces, without umlauts or in other case, become that entry."""
    canonical = {}
    for entry in allowed:
        canonical.setdefault(normalise_header(str(entry)), str(entry))
    distinct = values.dropna().unique()
    replace = {}
    for value in distinct:
        if value in allowed:
            continue
        folded = normalise_header(str(value).replace("_", " "))
        if folded in canonical:
            replace[value] = canonical[folded]
    if not replace:
        return values
    return values.replace(replace).astype(values.dtype)
