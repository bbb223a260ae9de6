"""Counts of units that a boundary change split with shares (pure, no Django).

A unit split between new units by population or area share cannot move its records (a
person is never split), so its counts are divided after aggregation: each old cell's count
goes to the new units by share, rounded by largest remainders so that the parts add up to
the old count exactly (totals stay what they were). The new units' cells are estimates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def split_counts(bottom, column, splits, *, count="n"):
    """``bottom`` (cells at the finest level, one count column) with the codes of ``column``
    that ``splits`` names ({old: {new: share}}) divided among their new codes; cells that
    come to the same codes are added up. Other columns than the dimensions and ``count`` are
    dropped."""
    keys = [c for c in bottom.columns if c not in (count, "value")]
    codes = bottom[column].astype(object)
    affected = codes.isin(list(splits)).to_numpy()
    if not affected.any():
        return bottom
    kept = bottom.loc[~affected, [*keys, count]]
    moved = bottom.loc[affected, [*keys, count]].reset_index(drop=True)
    parts = []
    for old, targets in splits.items():
        rows = moved[moved[column].astype(object) == old].reset_index(drop=True)
        if rows.empty:
            continue
        new_codes = list(targets)
        shares = np.array([targets[c] for c in new_codes], dtype=float)
        shares = shares / shares.sum()
        rounded = largest_remainder(rows[count].to_numpy(dtype=np.int64), shares)
        for j, code in enumerate(new_codes):
            part = rows.assign(**{column: code, count: rounded[:, j]})
            parts.append(part)
    frame = pd.concat([kept, *parts], ignore_index=True)
    frame = frame.groupby(keys, dropna=False, sort=False)[count].sum().reset_index()
    frame[count] = frame[count].astype(np.int64)
    if "value" in bottom.columns:
        frame["value"] = frame[count]
    return frame


def largest_remainder(totals, shares):
    """Integer parts (rows: totals, columns: shares) that add up to each total: floor of
    total × share, the rest one by one to the largest remainders (ties: the first)."""
    totals = np.asarray(totals, dtype=np.int64)
    exact = totals[:, None] * np.asarray(shares, dtype=float)[None, :]
    parts = np.floor(exact + 1e-9).astype(np.int64)
    missing = totals - parts.sum(axis=1)
    order = np.argsort(-(exact - parts), axis=1, kind="stable")
    ranks = np.argsort(order, axis=1, kind="stable")
    parts += (ranks < missing[:, None]).astype(np.int64)
    return parts
