"""The statistical table model shared by all disclosure-control steps.

A table is a :class:`pandas.DataFrame` with one column per dimension holding category codes as
strings, where the code ``"_T"`` is the total (margin) of that dimension, plus the columns

* ``value`` – the count or the sum of an amount,
* ``n`` – the number of contributing records (for a count table ``value == n``),
* optionally ``top1`` and ``top2`` – the largest and second largest contribution, each already
  summed per record holder (magnitude tables).

A :class:`Dimension` describes the hierarchy of one dimension by mapping every code to its
parent; the root is ``"_T"``.  A flat dimension maps every code to ``"_T"``; a hierarchy such as
Stadtbezirk → Stadtteil → total maps ``"011" -> "01"`` and ``"01" -> "_T"``.

:func:`complete_table` builds the full table (every combination of codes at every level) from the
bottom cells, :func:`additive_constraints` lists the additive relations "parent = sum of
children" along every dimension for every combination of the other dimensions' codes (their
totals included), and :func:`constraint_matrix` turns them into a sparse matrix ``A`` with
``A @ values == 0``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import sparse

TOTAL = "_T"
MAX_COLUMNS = ("top1", "top2")


@dataclass
class Dimension:
    """One dimension of a table: ``parent`` maps each child code to its parent code."""

    name: str
    parent: dict[str, str]

    def __post_init__(self):
        if TOTAL in self.parent:
            raise ValueError(f"{self.name}: the root {TOTAL!r} has no parent")
        for code in self.parent:
            seen = {code}
            node = code
            while node != TOTAL:
                node = self.parent.get(node)
                if node is None:
                    raise ValueError(f"{self.name}: code {code!r} does not lead to {TOTAL!r}")
                if node in seen:
                    raise ValueError(f"{self.name}: cycle at {code!r}")
                seen.add(node)

    @classmethod
    def flat(cls, name: str, codes) -> Dimension:
        """A dimension without hierarchy: every code is a child of the total."""
        return cls(name, {str(code): TOTAL for code in codes})

    @cached_property
    def codes(self) -> list[str]:
        """All codes, the total first, then parents before their children."""
        return sorted([TOTAL, *self.parent], key=lambda c: (self.depth[c], c))

    @cached_property
    def depth(self) -> dict[str, int]:
        out = {TOTAL: 0}
        for code in self.parent:
            d, node = 0, code
            while node != TOTAL:
                node, d = self.parent[node], d + 1
            out[code] = d
        return out

    @cached_property
    def children(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for child, par in self.parent.items():
            out.setdefault(par, []).append(child)
        return {k: sorted(v) for k, v in out.items()}

    @cached_property
    def leaves(self) -> list[str]:
        if not self.parent:
            return [TOTAL]
        return sorted(c for c in self.parent if c not in self.children)

    def ancestors(self, code: str) -> list[str]:
        """The code itself and every code above it up to the total."""
        out = [code]
        while code != TOTAL:
            code = self.parent[code]
            out.append(code)
        return out

    def is_leaf(self, code: str) -> bool:
        return code not in self.children


def _dim_names(dims: list[Dimension]) -> list[str]:
    return [d.name for d in dims]


def complete_table(frame: pd.DataFrame, dims: list[Dimension]) -> pd.DataFrame:
    """Fill in missing zero cells and compute every margin from the bottom cells.

    Only rows whose codes are leaves in every dimension are read (margin rows in ``frame`` are
    ignored and recomputed).  ``value``, ``n`` and any further numeric column are summed; ``top1``
    and ``top2`` of a margin are the largest and second largest of the children's ``top1`` and
    ``top2`` (this assumes a record holder contributes to one child only, e.g. one district).
    The result has one row per combination of codes, sorted by the dimensions' code order, with
    a fresh ``RangeIndex``.
    """
    names = _dim_names(dims)
    for dim in dims:
        if dim.name not in frame.columns:
            raise ValueError(f"column {dim.name!r} missing")
        unknown = set(frame[dim.name].astype(str)) - set(dim.codes)
        if unknown:
            raise ValueError(f"{dim.name}: unknown codes {sorted(unknown)[:5]}")
    bottom = frame.copy()
    for dim in dims:
        bottom[dim.name] = bottom[dim.name].astype(str)
        bottom = bottom[bottom[dim.name].map(dim.is_leaf)]
    if "n" not in bottom.columns:
        raise ValueError("column 'n' missing")
    if "value" not in bottom.columns:
        bottom["value"] = bottom["n"]
    max_cols = [c for c in MAX_COLUMNS if c in bottom.columns]
    sum_cols = [c for c in bottom.columns if c not in names and c not in max_cols]
    if bottom.duplicated(names).any():
        # several rows for one cell: add them up, keep the two largest contributions of all
        if max_cols:
            bottom = _merge_duplicates(bottom, names, sum_cols, max_cols)
        else:
            bottom = bottom.groupby(names, as_index=False)[sum_cols].sum()

    grid = pd.MultiIndex.from_product([d.leaves for d in dims], names=names).to_frame(index=False)
    full = grid.merge(bottom[names + sum_cols + max_cols], on=names, how="left")
    full[sum_cols + max_cols] = full[sum_cols + max_cols].fillna(0)

    # explode every bottom cell to all its ancestor codes, dimension by dimension
    long = full
    for dim in dims:
        anc = pd.DataFrame(
            [(leaf, a) for leaf in dim.leaves for a in dim.ancestors(leaf)],
            columns=[dim.name, "_anc"],
        )
        long = long.merge(anc, on=dim.name).drop(columns=dim.name)
        long = long.rename(columns={"_anc": dim.name})
    out = long.groupby(names, sort=False)[sum_cols].sum()
    if max_cols:
        contrib = long[names + max_cols].melt(id_vars=names, value_name="_c")["_c"]
        stacked = pd.concat([long[names]] * len(max_cols), ignore_index=True)
        stacked["_c"] = contrib.to_numpy()
        stacked = stacked.sort_values(names + ["_c"], ascending=[True] * len(names) + [False])
        stacked["_rank"] = stacked.groupby(names, sort=False).cumcount()
        for rank, col in enumerate(max_cols):
            out[col] = stacked[stacked["_rank"] == rank].set_index(names)["_c"]
        out[max_cols] = out[max_cols].fillna(0)
    out = out.reset_index()
    return sort_cells(out, dims)


def _merge_duplicates(bottom, names, sum_cols, max_cols):
    sums = bottom.groupby(names)[sum_cols].sum()
    vals = bottom[names + max_cols].melt(id_vars=names, value_name="_c")
    vals = vals.sort_values("_c", ascending=False)
    vals["_rank"] = vals.groupby(names).cumcount()
    for rank, col in enumerate(max_cols):
        sums[col] = vals[vals["_rank"] == rank].set_index(names)["_c"]
    return sums.fillna(0).reset_index()


def sort_cells(cells: pd.DataFrame, dims: list[Dimension]) -> pd.DataFrame:
    """Sort cells by each dimension's code order (totals first) and reset the index."""
    keys = []
    for dim in dims:
        order = {c: i for i, c in enumerate(dim.codes)}
        keys.append(cells[dim.name].map(order))
    order = np.lexsort([k.to_numpy() for k in reversed(keys)])
    return cells.iloc[order].reset_index(drop=True)


