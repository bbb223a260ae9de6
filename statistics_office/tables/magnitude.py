"""Contributions of magnitude tables at every level, per holder (sealed worker only).

The dominance and p% rules look at a cell's largest contributions. Where the source has a
holder field (enterprise, household), a holder's records are one contribution: summed within
each cell before ranking, in inner cells and in margins alike. A holder with 90 in each of two
sectors contributes 180 to their margin; margins therefore get their own ranking in SQL,
never a merge of their children's largest values. Python receives cells, never records.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from statistics_office.disclosure import TOTAL

from . import aggregation, sqlparts


def _combo_sql(plan, keys, top_n, holder):
    source = aggregation.records_from(plan)
    key_list = ", ".join(keys)
    sel = f"{key_list}, " if keys else ""
    if holder:
        group = f"GROUP BY {key_list}, h" if keys else "GROUP BY h"
        contrib = f"SELECT {sel}SUM(m) AS m FROM {source} WHERE m IS NOT NULL {group}"
    else:
        contrib = f"SELECT {sel}m FROM {source} WHERE m IS NOT NULL"
    partition = f"PARTITION BY {key_list} " if keys else ""
    ranked = (
        f"SELECT {sel}m, ROW_NUMBER() OVER ({partition}ORDER BY m DESC) AS rn FROM ({contrib}) c"
    )
    tops = ", ".join(f"MAX(CASE WHEN rn = {i} THEN m END) AS top{i}" for i in range(1, top_n + 1))
    outer_group = f" GROUP BY {key_list}" if keys else ""
    return f"SELECT {sel}SUM(m) AS value, COUNT(*) AS n, {tops} FROM ({ranked}) r{outer_group}"


def contributions(plan, *, top_n=2, holder=False) -> pd.DataFrame:
    """value, n (contributors: holders where given) and ``top1 … top<n>`` of every cell at
    every level, one query per combination of levels. Columns are the plan's names."""
    level_counts = [len(levels) + 1 for levels in plan.levels]  # +1: the total
    parts = []
    for combo in itertools.product(*[range(c) for c in level_counts]):
        keys = [f"d{i}_{k}" for i, k in enumerate(combo) if k < len(plan.levels[i])]
        frame = sqlparts.fetch(_combo_sql(plan, keys, top_n, holder), plan.params)
        for i, k in enumerate(combo):
            name = plan.names[i]
            frame[name] = frame.pop(f"d{i}_{k}").astype(str) if k < len(plan.levels[i]) else TOTAL
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    for col in ["value"] + [f"top{i}" for i in range(1, top_n + 1)]:
        out[col] = pd.to_numeric(out[col]).astype(float).fillna(0.0)
    out["n"] = out["n"].astype(np.int64)
    return out


def with_contributions(cells, plan, *, top_n, holder):
    """The complete table's cells with value, n and tops from :func:`contributions`."""
    names = list(plan.names)
    exact = contributions(plan, top_n=top_n, holder=holder)
    cells = cells.drop(columns=[c for c in cells.columns if c.startswith("top")])
    merged = cells.drop(columns=["value", "n"]).merge(exact, on=names, how="left")
    for col in [c for c in exact.columns if c not in names]:
        merged[col] = merged[col].fillna(0)
    merged["n"] = merged["n"].astype(np.int64)
    return merged
