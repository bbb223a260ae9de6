"""Secondary suppression: an optimal (small tables) or near-optimal (large tables) MILP.

The model is the one of Fischetti & Salazar-González ("Models and algorithms for optimizing
cell suppression in tabular data with linear constraints", JASA 2000), which τ-Argus calls
"Optimal": a binary ``x_j`` per cell (1 = suppressed), minimise ``sum cost_j x_j`` subject to
the primary cells being suppressed and every primary cell ``p`` being protected, i.e. the
attacker's LP (see :mod:`.audit`) reaches ``v_p + UPL_p`` and ``v_p - LPL_p``.

Protection is enforced by *capacity cuts* generated from the attacker's LP dual (Benders
decomposition).  For any multipliers ``λ`` on the additive relations ``A y = 0`` and
``r = ±e_p - Aᵀλ``, every deviation ``y`` from the true table that is consistent with the
published cells satisfies ``±y_p = rᵀy``; a suppressed cell can move up without bound and down
by at most its value, so protection needs::

    sum_j coef_j x_j >= q,   coef_j = min(q, (r_j > 0) * inf + (r_j < 0) * (-r_j) * v_j)

(``q`` is UPL or LPL).  The cut is valid for every ``λ``; with the optimal dual of the
attacker's LP for the current pattern it cuts that pattern off.  The loop starts with the cuts
of the relations through each primary cell ("at least one partner in every line"), solves the
master MILP with ``scipy.optimize.milp`` (HiGHS), audits every primary cell and adds a cut for
each one still too narrow, until all pass.  Each round cuts off the current pattern, so the loop
ends; the result always passes :func:`.audit.audit` with the same protection levels.

``method="optimal"`` re-optimises the whole pattern each round (exact optimum up to
``mip_rel_gap``); ``method="fast"`` keeps cells once chosen (later rounds only add cells, and
only still-failing cells are re-audited) - far quicker on large tables, near-optimal.
``"auto"`` uses ``optimal`` up to 600 cells.

Zero cells (``value == 0 and n == 0``) are not used as complements unless ``suppress_zeros``:
empty cells are usually known to be empty, and zeros stay visible.  Costs: ``"value"``,
``"n"`` or ``"unity"``, each multiplied by ``1 + margin_weight * k`` for a cell that is a
margin in ``k`` dimensions, so that among equally cheap patterns the margins stay published.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from .lp_audit import (
    TOL,
    BoundSolver,
    LinearSystem,
    _as_mask,
    _containing,
    protection_requirements,
)
from .table import Dimension, margin_depth

AUTO_OPTIMAL_MAX_CELLS = 600


def _cost(cells: pd.DataFrame, dims, cost: str, margin_weight: float) -> np.ndarray:
    if cost == "value":
        base = np.abs(cells["value"].to_numpy(dtype=float))
    elif cost == "n":
        base = cells["n"].to_numpy(dtype=float)
    elif cost == "unity":
        base = np.ones(len(cells))
    else:
        raise ValueError(f"unknown cost {cost!r}")
    floor = 1e-3 * max(float(base[base > 0].min()) if (base > 0).any() else 1.0, 1e-9)
    return np.maximum(base, floor) * (1.0 + margin_weight * margin_depth(cells, dims))


class _Cuts:
    def __init__(self, n: int):
        self.n = n
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.rhs: list[float] = []
        self._seen: set[bytes] = set()

    def add(self, coef: np.ndarray, q: float) -> bool:
        nz = np.flatnonzero(coef > TOL)
        key = np.round(coef[nz] / q, 6).tobytes() + nz.tobytes()
        if key in self._seen:
            return False
        self._seen.add(key)
        self.rows.append(np.full(len(nz), len(self.rhs)))
        self.cols.append(nz)
        self.vals.append(coef[nz] / q)  # normalised: sum coef/q * x >= 1
        self.rhs.append(1.0)
        return True

    def constraint(self) -> LinearConstraint:
        mat = sparse.csr_array(
            (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))),
            shape=(len(self.rhs), self.n),
        )
        return LinearConstraint(mat, lb=np.array(self.rhs), ub=np.inf)


def _capacity_cut(r: np.ndarray, room: tuple[np.ndarray, np.ndarray], q: float) -> np.ndarray:
    """``room``: how far each cell can move down and up within its a-priori bounds."""
    down_room, up_room = room
    coef = np.zeros_like(r)
    up = r > TOL
    down = r < -TOL
    with np.errstate(invalid="ignore"):
        coef[up] = np.minimum(r[up] * up_room[up], q)
        coef[down] = np.minimum(-r[down] * down_room[down], q)
    return np.nan_to_num(coef, nan=q)


def secondary_suppression(
    cells: pd.DataFrame,
    dims: list[Dimension],
    primary: pd.Series,
    *,
    cost: str = "value",
    protection_level: Callable | None = None,
    min_frequency: int = 3,
    protection_pct: float | None = None,
    unpublished: pd.Series | None = None,
    suppress_zeros: bool = False,
    margin_weight: float = 0.1,
    method: str = "auto",
    mip_rel_gap: float = 1e-6,
    time_limit: float | None = None,
    max_rounds: int = 500,
    lower_bounds=None,
    upper_bounds=None,
    singletons=None,
) -> pd.Series:
    """The cells to suppress in addition to the primary ones (boolean Series on ``cells.index``).

    ``primary``: boolean mask or reasons from ``primary_suppression``.  ``unpublished``: cells
    that are not published anyway (e.g. the difference slice of linked tables); they count as
    suppressed at no cost and need no protection themselves unless primary.
    ``protection_level``/``min_frequency``/``protection_pct`` define the protection levels as in
    :func:`.lp_audit.protection_requirements`; pass the same ones to the audit.
    ``lower_bounds``/``upper_bounds``: a-priori bounds per cell (default ``[0, inf)``).
    ``singletons``: cells whose single contributor knows their value; every other primary
    cell is also protected against each of them (two singletons never protect each other
    alone).
    """
    n = len(cells)
    system = LinearSystem(cells, dims)
    A = system.A
    A_T = A.T.tocsr()
    values = system.values
    prim = _as_mask(primary, n)
    unpub = _as_mask(unpublished, n)
    lpl, upl = protection_requirements(
        cells,
        prim,
        min_frequency=min_frequency,
        protection_pct=protection_pct,
        protection_level=protection_level,
    )
    if not prim.any():
        return pd.Series(False, index=cells.index, name="secondary")
    if method == "auto":
        method = "optimal" if n <= AUTO_OPTIMAL_MAX_CELLS else "fast"
    if method not in ("optimal", "fast"):
        raise ValueError(f"unknown method {method!r}")

    c = _cost(cells, dims, cost, margin_weight)
    forced = prim | unpub
    c[forced] = 0.0
    lb = forced.astype(float)
    ub = np.ones(n)
    if not suppress_zeros:
        zero = (values == 0) & (cells["n"].to_numpy(dtype=float) == 0) & ~forced
        ub[zero] = 0.0

    lower = np.zeros(n) if lower_bounds is None else np.asarray(lower_bounds, dtype=float)
    upper = np.full(n, np.inf) if upper_bounds is None else np.asarray(upper_bounds, dtype=float)
    room = (values - lower, upper - values)
    system.bounds = (lower, upper)
    cuts = _Cuts(n)
    senses = [(int(p), s, q) for p in np.flatnonzero(prim) for s, q in ((1, upl[p]), (-1, lpl[p]))]
    targets = [(p, s, q, -1) for p, s, q in senses if q > TOL]
    for known in np.flatnonzero(_as_mask(singletons, n) & prim):
        inside = _containing(cells, dims, known)  # its contributor is in these already
        targets += [(p, s, q, int(known)) for p, s, q in senses if q > TOL and not inside[p]]
    _initial_cuts(A, A_T, room, targets, cuts)

    options = {"mip_rel_gap": mip_rel_gap}
    if time_limit is not None:
        options["time_limit"] = time_limit
    pending = targets
    x = lb.copy()
    for _ in range(max_rounds):
        if cuts.rhs:
            res = milp(
                c,
                integrality=np.ones(n),
                bounds=Bounds(lb, ub),
                constraints=[cuts.constraint()],
                options=options,
            )
            if res.x is None:
                raise RuntimeError(f"secondary suppression MILP failed: {res.message}")
            x = np.round(res.x)
        if method == "fast":
            lb = np.maximum(lb, x)
        failing = _failing(system, A_T, x.astype(bool), pending, cuts, room)
        if not failing:
            break
        if method == "fast":
            pending = failing
    else:
        raise RuntimeError("secondary suppression did not converge")
    secondary = x.astype(bool) & ~forced
    return pd.Series(secondary, index=cells.index, name="secondary")


def _initial_cuts(A, A_T, room, targets, cuts: _Cuts) -> None:
    """One cut per primary cell, direction and relation through it (λ = ±e_row)."""
    A_csc = A.tocsc()
    n_rel = A.shape[0]
    for p, sense, q, known in targets:
        col = A_csc[:, [p]].tocoo()
        for k, a in zip(col.row, col.data, strict=True):
            lam = np.zeros(n_rel)
            lam[k] = sense / a  # makes r_p = sense - a * lam_k = 0
            r = -(A_T @ lam)
            r[p] += sense
            if known >= 0:
                r[known] = 0.0  # its contributor knows it: it cannot move
            cuts.add(_capacity_cut(r, room, q), q)


def _failing(system: LinearSystem, A_T, supp: np.ndarray, targets, cuts: _Cuts, room) -> list:
    """Audit the targets under pattern ``supp``; add a cut for each failure; return failures.

    A target ``(p, sense, q, known)`` with ``known >= 0`` is audited as the single contributor
    of cell ``known`` sees the table: that cell counts as published."""
    lower_b, upper_b = system.bounds
    values = system.values
    failing = []
    by_known: dict[int, list] = {}
    for target in targets:
        by_known.setdefault(target[3], []).append(target)
    for known, group in by_known.items():
        pattern = supp.copy()
        if known >= 0:
            pattern[known] = False
        S, rows, A_rs, b = system.reduced(pattern)
        where = {}
        for number, (var_idx, row_idx) in enumerate(system.components(S, A_rs)):
            for local, cell in enumerate(S[var_idx]):
                where[int(cell)] = (number, var_idx, row_idx, local)
        solvers = {}  # one warm-started LP model per component, built when first needed
        for p, sense, q, _known in group:
            if p not in where:  # published: fails, and no cut can help within the LP
                failing.append((p, sense, q, known))
                continue
            number, var_idx, row_idx, local = where[p]
            if number not in solvers:
                cells = S[var_idx]
                solvers[number] = BoundSolver(
                    A_rs[row_idx, :][:, var_idx], b[row_idx], lower_b[cells], upper_b[cells]
                )
            bound, duals = solvers[number].bound(local, sense)
            if sense * (bound - values[p]) >= q - TOL:
                continue
            failing.append((p, sense, q, known))
            lam = np.zeros(system.A.shape[0])
            if duals is not None:
                lam[rows[row_idx]] = duals
            violated = False
            for flip in (1.0, -1.0):  # guard against the solver's sign convention
                r = -(A_T @ (flip * lam))
                r[p] += sense
                if known >= 0:
                    r[known] = 0.0
                coef = _capacity_cut(r, room, q)
                if coef @ supp < q - TOL:
                    cuts.add(coef, q)  # may repeat a cut added this round for another target
                    violated = True
                    break
            if not violated:
                raise RuntimeError("could not derive a violated capacity cut")
    return failing
