"""Primary protection: which cells are disclosive by themselves, and by how much to protect
them (protection levels as τ-Argus computes them).

Rules, applied to every cell of a complete table (margins included) in this order; the first
that applies gives the reason, the largest level of all that apply is the cell's level:

``"frequency"``
    ``0 < n < min_frequency``: fewer than ``min_frequency`` contributors (counts 1 and 2 with
    the usual threshold 3). Empty cells (``n == 0``) stay visible. ``n`` counts *holders*
    where the table has a holder field (several records of one enterprise are one).
``"dominance"`` (magnitude tables, ``(n, k)`` rule, any ``n``)
    ``x1 + … + xn > k/100 · X``; level ``(100/k) · (x1 + … + xn) − X``. Needs the columns
    ``top1`` … ``top<n>``: the largest contributions, summed per holder.
``"p_percent"`` (magnitude tables, with a coalition of ``c`` respondents, usually 1)
    ``X − x1 − (x2 + … + x_{c+1}) < p/100 · x1``: the ``c`` next largest contributors,
    subtracting their own contributions, could estimate the largest to within ``p`` %;
    level ``p/100 · x1 − (X − x1 − … − x_{c+1})``.

A frequency cell of a magnitude table gets ``frequency_pct`` % of its value as level (τ-Argus'
"frequency rule" level), or at least the p% / dominance level if those apply too. Cells with
``value <= 0`` are never dominance or p% cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .table import Dimension


@dataclass
class PrimaryRules:
    min_frequency: int = 3
    dominance_n: int | None = 1
    dominance_k: float | None = 85.0
    p_percent: float | None = None
    magnitude: bool = False
    coalition: int = 1
    frequency_pct: float = 10.0

    def top_columns(self) -> list[str]:
        """The ``top<i>`` columns these rules read."""
        if not self.magnitude:
            return []
        needed = 0
        if self.dominance_n and self.dominance_k is not None:
            needed = max(needed, int(self.dominance_n))
        if self.p_percent is not None:
            needed = max(needed, int(self.coalition) + 1)
        return [f"top{i}" for i in range(1, needed + 1)]


def _tops(cells, count):
    cols = [f"top{i}" for i in range(1, count + 1)]
    missing = [c for c in cols if c not in cells.columns]
    if missing:
        raise ValueError(f"the rule needs columns {missing}")
    return cells[cols].to_numpy(dtype=float)


def dominance_levels(cells: pd.DataFrame, n: int, k: float) -> np.ndarray:
    """(100/k)·(x1+…+xn) − X per cell (positive: unsafe)."""
    value = cells["value"].to_numpy(dtype=float)
    top = _tops(cells, n).sum(axis=1)
    return 100.0 / k * top - value


def p_percent_levels(cells: pd.DataFrame, p: float, coalition: int = 1) -> np.ndarray:
    """p/100·x1 − (X − x1 − … − x_{c+1}) per cell (positive: unsafe)."""
    value = cells["value"].to_numpy(dtype=float)
    tops = _tops(cells, coalition + 1)
    return p / 100.0 * tops[:, 0] - (value - tops.sum(axis=1))


def primary_levels(cells: pd.DataFrame, rules: PrimaryRules) -> tuple[pd.Series, np.ndarray]:
    """The reason per cell (or ``None``) and its protection level (0 where safe).

    For count tables the level is left 0 here: the audit protects a count cell of value
    ``v`` to ``[v - 1, min_frequency]`` (see :mod:`.lp_audit`).
    """
    n = cells["n"].to_numpy(dtype=float)
    value = cells["value"].to_numpy(dtype=float) if "value" in cells else n
    reason = np.full(len(cells), None, dtype=object)
    level = np.zeros(len(cells))

    freq = (n > 0) & (n < rules.min_frequency)
    reason[freq] = "frequency"
    if rules.magnitude:
        level[freq] = np.abs(value[freq]) * rules.frequency_pct / 100.0
        positive = value > 0
        if rules.dominance_n and rules.dominance_k is not None:
            dom = dominance_levels(cells, int(rules.dominance_n), float(rules.dominance_k))
            unsafe = positive & (dom > 1e-9)
            reason[unsafe & (reason == None)] = "dominance"  # noqa: E711 (elementwise)
            level = np.where(unsafe, np.maximum(level, dom), level)
        if rules.p_percent is not None:
            pp = p_percent_levels(cells, float(rules.p_percent), int(rules.coalition))
            unsafe = positive & (pp > 1e-9)
            reason[unsafe & (reason == None)] = "p_percent"  # noqa: E711
            level = np.where(unsafe, np.maximum(level, pp), level)
    return pd.Series(reason, index=cells.index, name="primary", dtype=object), level


def primary_suppression(cells: pd.DataFrame, rules: PrimaryRules) -> pd.Series:
    """The reason per cell (``"frequency"``, ``"dominance"``, ``"p_percent"``) or ``None``."""
    return primary_levels(cells, rules)[0]


def singletons(cells: pd.DataFrame) -> np.ndarray:
    """Cells with exactly one contributor (holder): that contributor knows the cell."""
    return cells["n"].to_numpy(dtype=float) == 1


def group_disclosure(cells: pd.DataFrame, dims: list[Dimension]) -> np.ndarray:
    """Margins all of whose contributors sit in one of several inner cells along a dimension:
    publishing them with the empty siblings tells every contributor's category."""
    names = [d.name for d in dims]
    n = cells["n"].to_numpy(dtype=float)
    key = cells[names].astype(str)
    index = {tuple(row): i for i, row in enumerate(key.itertuples(index=False, name=None))}
    flagged = np.zeros(len(cells), dtype=bool)
    for d, dim in enumerate(dims):
        for i, row in enumerate(key.itertuples(index=False, name=None)):
            kids = dim.children.get(row[d])
            if not kids or len(kids) < 2 or n[i] <= 0:
                continue
            counts = []
            for kid in kids:
                j = index.get(row[:d] + (kid,) + row[d + 1 :])
                counts.append(n[j] if j is not None else 0.0)
            if max(counts) == n[i]:
                flagged[i] = True
    return flagged
