"""Plausibility across sources on values: per key, a value in one source against another's.

Inputs are aggregates per key (a Stadtteil, a Stichtag) computed on the sealed side, never
single records. ``implied_base`` gives the base a published share refers to (count ÷ share),
so two tables that each state a count and its share can be compared on residents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .findings import Finding, warning


def implied_base(count: pd.Series, share_pct: pd.Series) -> pd.Series:
    """The number a share was taken of: 706 recipients at 12,1 % → 5.835 residents."""
    share = pd.to_numeric(share_pct, errors="coerce").where(lambda s: s > 0)
    return (pd.to_numeric(count, errors="coerce") / share * 100).round(0)


def values_differ(
    left: pd.Series,
    right: pd.Series,
    *,
    tolerance_pct: float,
    left_label: str,
    right_label: str,
) -> list[Finding]:
    """Keys where ``left`` and ``right`` differ by more than ``tolerance_pct`` % of ``right``
    (keys present on one side only, or without a value, are not compared)."""
    aligned = pd.concat(
        [
            pd.to_numeric(left, errors="coerce").rename("left"),
            pd.to_numeric(right, errors="coerce").rename("right"),
        ],
        axis=1,
        join="inner",
    ).dropna()
    if aligned.empty:
        return []
    base = aligned["right"].abs().where(lambda s: s > 0, np.nan)
    difference = (aligned["left"] - aligned["right"]) / base * 100
    zero_both = (aligned["left"] == 0) & (aligned["right"] == 0)
    off = aligned[(difference.abs() > tolerance_pct) | (base.isna() & ~zero_both)]
    if off.empty:
        return []
    order = difference.loc[off.index].abs().fillna(np.inf).sort_values(ascending=False).index
    first = order[0]
    return [
        warning(
            "cross_source_differs",
            left.index.name or right.index.name,
            count=len(off),
            values=[_key(k) for k in order],
            params={
                "left_label": left_label,
                "right_label": right_label,
                "tolerance_pct": _plain(tolerance_pct),
                "key": _key(first),
                "left": _plain(off.loc[first, "left"]),
                "right": _plain(off.loc[first, "right"]),
                "difference_pct": _plain(round(float(difference.loc[first]), 1))
                if pd.notna(difference.loc[first])
                else "∞",
            },
        )
    ]


def _key(key) -> str:
    return " / ".join(str(k) for k in key) if isinstance(key, tuple) else str(key)


def _plain(value):
    value = float(value)
    return int(value) if value.is_integer() else round(value, 3)
