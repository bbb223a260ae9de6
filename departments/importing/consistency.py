"""Consistency inside one file: totals rows against their parts, and declared partitions.

Official tables carry their own sums: an ``Insgesamt`` row, a Land above its Kreise (GENESIS
indentation levels), a Bezirk above its Stadtteile. Where a total differs from the sum of its
parts, where a part exceeds its total, or where categories that claim to partition a total do
not add up, the analyst gets a finding naming the rows. Pure functions on DataFrames.

A schema declares what it knows under ``"consistency"`` (all keys optional)::

    {"hierarchy": {"levelField": "ebene"}                       # GENESIS indentation
                | {"parentField": "bezirk", "keyField": "code"}  # each row names its parent
                | {"labelField": "name", "totalLabels": ["Insgesamt"], "groupBy": ["jahr"]},
     "measures": ["einwohner"],          # default: every field of role "measure"
     "roundingUnit": 1,                  # each figure rounded to ± half of this unit
     "partitions": [{"total": "auslaender", "parts": ["eu", "nicht_eu"]}]}

Without a declaration, a GENESIS level field (``ebene``) or a dimension holding ``Insgesamt``
is taken as the hierarchy. Cells without a value (a secret ``.``, a blocked ``x``) make a sum
not computable: such a total is not compared.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .findings import Finding, warning
from .schema import fields

TOTAL_LABEL = re.compile(r"^\s*(insgesamt|gesamt|summe|zusammen|total)\s*$", re.IGNORECASE)
LEVEL_FIELDS = ("ebene", "level")


def parents_from_levels(levels: Sequence[int]) -> np.ndarray:
    """Position of each row's parent (-1 for none): the nearest row above on a lower level,
    as GENESIS writes a Land above its Regierungsbezirke above their Kreise."""
    parents = np.full(len(levels), -1, dtype=np.int64)
    stack: list[tuple[int, int]] = []  # (level, position)
    for position, level in enumerate(int(v) for v in levels):
        while stack and stack[-1][0] >= level:
            stack.pop()
        if stack:
            parents[position] = stack[-1][1]
        stack.append((level, position))
    return parents


def parents_from_keys(keys: Sequence, parent_keys: Sequence) -> np.ndarray:
    """Each row names its parent's key (a Stadtteil its Bezirk); rows naming none are roots."""
    position_of = {}
    for position, key in enumerate(keys):
        if not _missing(key):
            position_of.setdefault(str(key), position)
    return np.array(
        [-1 if _missing(parent) else position_of.get(str(parent), -1) for parent in parent_keys],
        dtype=np.int64,
    )


def parents_from_total_labels(
    labels: Sequence, *, groups: Sequence | None = None, pattern: re.Pattern = TOTAL_LABEL
) -> np.ndarray:
    """An ``Insgesamt`` row is the parent of every other row of its group (e.g. its year)."""
    labels = ["" if _missing(v) else str(v) for v in labels]
    groups = list(groups) if groups is not None else [None] * len(labels)
    total_of: dict = {}
    for position, (label, group) in enumerate(zip(labels, groups, strict=True)):
        if pattern.match(label):
            total_of.setdefault(group, position)
    return np.array(
        [
            -1 if pattern.match(label) else total_of.get(group, -1)
            for label, group in zip(labels, groups, strict=True)
        ],
        dtype=np.int64,
    )


def hierarchy(frame: pd.DataFrame, descriptor: dict) -> np.ndarray | None:
    """The parent of each row as the schema declares it, or as detected; None if flat."""
    declared = (descriptor.get("consistency") or {}).get("hierarchy") or {}
    if declared.get("levelField") in frame:
        levels = pd.to_numeric(frame[declared["levelField"]], errors="coerce").fillna(0)
        return parents_from_levels(levels.astype(int).tolist())
    if declared.get("parentField") in frame and declared.get("keyField") in frame:
        return parents_from_keys(
            frame[declared["keyField"]].tolist(), frame[declared["parentField"]].tolist()
        )
    label_field = declared.get("labelField")
    if label_field in frame:
        return _by_labels(frame, label_field, declared)
    if declared:
        return None
    level_field = next((name for name in LEVEL_FIELDS if name in frame), None)
    if level_field:
        levels = pd.to_numeric(frame[level_field], errors="coerce").fillna(0).astype(int)
        return parents_from_levels(levels.tolist())
    for item in fields(descriptor):
        name = item["name"]
        if item.get("role") not in ("dimension", "area_key", None) or name not in frame:
            continue
        if item.get("type", "string") != "string":
            continue
        if frame[name].astype("string").str.match(TOTAL_LABEL).fillna(False).any():
            return _by_labels(frame, name, {})
    return None


def _by_labels(frame, label_field, declared):
    pattern = TOTAL_LABEL
    if declared.get("totalLabels"):
        pattern = re.compile(
            "^\\s*(" + "|".join(re.escape(t) for t in declared["totalLabels"]) + ")\\s*$",
            re.IGNORECASE,
        )
    group_by = [g for g in declared.get("groupBy", []) if g in frame]
    groups = (
        list(frame[group_by].astype("string").fillna("").agg("\x1f".join, axis=1))
        if group_by
        else None
    )
    return parents_from_total_labels(frame[label_field].tolist(), groups=groups, pattern=pattern)


