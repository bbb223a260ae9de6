"""Primary protection: which cells are disclosive by themselves.

Rules, applied to every cell of a complete table (margins included) in this order, the first
that applies gives the reason:

``"frequency"``
    ``0 < n < min_frequency``: fewer than ``min_frequency`` contributors (counts 1 and 2 with the
    usual threshold 3).  Empty cells (``n == 0``) stay visible.
``"dominance"`` (magnitude tables only, ``(n, k)`` rule)
    the ``dominance_n`` largest contributions make up more than ``dominance_k`` % of the cell
    value.  Needs the columns ``top1`` … ``top<dominance_n>``.
``"p_percent"`` (magnitude tables only)
    ``value - top1 - top2 < p/100 * top1``: the second largest contributor, subtracting its own
    contribution, could estimate the largest to within ``p`` %.

Cells with ``value <= 0`` are never dominance or p% cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class PrimaryRules:
    min_frequency: int = 3
    dominance_n: int | None = 1
    dominance_k: float | None = 85.0
    p_percent: float | None = None
    magnitude: bool = False


def primary_suppression(cells: pd.DataFrame, rules: PrimaryRules) -> pd.Series:
    """The reason per cell (``"frequency"``, ``"dominance"``, ``"p_percent"``) or ``None``."""
    n = cells["n"].to_numpy(dtype=float)
    value = cells["value"].to_numpy(dtype=float) if "value" in cells else n
    reason = np.full(len(cells), None, dtype=object)

    freq = (n > 0) & (n < rules.min_frequency)
    reason[freq] = "frequency"

    if rules.magnitude:
        positive = value > 0
        if rules.dominance_n and rules.dominance_k is not None:
            cols = [f"top{i}" for i in range(1, rules.dominance_n + 1)]
            missing = [c for c in cols if c not in cells.columns]
            if missing:
                raise ValueError(f"dominance rule needs columns {missing}")
            top = cells[cols].to_numpy(dtype=float).sum(axis=1)
            dom = positive & (top > rules.dominance_k / 100.0 * value)
            reason[dom & (reason == None)] = "dominance"  # noqa: E711 (elementwise)
        if rules.p_percent is not None:
            for c in ("top1", "top2"):
                if c not in cells.columns:
                    raise ValueError(f"p% rule needs column {c!r}")
            top1 = cells["top1"].to_numpy(dtype=float)
            top2 = cells["top2"].to_numpy(dtype=float)
            pp = positive & (value - top1 - top2 < rules.p_percent / 100.0 * top1)
            reason[pp & (reason == None)] = "p_percent"  # noqa: E711
    return pd.Series(reason, index=cells.index, name="primary", dtype=object)
