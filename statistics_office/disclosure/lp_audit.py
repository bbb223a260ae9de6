"""The LP audit of a suppression pattern.

What an attacker knows: every published cell value, the additive relations of the table
(:func:`~statistics_office.disclosure.table.additive_constraints`: parent = sum of children along
every dimension, for every combination of the other dimensions' codes) and that every cell is
non-negative.  For each suppressed cell the audit computes the attacker's interval
``[lower, upper]`` by minimising and maximising the cell with the HiGHS LP solver subject to
exactly these constraints (no upper bounds; ``upper`` may be ``inf``).

Exact pass criteria.  Each primary cell ``i`` with true value ``v`` has a lower and an upper
protection level ``LPL``, ``UPL`` (see :func:`protection_requirements`); it passes iff::

    upper >= v + UPL - tol   and   lower <= v - LPL + tol          (tol = 1e-6)

* Count tables (``protection_pct is None``): ``UPL = max(min_frequency - v, 1)`` and
  ``LPL = min(v, 1)``.  So a frequency cell (``v`` = 1 or 2 with threshold 3) passes only if the
  attacker cannot exclude a value ``>= min_frequency`` (``upper >= 3``) and cannot exclude a
  smaller value (``lower <= v - 1``, for ``v = 1`` that is "the cell may be empty").  Both imply
  ``upper - lower >= 2 > 0``: the value is never pinned.  (``lower <= v - 1`` is the integer
  form of ``lower < v``; it is slightly stricter than ``lower < v`` where the LP has
  fractional vertices, which is on the safe side.)
* Magnitude tables (``protection_pct = p``): ``UPL = LPL = p/100 * v``, the usual symmetric
  protection interval of τ-Argus.
* ``protection_level``: a callable ``f(cells) -> (lpl, upl)`` (arrays over all cells) overrides
  both.

Suppressed cells that are not primary (secondary or simply unpublished cells) are reported with
their interval and ``ok = True``; they need no protection of their own.

Efficiency: the system is built once as a sparse matrix; only relations that touch a suppressed
cell are kept, the suppressed cells are split into independent connected components, and two
LPs are solved per suppressed cell in its component only.  Components of a single cell are
solved without an LP.  One HiGHS model is built per component and only its objective changes
between the LPs, so each solve starts from the previous optimal basis (measured on the
13 × 20 × 3 table with 287 suppressed cells in one component: 574 LPs in 1.1 s instead of
2.4 s with a fresh ``scipy.optimize.linprog`` per LP).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .table import Dimension, constraint_matrix

TOL = 1e-6


@dataclass
class AuditResult:
    passed: bool
    intervals: (
        pd.DataFrame
    )  # per suppressed cell: lower, upper, value, lpl, upl, required_width, ok


def _as_mask(series, n: int) -> np.ndarray:
    if series is None:
        return np.zeros(n, dtype=bool)
    arr = np.asarray(series.to_numpy() if hasattr(series, "to_numpy") else series, dtype=object)
    return np.array([bool(x) and x is not pd.NA for x in arr], dtype=bool)


def protection_requirements(
    cells: pd.DataFrame,
    primary,
    *,
    min_frequency: int = 3,
    protection_pct: float | None = None,
    protection_level: Callable | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper protection levels per cell (0 for cells that are not primary)."""
    mask = _as_mask(primary, len(cells))
    value = cells["value"].to_numpy(dtype=float)
    if protection_level is not None:
        lpl, upl = protection_level(cells)
        lpl, upl = np.asarray(lpl, dtype=float), np.asarray(upl, dtype=float)
    elif protection_pct is not None:
        lpl = upl = np.abs(value) * protection_pct / 100.0
    else:
        upl = np.maximum(min_frequency - value, 1.0)
        lpl = np.minimum(np.maximum(value, 0.0), 1.0)
    return np.where(mask, lpl, 0.0), np.where(mask, upl, 0.0)


