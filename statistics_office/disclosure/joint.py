"""Protection across tables: every published cell as a sum of *atoms* (pure, no Django).

An outsider combines everything the office has published. Over one data version of one
source, let the atoms be the finest groups of records that any table distinguishes (every
combination of all tables' bottom codes and filter outcomes). Then every cell of every table,
margins included, is the sum of a set of atoms (:func:`membership`), and the attacker knows:

* the value of every published cell (an equality over its atoms),
* that every atom is non-negative (or lies within its a-priori bounds).

Nothing else: each table's own additivity is implied. :func:`attacker_intervals` minimises
and maximises any linear expression over atoms (a suppressed cell, an atom, the difference of
two nested cells) under exactly these constraints. Before the LPs run, the system is reduced
without changing its feasible set: a row of value 0 fixes its atoms at 0, a row with a single
free atom fixes it, a row that contains other rows has them subtracted (a margin minus its
published parts is the sum of its suppressed parts), duplicate and empty rows go. What is left
falls into independent components; one warm-started HiGHS model per component answers all
its LPs (each target's maximum is the sum of its parts' maxima over the components).

:func:`protect_jointly` adds suppressions in the *new* table only (published tables are
immutable) until every target passes: greedily, the cheapest free cell whose published value
the failing LP's dual leans on. Removing a constraint only widens intervals, so targets that
passed keep passing and the loop ends (at worst with every free cell suppressed). If a target
still fails with no free cell left to suppress, the published set itself discloses it:
:class:`JointProtectionError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from .attacker import (  # noqa: F401 (re-exported)
    MAX_ATOMS,
    MAX_ROWS,
    TOL,
    AttackerModel,
    JointProtectionError,
    WitnessPool,
)
from .table import Dimension


def membership(
    atom_codes: pd.DataFrame, dims: list[Dimension], member=None
) -> tuple[pd.DataFrame, sparse.csr_array]:
    """Every cell (code combination at every level) holding atoms, and cells × atoms (0/1).

    ``atom_codes`` has one column per dimension with the atom's bottom code in that table;
    ``member`` (boolean per atom) says which atoms pass the table's filter.
    """
    names = [d.name for d in dims]
    idx = np.arange(len(atom_codes)) if member is None else np.flatnonzero(np.asarray(member))
    long = atom_codes.iloc[idx][names].astype(str).reset_index(drop=True)
    long["_atom"] = idx
    for dim in dims:
        present = long[dim.name].unique()
        anc = pd.DataFrame(
            [(code, a) for code in present for a in dim.ancestors(code)],
            columns=[dim.name, "_anc"],
        )
        long = long.merge(anc, on=dim.name).drop(columns=dim.name)
        long = long.rename(columns={"_anc": dim.name})
    if long.empty:
        return pd.DataFrame(columns=names), sparse.csr_array((0, len(atom_codes)))
    cell_id = long.groupby(names, sort=False).ngroup().to_numpy()
    cells = long[names].drop_duplicates().reset_index(drop=True)  # in order of first appearance
    matrix = sparse.csr_array(
        (np.ones(len(long)), (cell_id, long["_atom"].to_numpy())),
        shape=(len(cells), len(atom_codes)),
    )
    return cells, matrix


@dataclass
class Targets:
    """Linear expressions over atoms that must not be pinned down (one row each)."""

    matrix: sparse.csr_array  # targets × atoms
    value: np.ndarray  # true value of each target
    lpl: np.ndarray
    upl: np.ndarray
    label: list = field(default_factory=list)  # what each target is, for messages

    def __len__(self):
        return self.matrix.shape[0]


def frequency_levels(value, min_frequency):
    """Protection levels of a count cell below the minimum frequency (see lp_audit)."""
    value = np.asarray(value, dtype=float)
    return np.minimum(np.maximum(value, 0.0), 1.0), np.maximum(min_frequency - value, 1.0)


def stack_targets(parts: list[Targets], n_atoms: int) -> Targets:
    parts = [p for p in parts if len(p)]
    if not parts:
        return Targets(sparse.csr_array((0, n_atoms)), np.zeros(0), np.zeros(0), np.zeros(0))
    return Targets(
        sparse.csr_array(sparse.vstack([p.matrix for p in parts])),
        np.concatenate([p.value for p in parts]),
        np.concatenate([p.lpl for p in parts]),
        np.concatenate([p.upl for p in parts]),
        [label for p in parts for label in p.label],
    )


@dataclass
class JointAudit:
    passed: bool
    lower: np.ndarray
    upper: np.ndarray
    ok: np.ndarray


def audit_targets(model: AttackerModel, targets: Targets, only=None) -> JointAudit:
    """Interval of every target and whether it reaches its protection levels."""
    n = len(targets)
    lower, upper = np.full(n, np.nan), np.full(n, np.nan)
    ok = np.ones(n, dtype=bool)
    m = targets.matrix
    for t in range(n) if only is None else only:
        cols = m.indices[m.indptr[t] : m.indptr[t + 1]]
        coefs = m.data[m.indptr[t] : m.indptr[t + 1]]
        lower[t], upper[t] = model.interval(cols, coefs)
        v = targets.value[t]
        ok[t] = upper[t] >= v + targets.upl[t] - TOL and lower[t] <= v - targets.lpl[t] + TOL
    return JointAudit(bool(ok.all()), lower, upper, ok)


@dataclass
class JointResult:
    suppressed: np.ndarray  # per cell, final pattern
    added: np.ndarray  # cells suppressed by the joint step (in addition to the start)
    audit: JointAudit
    rounds: int


def protect_jointly(
    cells_matrix: sparse.csr_array,
    atom_values: np.ndarray,
    suppressed: np.ndarray,
    free: np.ndarray,
    cost: np.ndarray,
    targets: Targets,
    *,
    lower=None,
    upper=None,
    row_lower=None,
    row_upper=None,
    describe=None,
    max_rounds: int = 2000,
) -> JointResult:
    """Suppress further ``free`` cells until every target passes the joint audit.

    ``cells_matrix``: all cells of all tables × atoms; ``suppressed``: the starting pattern
    (published tables' secrets, the new table's own pattern); ``free``: cells that may still be
    suppressed (the new table's published cells). ``describe(t)`` names target ``t`` in an
    error message. ``row_lower``/``row_upper``: what a published cell tells the attacker, if
    not its true value (a perturbed cell: the interval its true value lies in).
    """
    cells_matrix = sparse.csr_array(cells_matrix)
    supp = np.asarray(suppressed, dtype=bool).copy()
    free = np.asarray(free, dtype=bool) & ~supp
    start = supp.copy()
    cell_values = cells_matrix @ np.asarray(atom_values, dtype=float)
    row_lower = cell_values if row_lower is None else np.asarray(row_lower, dtype=float)
    row_upper = row_lower if row_upper is None else np.asarray(row_upper, dtype=float)
    pending = list(range(len(targets)))
    lower_t = np.full(len(targets), np.nan)
    upper_t = np.full(len(targets), np.nan)
    pool = WitnessPool(atom_values)
    need_lo = targets.value - targets.lpl
    need_hi = targets.value + targets.upl
    rounds = 0
    while True:
        rounds += 1
        published = np.flatnonzero(~supp & (np.diff(cells_matrix.indptr) > 0))
        model = AttackerModel(
            cells_matrix[published],
            row_lower[published],
            rhs_upper=row_upper[published],
            lower=lower,
            upper=upper,
            pool=pool,
        )
        failing = []
        m = targets.matrix
        for t in pending:
            cols = m.indices[m.indptr[t] : m.indptr[t + 1]]
            coefs = m.data[m.indptr[t] : m.indptr[t + 1]]
            lo, hi, duals = model.interval(
                cols, coefs, want_duals=True, need=(need_lo[t], need_hi[t])
            )
            lower_t[t], upper_t[t] = lo, hi
            v = targets.value[t]
            if hi >= v + targets.upl[t] - TOL and lo <= v - targets.lpl[t] + TOL:
                continue
            failing.append((t, duals))
        if not failing:
            break
        if rounds > max_rounds:
            raise RuntimeError("joint protection did not converge")
        # One suppression per failing target and round: the cheapest free published cell
        # the failing bound relies on (its row has a non-zero dual).
        chosen = set()
        for t, duals in failing:
            candidates = [published[r] for r in duals if free[published[r]]]
            if not candidates:
                candidates = _nearby_free_cells(cells_matrix, m, t, supp, free)
            if not candidates:
                label = describe(t) if describe else f"target {t}"
                raise JointProtectionError(
                    f"{label} ließe sich aus den bereits veröffentlichten Tabellen genauer "
                    "bestimmen, als die Geheimhaltung erlaubt; das lässt sich durch weitere "
                    "Sperrungen in der neuen Tabelle nicht mehr verhindern.",
                    target=t,
                )
            best = min(candidates, key=lambda c: (cost[c], c))
            chosen.add(int(best))
        for c in chosen:
            supp[c] = True
            free[c] = False
        pending = [t for t, _ in failing]
    # Every target passed when last checked, and later suppressions only widen intervals:
    # the recorded intervals are lower bounds of the final ones.
    final = JointAudit(True, lower_t, upper_t, np.ones(len(targets), dtype=bool))
    return JointResult(supp, supp & ~start, final, rounds)


def _nearby_free_cells(cells_matrix, targets_matrix, t, supp, free, max_hops=4):
    """Free cells closest to target ``t``: sharing an atom with it, or with a published
    cell that shares one, and so on (the rows that pinned it were reduced away)."""
    cells_csc = sparse.csc_array(cells_matrix)
    atoms = set(targets_matrix.indices[targets_matrix.indptr[t] : targets_matrix.indptr[t + 1]])
    seen_cells: set[int] = set()
    for _ in range(max_hops):
        idx = np.fromiter(atoms, dtype=int)
        touching = np.unique(cells_csc[:, idx].tocoo().row) if len(idx) else np.zeros(0, int)
        found = [int(c) for c in touching if free[c] and not supp[c]]
        if found:
            return found
        new_cells = [int(c) for c in touching if c not in seen_cells and not supp[c]]
        if not new_cells:
            return []
        seen_cells.update(new_cells)
        sub = cells_matrix[new_cells]
        atoms = atoms | set(sub.indices.tolist())
    return []


def nested_differences(
    matrix: sparse.csr_array,
    values: np.ndarray,
    new: np.ndarray,
    min_frequency: int,
) -> list[tuple[int, int, float]]:
    """Pairs (outer, inner, difference) of cells where inner's record set lies inside outer's
    and the difference holds 1 .. min_frequency-1 records; at least one of them new."""
    matrix = sparse.csr_array(matrix)
    matrix.data[:] = 1.0
    size = np.diff(matrix.indptr)
    new_idx = np.flatnonzero(new)
    if not len(new_idx):
        return []
    overlap = sparse.csr_array(matrix[new_idx] @ matrix.T).tocoo()
    pairs = []
    for k, j, shared in zip(overlap.row, overlap.col, overlap.data, strict=True):
        i = new_idx[k]
        if i == j:
            continue
        if shared == size[i] and size[j] > size[i]:
            outer, inner = j, i
        elif shared == size[j] and size[i] > size[j]:
            outer, inner = i, j
        else:
            continue
        if new[outer] and new[inner] and outer != i:
            continue  # each new-new pair once
        diff = values[outer] - values[inner]
        if 0 < diff < min_frequency:
            pairs.append((int(outer), int(inner), float(diff)))
    return pairs


def same_record_set(matrix: sparse.csr_array, new: np.ndarray, published: np.ndarray):
    """For each new cell, a published cell with exactly the same atoms (or -1)."""
    matrix = sparse.csr_array(matrix)
    out = np.full(matrix.shape[0], -1)
    keys = {}
    for c in np.flatnonzero(published):
        atoms = matrix.indices[matrix.indptr[c] : matrix.indptr[c + 1]]
        if len(atoms):
            keys.setdefault(np.sort(atoms).tobytes(), c)
    for c in np.flatnonzero(new):
        atoms = matrix.indices[matrix.indptr[c] : matrix.indptr[c + 1]]
        if len(atoms):
            out[c] = keys.get(np.sort(atoms).tobytes(), -1)
    return out
