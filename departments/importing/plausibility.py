"""Plausibility: compare an import with the previous one of the same source, and across sources.

A ``Profile`` is a small JSON summary of an import (row count, categories, numeric spread) that
is stored with the import run, so the next run can be compared without re-reading old data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .arrowtext import as_integers
from .findings import Finding, error, warning
from .schema import fields, primary_key

MAX_CATEGORIES = 50
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
HISTOGRAM_BINS = 10

# Warnings a statistician must acknowledge before the import counts.
PLAUSIBILITY_RULES = frozenset(
    {
        "rowcount_change",
        "category_new",
        "category_vanished",
        "share_shift",
        "duplicate_records",
        "reference_date_older",
        "cross_source_above",
        "cross_source_differs",
        "total_not_sum",
        "part_above_total",
        "partition_mismatch",
    }
)


def needs_review(findings) -> bool:
    """True if a warning among the findings must be acknowledged by the statistics office."""
    return any(f.severity != "error" and f.rule in PLAUSIBILITY_RULES for f in findings)


@dataclass
class Profile:
    row_count: int
    reference_date: dt.date | None = None
    # field name -> {"type", "missing", "categories": {value: count} | None, "distinct",
    #                "numeric": {count, min, max, mean, quantiles, histogram} | None}
    columns: dict[str, dict] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "row_count": self.row_count,
            "reference_date": self.reference_date.isoformat() if self.reference_date else None,
            "columns": self.columns,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Profile:
        reference = data.get("reference_date")
        return cls(
            row_count=int(data["row_count"]),
            reference_date=dt.date.fromisoformat(reference) if reference else None,
            columns=dict(data.get("columns", {})),
        )


def profile(
    typed: pd.DataFrame, schema: dict, *, reference_date_field: str | None = None
) -> Profile:
    columns = {}
    keys = set(primary_key(schema))
    for descriptor in fields(schema):
        name, kind = descriptor["name"], descriptor.get("type", "string")
        if name not in typed:
            continue
        series = typed[name]
        summary: dict = {"type": kind, "missing": int(series.isna().sum())}
        if name in keys or (descriptor.get("constraints") or {}).get("unique"):
            # Identifiers are no categories: every new record would be "a new category".
            summary["categories"], summary["distinct"] = None, _distinct(series)
        else:
            summary["categories"], summary["distinct"] = _categories(series, kind)
        summary["numeric"] = _numeric(series) if kind in ("integer", "number") else None
        if kind == "date":
            present = series.dropna()
            summary["range"] = (
                [present.min().date().isoformat(), present.max().date().isoformat()]
                if len(present)
                else None
            )
        columns[name] = summary
    reference = None
    if reference_date_field and reference_date_field in typed:
        latest = typed[reference_date_field].max()
        reference = None if pd.isna(latest) else pd.Timestamp(latest).date()
    return Profile(row_count=len(typed), reference_date=reference, columns=columns)


def _text_array(series: pd.Series) -> pa.Array | None:
    """The Arrow strings behind a text column (no copy), or None for other columns."""
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        return pa.array(series)
    return None


def _distinct(series: pd.Series) -> int:
    # Arrow counts the distinct texts in one hash pass; pandas factorised them first.
    text = _text_array(series)
    if text is None:
        return int(series.nunique())
    numbers = as_integers(text)
    if numbers is not None:
        return int(pd.unique(numbers).size)
    return len(pc.unique(text)) - (text.null_count > 0)  # unique is faster than count_distinct


def _categories(series: pd.Series, kind: str) -> tuple[dict | None, int]:
    if kind in ("number", "date"):
        return None, _distinct(series)
    text = _text_array(series)
    if text is not None:
        numbers = as_integers(text)
        if numbers is not None and (distinct := int(pd.unique(numbers).size)) > MAX_CATEGORIES:
            return None, distinct  # an identifier: counted as integers, not as texts
        counted = pc.value_counts(text.drop_null())
        if len(counted) > MAX_CATEGORIES:
            return None, len(counted)
        values = counted.field("values").to_pylist()
        return dict(zip(values, counted.field("counts").to_pylist(), strict=True)), len(values)
    counts = series.value_counts(dropna=True)
    if len(counts) > MAX_CATEGORIES:
        return None, len(counts)
    return {_key(value): int(count) for value, count in counts.items()}, len(counts)


def _key(value) -> str:
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return str(value)


def _numeric(series: pd.Series) -> dict | None:
    values = series.dropna().to_numpy(dtype="float64")
    if not values.size:
        return None
    counts, edges = np.histogram(values, bins=HISTOGRAM_BINS)
    return {
        "count": int(values.size),
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float(values.mean()),
        "quantiles": {
            str(q): float(v) for q, v in zip(QUANTILES, np.quantile(values, QUANTILES), strict=True)
        },
        "histogram": {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
    }


def compare(
    current: Profile,
    previous: Profile | None,
    *,
    rowcount_threshold_pct: float = 10.0,
    share_threshold_pts: float = 5.0,
) -> list[Finding]:
    """Differences to the previous import that an analyst should look at before publishing.

    All are warnings except an older reference date: loading an older Stichtag over a newer one
    would silently roll back published figures, so it blocks until the analyst fixes the file.
    """
    if previous is None:
        return []
    findings: list[Finding] = []
    if previous.row_count:
        change = (current.row_count - previous.row_count) / previous.row_count * 100
        if abs(change) > rowcount_threshold_pct:
            findings.append(
                warning(
                    "rowcount_change",
                    count=abs(current.row_count - previous.row_count),
                    params={
                        "previous": previous.row_count,
                        "current": current.row_count,
                        "change_pct": round(change, 1),
                        "threshold_pct": rowcount_threshold_pct,
                    },
                )
            )
    older = (
        current.reference_date
        and previous.reference_date
        and current.reference_date < previous.reference_date
    )
    if older:
        findings.append(
            error(
                "reference_date_older",
                params={
                    "previous": previous.reference_date.strftime("%d.%m.%Y"),
                    "current": current.reference_date.strftime("%d.%m.%Y"),
                },
            )
        )
    for name, now in current.columns.items():
        before = previous.columns.get(name)
        if not before or now.get("categories") is None or before.get("categories") is None:
            continue
        findings += _category_findings(
            name, now["categories"], before["categories"], share_threshold_pts
        )
    return findings


def _category_findings(name, now: dict, before: dict, threshold: float) -> list[Finding]:
    findings = []
    new = sorted(set(now) - set(before))
    gone = sorted(set(before) - set(now))
    if new:
        findings.append(warning("category_new", name, count=len(new), values=new))
    if gone:
        findings.append(warning("category_vanished", name, count=len(gone), values=gone))
    total_now, total_before = sum(now.values()), sum(before.values())
    if not total_now or not total_before:
        return findings
    shifts = []
    for category in set(now) | set(before):
        share_now = now.get(category, 0) / total_now * 100
        share_before = before.get(category, 0) / total_before * 100
        if abs(share_now - share_before) > threshold:
            shifts.append((abs(share_now - share_before), category, share_before, share_now))
    if shifts:
        shifts.sort(reverse=True)
        _, category, share_before, share_now = shifts[0]
        findings.append(
            warning(
                "share_shift",
                name,
                count=len(shifts),
                values=[s[1] for s in shifts],
                params={
                    "category": category,
                    "previous_pct": round(share_before, 1),
                    "current_pct": round(share_now, 1),
                    "shift_pts": round(share_now - share_before, 1),
                    "threshold_pts": threshold,
                },
            )
        )
    return findings


def duplicate_records(typed: pd.DataFrame, schema: dict, *, row_numbers=None) -> list[Finding]:
    """Records identical in every field except the key: often an export appended twice."""
    key = set(primary_key(schema)) | {
        d["name"] for d in fields(schema) if (d.get("constraints") or {}).get("unique")
    }
    rest = [c for c in typed.columns if c not in key]
    if not rest or typed.empty:
        return []
    duplicated = typed[rest].duplicated(keep="first").to_numpy(dtype=bool)
    index = np.flatnonzero(duplicated)
    if not index.size:
        return []
    numbers = np.asarray(row_numbers) if row_numbers is not None else np.arange(len(typed)) + 1
    return [
        warning(
            "duplicate_records",
            count=index.size,
            rows=numbers[index[:5]].tolist(),
            params={"ignored": ", ".join(sorted(key))},
        )
    ]


def cross_source_not_above(
    left: pd.Series, right: pd.Series, *, left_label: str, right_label: str
) -> list[Finding]:
    """Where ``left`` exceeds ``right`` for the same key (e.g. Kita children > residents 0–6)."""
    aligned = pd.concat([left.rename("left"), right.rename("right")], axis=1)
    above = aligned[aligned["left"].fillna(0) > aligned["right"].fillna(0)]
    if above.empty:
        return []
    first_key = above.index[0]
    return [
        warning(
            "cross_source_above",
            left.index.name or right.index.name,
            count=len(above),
            values=[str(k) for k in above.index],
            params={
                "left_label": left_label,
                "right_label": right_label,
                "key": str(first_key),
                "left": _plain(above.loc[first_key, "left"]),
                "right": _plain(above.loc[first_key, "right"]),
            },
        )
    ]


def _plain(value):
    if pd.isna(value):
        return 0
    value = float(value)
    return int(value) if value.is_integer() else value


def merge_profiles(profiles: list[Profile]) -> Profile:
    """One profile from the profiles of a file's chunks (files read in chunks).

    Exact for row counts, reference date, category counts, missing values, minimum, maximum,
    count and mean; quantiles and histograms cannot be merged and are left out (a file of one
    chunk keeps its profile as it is).
    """
    if not profiles:
        return Profile(row_count=0, reference_date=None, columns={})
    if len(profiles) == 1:
        return profiles[0]
    dates = [p.reference_date for p in profiles if p.reference_date]
    columns: dict = {}
    for name, first in profiles[0].columns.items():
        parts = [p.columns[name] for p in profiles if name in p.columns]
        merged = {"type": first["type"], "missing": sum(part["missing"] for part in parts)}
        if all(part.get("categories") is not None for part in parts):
            counts: dict = {}
            for part in parts:
                for key, count in part["categories"].items():
                    counts[key] = counts.get(key, 0) + count
            merged["categories"] = counts if len(counts) <= MAX_CATEGORIES else None
            merged["distinct"] = len(counts)
        else:
            merged["categories"] = None
            merged["distinct"] = max(part["distinct"] for part in parts)  # a lower bound
        numeric = [part["numeric"] for part in parts if part.get("numeric")]
        if numeric:
            total = sum(n["count"] for n in numeric)
            merged["numeric"] = {
                "count": total,
                "min": min(n["min"] for n in numeric),
                "max": max(n["max"] for n in numeric),
                "mean": sum(n["mean"] * n["count"] for n in numeric) / total,
            }
        else:
            merged["numeric"] = None
        ranges = [part["range"] for part in parts if part.get("range")]
        if first["type"] == "date":
            merged["range"] = (
                [min(r[0] for r in ranges), max(r[1] for r in ranges)] if ranges else None
            )
        columns[name] = merged
    return Profile(
        row_count=sum(p.row_count for p in profiles),
        reference_date=max(dates) if dates else None,
        columns=columns,
    )