class LinearSystem:
    """The additive relations of one table, built once and reused for many patterns."""

    def __init__(self, cells: pd.DataFrame, dims: list[Dimension]):
        self.A = constraint_matrix(cells, dims).tocsc()
        self.values = cells["value"].to_numpy(dtype=float)

    def reduced(self, suppressed: np.ndarray):
        """Relations touching the suppressed cells: (S, rows, A_rows_S (csr), b)."""
        S = np.flatnonzero(suppressed)
        A_S = self.A[:, S]
        rows = np.unique(A_S.tocoo().row)
        A_rows = self.A[rows, :] if len(rows) else sparse.csr_array((0, self.A.shape[1]))
        published = np.where(suppressed, 0.0, self.values)
        b = -(A_rows @ published)
        return S, rows, sparse.csr_array(A_S[rows, :]), b

    def components(self, S, A_rs) -> list[tuple[np.ndarray, np.ndarray]]:
        """Split the suppressed cells into independent groups: (local var idx, local row idx)."""
        if len(S) == 0:
            return []
        coo = A_rs.tocoo()
        n_rows = A_rs.shape[0]
        # bipartite graph: nodes 0..len(S)-1 cells, then the rows
        graph = sparse.coo_array(
            (np.ones(coo.nnz), (coo.col, coo.row + len(S))),
            shape=(len(S) + n_rows, len(S) + n_rows),
        )
        _, labels = connected_components(graph, directed=False)
        cell_labels, row_labels = labels[: len(S)], labels[len(S) :]
        out = []
        for lab in np.unique(cell_labels):
            out.append((np.flatnonzero(cell_labels == lab), np.flatnonzero(row_labels == lab)))
        return out


class BoundSolver:
    """The LPs "minimise / maximise x_j subject to A_c x = b_c, x >= 0" of one component,
    on one HiGHS model whose objective alone changes (warm-started re-solves)."""

    def __init__(self, A_c, b_c, lower=None, upper=None):
        A = sparse.csc_array(A_c)
        self.n_vars, self.n_rows = A.shape[1], A.shape[0]
        self._highs = None
        self._current = None
        if self.n_rows == 0:
            return
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.n_vars, self.n_rows
        lp.col_cost_ = np.zeros(self.n_vars)
        lower = np.zeros(self.n_vars) if lower is None else np.asarray(lower, dtype=float)
        upper = np.full(self.n_vars, np.inf) if upper is None else np.asarray(upper, dtype=float)
        lp.col_lower_ = np.where(np.isinf(lower), -highspy.kHighsInf, lower)
        lp.col_upper_ = np.where(np.isinf(upper), highspy.kHighsInf, upper)
        b = np.asarray(b_c, dtype=float)
        lp.row_lower_, lp.row_upper_ = b, b
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A.indptr.astype(np.int32)
        lp.a_matrix_.index_ = A.indices.astype(np.int32)
        lp.a_matrix_.value_ = A.data.astype(float)
        highs = highspy._Highs()  # the plain solver, without the callback machinery
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("presolve", "off")  # re-solves start from the last basis
        highs.passModel(lp)
        self._highs = highs

    def bound(self, j: int, sense: int):
        """``(bound, duals)`` as :func:`solve_bound` gives them."""
        if self._highs is None:
            return (np.inf if sense > 0 else 0.0), None
        highs = self._highs
        if self._current is not None and self._current != j:
            highs.changeColCost(self._current, 0.0)
        highs.changeColCost(j, -float(sense))  # HiGHS minimises
        self._current = j
        solution = run(highs, "audit")
        if solution is None:
            return sense * np.inf, None
        duals = -np.asarray(solution.row_dual, dtype=float)
        return float(solution.col_value[j]), duals


def run(highs, what: str):
    """Solve; the solution, or ``None`` when the objective is unbounded."""
    highs.run()
    status = highs.getModelStatus()
    if status in (
        highspy.HighsModelStatus.kUnbounded,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return None
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"{what} LP failed: {highs.modelStatusToString(status)}")
    return highs.getSolution()


def solve_bound(A_c, b_c, j: int, sense: int):
    """Optimise local variable ``j`` (``sense=+1`` maximise, ``-1`` minimise).

    Returns ``(bound, duals)``: the maximum (``sense=+1``) or minimum (``-1``) of ``x_j``, and
    the equality multipliers ``λ`` of the problem "maximise sense * x_j" (so that
    ``sense*e_j - A_c.T @ λ <= 0`` at the optimum), or ``None`` if unbounded.
    For many LPs over the same component, use one :class:`BoundSolver`.
    """
    return BoundSolver(A_c, b_c).bound(j, sense)