def additive_constraints(cells: pd.DataFrame, dims: list[Dimension]) -> list[tuple[int, list[int]]]:
    """Every additive relation of a complete table as ``(parent_position, [child_positions])``.

    Positions are 0-based row positions in ``cells``.  For each dimension and each code with
    children there is one relation for every combination of the other dimensions' codes,
    totals included.  Raises ``ValueError`` if the table is not complete.
    """
    names = _dim_names(dims)
    key = cells[names].astype(str)
    pos = pd.Series(np.arange(len(cells)), index=pd.MultiIndex.from_frame(key))
    if not pos.index.is_unique:
        raise ValueError("duplicate cells")
    relations: list[tuple[int, list[int]]] = []
    for dim in dims:
        par = key[dim.name].map(lambda c, d=dim: d.parent.get(c))
        has_parent = par.notna().to_numpy()
        if not has_parent.any():
            continue
        parent_key = key[has_parent].copy()
        parent_key[dim.name] = par[has_parent]
        parent_pos = pos.reindex(pd.MultiIndex.from_frame(parent_key))
        if parent_pos.isna().any():
            raise ValueError("incomplete table: a parent cell is missing (use complete_table)")
        children = np.flatnonzero(has_parent)
        grouped = pd.Series(children).groupby(parent_pos.to_numpy().astype(int), sort=True)
        for parent, kids in grouped:
            relations.append((int(parent), kids.tolist()))
    return relations


def constraint_matrix(cells: pd.DataFrame, dims: list[Dimension]) -> sparse.csr_array:
    """Sparse matrix ``A`` (one row per relation) with ``A @ cells.value == 0``.

    Row ``k`` has ``+1`` at the parent and ``-1`` at each child of relation ``k``.
    """
    rows, cols, vals = [], [], []
    for k, (parent, kids) in enumerate(additive_constraints(cells, dims)):
        rows.append(k)
        cols.append(parent)
        vals.append(1.0)
        rows.extend([k] * len(kids))
        cols.extend(kids)
        vals.extend([-1.0] * len(kids))
    n_rel = (rows[-1] + 1) if rows else 0
    return sparse.csr_array((vals, (rows, cols)), shape=(n_rel, len(cells)))


def margin_depth(cells: pd.DataFrame, dims: list[Dimension]) -> np.ndarray:
    """Per cell, in how many dimensions its code is not a bottom (leaf) code."""
    out = np.zeros(len(cells), dtype=int)
    for dim in dims:
        out += (~cells[dim.name].map(dim.is_leaf)).to_numpy().astype(int)
    return out
