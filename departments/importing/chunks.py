"""A file read in chunks checked as one file: key columns over all chunks, findings merged.

Validation sees one chunk at a time; these functions combine what the chunks found into what
the whole file would have given (pure: pandas in, findings out).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .findings import Finding
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
        values = pd.concat(parts, ignore_index=True)
        duplicated = values.duplicated(keep="first") & values.notna()
        if duplicated.any():
            positions = np.flatnonzero(duplicated.to_numpy())[:5]
            found.append(
                Finding(
                    severity="error",
                    rule="unique",
                    column=_title(schema, name),
                    count=int(duplicated.sum()),
                    rows=tuple(int(row_numbers[p]) for p in positions),
                    values=tuple(str(values.iloc[p])[:50] for p in positions),
                    params={},
                )
            )
    return found


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