def audit(
    cells: pd.DataFrame,
    dims: list[Dimension],
    suppressed: pd.Series,
    primary: pd.Series,
    *,
    min_frequency: int = 3,
    protection_pct: float | None = None,
    protection_level: Callable | None = None,
    system: LinearSystem | None = None,
    lower_bounds=None,
    upper_bounds=None,
    singletons=None,
) -> AuditResult:
    """Attacker intervals of all suppressed cells and whether every primary cell is protected.

    ``primary`` may be a boolean mask or the reasons from ``primary_suppression``.  Primary cells
    must be suppressed (a published primary cell fails).  ``lower_bounds``/``upper_bounds``:
    a-priori bounds per cell (default ``[0, inf)``; ``-inf`` for cells that may be negative).
    ``singletons``: cells whose single contributor knows their value; every other primary
    cell must also pass against each of them knowing its own cell.
    """
    system = system or LinearSystem(cells, dims)
    n = len(cells)
    supp = _as_mask(suppressed, n)
    prim = _as_mask(primary, n)
    lpl, upl = protection_requirements(
        cells,
        prim,
        min_frequency=min_frequency,
        protection_pct=protection_pct,
        protection_level=protection_level,
    )
    values = system.values
    bounds = _bounds(n, lower_bounds, upper_bounds)
    lower, upper = intervals(system, supp, bounds)
    ok = np.ones(n, dtype=bool)
    ok[prim] = (upper[prim] >= values[prim] + upl[prim] - TOL) & (
        lower[prim] <= values[prim] - lpl[prim] + TOL
    )
    ok[prim & ~supp] = False
    known_by = np.full(n, -1)
    for s in np.flatnonzero(_as_mask(singletons, n) & supp):
        # the single contributor of s knows s: audit the others with s published
        lo_s, up_s = intervals(system, supp & (np.arange(n) != s), bounds)
        others = prim & ~_containing(cells, dims, s) & supp
        fine = (up_s[others] >= values[others] + upl[others] - TOL) & (
            lo_s[others] <= values[others] - lpl[others] + TOL
        )
        failed = np.flatnonzero(others)[~fine]
        ok[failed] = False
        known_by[failed] = s
    report = cells.loc[supp | prim].copy()
    idx = np.flatnonzero(supp | prim)
    report["primary"] = prim[idx]
    report["lower"] = lower[idx]
    report["upper"] = upper[idx]
    report["lpl"] = lpl[idx]
    report["upl"] = upl[idx]
    report["required_width"] = lpl[idx] + upl[idx]
    report["ok"] = ok[idx]
    report["known_by"] = known_by[idx]  # the singleton whose contributor could pin it
    return AuditResult(passed=bool(ok.all()), intervals=report)


def _containing(cells, dims, cell):
    """Cells nested with ``cell``: its margins and the cells below it. For a singleton these
    hold its own contribution (above) or nothing but it (below): no one else's secret."""
    above = np.ones(len(cells), dtype=bool)
    below = np.ones(len(cells), dtype=bool)
    for dim in dims:
        code = str(cells[dim.name].iat[cell])
        codes = cells[dim.name].astype(str)
        above &= codes.isin(set(dim.ancestors(code))).to_numpy()
        below &= codes.map(lambda c, d=dim, k=code: k in d.ancestors(c)).to_numpy()
    return above | below


def _bounds(n, lower_bounds, upper_bounds):
    lower = np.zeros(n) if lower_bounds is None else np.asarray(lower_bounds, dtype=float)
    upper = np.full(n, np.inf) if upper_bounds is None else np.asarray(upper_bounds, dtype=float)
    return lower, upper


def intervals(system: LinearSystem, supp: np.ndarray, bounds) -> tuple[np.ndarray, np.ndarray]:
    """The attacker's interval of every suppressed cell under pattern ``supp``."""
    n = len(supp)
    lower_b, upper_b = bounds
    lower = np.full(n, np.nan)
    upper = np.full(n, np.nan)
    S, _rows, A_rs, b = system.reduced(supp)
    for var_idx, row_idx in system.components(S, A_rs):
        cells = S[var_idx]
        A_c = A_rs[row_idx, :][:, var_idx]
        b_c = b[row_idx]
        if len(var_idx) == 1 and len(row_idx):
            lower[cells[0]] = upper[cells[0]] = _single_value(A_c, b_c)
            continue
        if not len(row_idx):
            lower[cells], upper[cells] = lower_b[cells], upper_b[cells]
            continue
        solver = BoundSolver(A_c, b_c, lower_b[cells], upper_b[cells])
        for local, cell in enumerate(cells):
            upper[cell], _ = solver.bound(local, +1)
            lower[cell], _ = solver.bound(local, -1)
    return lower, upper


def _single_value(A_c, b_c) -> float:
    col = A_c.toarray()[:, 0]
    k = int(np.flatnonzero(col)[0])
    return float(b_c[k] / col[k])