def totals_findings(
    frame: pd.DataFrame,
    measures: Sequence[str],
    parents: np.ndarray,
    *,
    row_numbers: Sequence[int] | None = None,
    rounding_unit: float = 0.0,
    labels: Sequence | None = None,
) -> list[Finding]:
    """A total ≠ the sum of its parts (beyond rounding), a part above its total: one finding
    per total and measure, its rows the total's row first and then its parts'."""
    numbers = _numbers(frame, row_numbers)
    parents = np.asarray(parents, dtype=np.int64)
    findings: list[Finding] = []
    for measure in measures:
        if measure not in frame:
            continue
        values = pd.to_numeric(frame[measure], errors="coerce").to_numpy(dtype="float64")
        for total in np.unique(parents[parents >= 0]):
            parts = np.flatnonzero(parents == total)
            if np.isnan(values[total]) or np.isnan(values[parts]).any():
                continue  # a secret or blocked cell: the sum cannot be computed
            rows = [int(numbers[total]), *(int(numbers[p]) for p in parts)]
            name = _label(labels, total, numbers)
            above = parts[values[parts] > values[total]]
            if above.size:
                findings.append(
                    warning(
                        "part_above_total",
                        measure,
                        count=int(above.size),
                        rows=[int(numbers[total]), *(int(numbers[p]) for p in above)],
                        values=[_label(labels, p, numbers) for p in above],
                        params={
                            "total_label": name,
                            "total": _plain(values[total]),
                            "part_label": _label(labels, above[0], numbers),
                            "part": _plain(values[above[0]]),
                        },
                    )
                )
            parts_sum = float(values[parts].sum())
            # Each figure is rounded to ± half a unit; the errors add up at worst.
            tolerance = rounding_unit / 2 * (parts.size + 1) + 1e-9 * max(abs(parts_sum), 1)
            if abs(values[total] - parts_sum) > tolerance:
                findings.append(
                    warning(
                        "total_not_sum",
                        measure,
                        count=int(parts.size) + 1,
                        rows=rows,
                        values=[name],
                        params={
                            "total_label": name,
                            "total": _plain(values[total]),
                            "sum": _plain(parts_sum),
                            "difference": _plain(values[total] - parts_sum),
                            "parts": int(parts.size),
                            "tolerance": _plain(round(tolerance, 6)),
                        },
                    )
                )
    return findings


def partition_findings(
    frame: pd.DataFrame,
    total: str,
    parts: Sequence[str],
    *,
    row_numbers: Sequence[int] | None = None,
    rounding_unit: float = 0.0,
    labels: Sequence | None = None,
) -> list[Finding]:
    """Rows where categories claiming to partition a total do not add up to it
    (EU + non-EU ≠ foreigners); rows with a cell without value are not compared."""
    if total not in frame or any(p not in frame for p in parts):
        return []
    numbers = _numbers(frame, row_numbers)
    whole = pd.to_numeric(frame[total], errors="coerce")
    pieces = frame[list(parts)].apply(pd.to_numeric, errors="coerce")
    computable = whole.notna() & pieces.notna().all(axis=1)
    summed = pieces.sum(axis=1)
    tolerance = rounding_unit / 2 * (len(parts) + 1) + 1e-9
    off = np.flatnonzero((computable & ((whole - summed).abs() > tolerance)).to_numpy())
    if not off.size:
        return []
    first = off[0]
    return [
        warning(
            "partition_mismatch",
            total,
            count=int(off.size),
            rows=[int(numbers[i]) for i in off],
            values=[_label(labels, i, numbers) for i in off],
            params={
                "parts": " + ".join(parts),
                "label": _label(labels, first, numbers),
                "total": _plain(whole.iloc[first]),
                "sum": _plain(summed.iloc[first]),
                "difference": _plain(whole.iloc[first] - summed.iloc[first]),
            },
        )
    ]


def check(
    frame: pd.DataFrame, descriptor: dict, *, row_numbers: Sequence[int] | None = None
) -> list[Finding]:
    """Every consistency finding of a file read whole, as its schema declares or detects."""
    declared = descriptor.get("consistency") or {}
    measures = declared.get("measures") or [
        f["name"] for f in fields(descriptor) if f.get("role") == "measure"
    ]
    unit = float(declared.get("roundingUnit") or 0)
    labels = _labels_of(frame, descriptor, declared)
    findings: list[Finding] = []
    parents = hierarchy(frame, descriptor)
    if parents is not None and (parents >= 0).any():
        findings += totals_findings(
            frame, measures, parents, row_numbers=row_numbers, rounding_unit=unit, labels=labels
        )
    for partition in declared.get("partitions", []):
        findings += partition_findings(
            frame,
            partition["total"],
            partition["parts"],
            row_numbers=row_numbers,
            rounding_unit=float(partition.get("roundingUnit", unit)),
            labels=labels,
        )
    return findings


def _labels_of(frame, descriptor, declared):
    preferred = (declared.get("hierarchy") or {}).get("labelField")
    # A name to show for a row: a text field naming the unit, not a code.
    candidates = [preferred, "name", "label"] + [
        f["name"]
        for f in fields(descriptor)
        if f.get("type", "string") == "string"
        and f.get("role") in ("dimension", "area_key", "identifier", None)
    ]
    name = next((c for c in candidates if c and c in frame), None)
    return None if name is None else frame[name].astype("string").fillna("").tolist()


def _label(labels, position, numbers) -> str:
    if labels is not None and labels[position]:
        return str(labels[position]).strip()
    return f"Zeile {int(numbers[position])}"


def _numbers(frame, row_numbers):
    if row_numbers is None:
        return np.arange(len(frame)) + 1
    return np.asarray(row_numbers)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def _plain(value):
    value = float(value)
    return int(value) if value.is_integer() else round(value, 6)
