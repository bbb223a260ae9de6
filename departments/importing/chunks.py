"""A file read in chunks checked as one file: key columns over all chunks, findings merged.

Validation sees one chunk at a time; these functions combine what the chunks found into what
the whole file would have given (pure: pandas in, findings out).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .arrowtext import as_integers
from .findings import Finding
from .layout import STRING_DTYPE
from .schema import fields, primary_key

# Rules of validation that only a look at the whole file can decide.
KEY_RULES = ("unique", "primary_key")


def key_fields(schema: dict) -> list[str]:
    """Fields whose values must not repeat: the primary key's and those marked unique."""
    names = list(primary_key(schema)) + [
        f["name"] for f in fields(schema) if (f.get("constraints") or {}).get("unique")
    ]
    return list(dict.fromkeys(names))


def duplicate_keys(schema: dict, seen: dict[str, list[pd.Series]], row_numbers) -> list[Finding]:
    """Unique fields checked over the whole file, not chunk by chunk.

    `seen` holds, per key field, each chunk's values as text; `row_numbers` the file's row
    number of every value, in the same order.
    """
    found = []
    for name, parts in seen.items():
        if not parts:
            continue
        values = pa.chunked_array(
            [pa.array(part.astype(STRING_DTYPE), type=pa.large_string()) for part in parts],
            type=pa.large_string(),
        ).combine_chunks()
        duplicated = _repeated(values)
        if duplicated.any():
            positions = np.flatnonzero(duplicated)[:5]
            shown = values.take(pa.array(positions)).to_pylist()
            found.append(
                Finding(
                    severity="error",
                    rule="unique",
                    column=_title(schema, name),
                    count=int(duplicated.sum()),
                    rows=tuple(int(row_numbers[p]) for p in positions),
                    values=tuple(str(value)[:50] for value in shown),
                    params={},
                )
            )
    return found


def _repeated(values: pa.Array) -> np.ndarray:
    """True where a (non-blank) value came before: one hash pass in Arrow, then a sort of
    small integers only if some value repeats."""
    numbers = as_integers(values)  # identifiers of digits: integers hash faster
    if numbers is not None:
        if pd.unique(numbers).size == len(values):
            return np.zeros(len(values), dtype=bool)
        codes = pd.factorize(numbers)[0]
    else:
        encoded = pc.dictionary_encode(values)
        if len(encoded.dictionary) + values.null_count == len(values):
            return np.zeros(len(values), dtype=bool)
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    repeated = codes >= 0
    _, first = np.unique(codes, return_index=True)
    repeated[first] = False
    return repeated


def _title(schema: dict, name: str) -> str:
    for field in fields(schema):
        if field["name"] == name:
            return field.get("title") or name
    return name


def merge_findings(findings: list[Finding]) -> list[Finding]:
    """One finding per (severity, rule, column) over all chunks: counts add up, the first
    rows and values are kept."""
    merged: dict = {}
    for f in findings:
        key = (f.severity, f.rule, f.column)
        if key not in merged:
            merged[key] = f
            continue
        first = merged[key]
        merged[key] = dataclasses.replace(
            first,
            count=first.count + f.count,
            rows=(first.rows + f.rows)[:5],
            values=(first.values + f.values)[:5],
        )
    return list(merged.values())
