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

import highspy
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .table import Dimension

TOL = 1e-6
# Above these sizes the joint system is refused with an explanation, never skipped.
MAX_ATOMS = 50_000
MAX_ROWS = 60_000


class JointProtectionError(ValueError):
    """The published set cannot be kept safe (``target`` says which target failed)."""

    def __init__(self, message, *, target=None):
        super().__init__(message)
        self.target = target


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


class _Reduced:
    """The published rows after the value-preserving reductions of the module docstring."""

    def __init__(self, rows: sparse.csr_array, rhs: np.ndarray, lower, upper, rhs_upper=None):
        n_atoms = rows.shape[1]
        self.n_atoms = n_atoms
        self.lower, self.upper = lower, upper
        self.fixed = np.full(n_atoms, np.nan)
        rows = sparse.csr_array(rows)
        rhs = np.asarray(rhs, dtype=float)
        rhs_upper = rhs if rhs_upper is None else np.asarray(rhs_upper, dtype=float)
        interval = rhs_upper > rhs + TOL  # known only within bounds (a perturbed value)
        all_sets = [rows.indices[rows.indptr[i] : rows.indptr[i + 1]] for i in range(len(rhs))]
        # Interval rows take no part in the reductions; they join the LPs as they are.
        sets = [a if not interval[i] else a[:0] for i, a in enumerate(all_sets)]
        nonneg = lower >= 0
        # A row of value 0 over non-negative atoms: every atom in it is 0.
        for atoms, value in zip(sets, rhs, strict=True):
            if len(atoms) and abs(value) <= TOL and nonneg[atoms].all():
                self.fixed[atoms] = 0.0
        # A row with a single atom left free fixes it; repeat until nothing changes.
        changed = True
        while changed:
            changed = False
            for atoms, value in zip(sets, rhs, strict=True):
                free = atoms[np.isnan(self.fixed[atoms])]
                if len(free) == 1:
                    known = np.nansum(self.fixed[atoms])
                    self.fixed[free[0]] = value - known
                    changed = True
        fixed_values = np.nan_to_num(self.fixed, nan=0.0)
        free_mask = np.isnan(self.fixed)
        pending = []
        for i, (atoms, value) in enumerate(zip(sets, rhs, strict=True)):
            free = atoms[free_mask[atoms]]
            if len(free):
                pending.append((frozenset(free.tolist()), value - fixed_values[atoms].sum(), i))
        pending.sort(key=lambda t: len(t[0]))
        # From each row, subtract the rows kept so far that it contains (largest first,
        # pairwise disjoint): a margin minus its published parts.
        kept_sets: list[frozenset] = []
        kept_rhs: list[float] = []
        self.origin: list[int] = []
        seen: set[frozenset] = set()
        rows_of_atom: dict[int, list[int]] = {}
        for free, value, i in pending:
            remaining = set(free)
            rest = value
            candidates = set()
            for a in free:
                candidates.update(rows_of_atom.get(a, ()))
            for k in sorted(candidates, key=lambda k: -len(kept_sets[k])):
                if kept_sets[k] <= remaining:
                    remaining -= kept_sets[k]
                    rest -= kept_rhs[k]
            kept = frozenset(remaining)
            if not kept or kept in seen:
                continue  # implied by the rows kept so far
            seen.add(kept)
            number = len(kept_sets)
            kept_sets.append(kept)
            kept_rhs.append(rest)
            self.origin.append(i)
            for a in kept:
                rows_of_atom.setdefault(a, []).append(number)
        kept_upper = list(kept_rhs)
        for i in np.flatnonzero(interval):
            atoms = all_sets[i]
            free = atoms[free_mask[atoms]]
            known = fixed_values[atoms].sum()
            if len(free):
                kept_sets.append(frozenset(free.tolist()))
                kept_rhs.append(rhs[i] - known)
                kept_upper.append(rhs_upper[i] - known)
                self.origin.append(int(i))
        self.sets = kept_sets
        self.rhs = np.array(kept_rhs, dtype=float)
        self.rhs_upper = np.array(kept_upper, dtype=float)


class _Component:
    def __init__(self, atoms, rows, reduced: _Reduced):
        self.atoms = atoms  # global atom indices
        self.local = {a: j for j, a in enumerate(atoms)}
        self.rows = rows
        lp = highspy.HighsLp()
        n, m = len(atoms), len(rows)
        lp.num_col_, lp.num_row_ = n, m
        lp.col_cost_ = np.zeros(n)
        upper = np.asarray(reduced.upper[atoms], dtype=float)
        lp.col_upper_ = np.where(np.isinf(upper), highspy.kHighsInf, upper)
        lower = np.asarray(reduced.lower[atoms], dtype=float)
        lp.col_lower_ = np.where(np.isinf(lower), -highspy.kHighsInf, lower)
        r_idx, c_idx = [], []
        for k, row in enumerate(rows):
            cols = [self.local[a] for a in reduced.sets[row]]
            r_idx.extend([k] * len(cols))
            c_idx.extend(cols)
        A = sparse.csc_array((np.ones(len(r_idx)), (r_idx, c_idx)), shape=(m, n))
        lp.row_lower_, lp.row_upper_ = reduced.rhs[rows], reduced.rhs_upper[rows]
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A.indptr.astype(np.int32)
        lp.a_matrix_.index_ = A.indices.astype(np.int32)
        lp.a_matrix_.value_ = A.data.astype(float)
        highs = highspy._Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("presolve", "off")
        # Only the objective changes between solves, so the last basis stays primal
        # feasible: primal simplex re-solves from it (8x faster than dual simplex here).
        highs.setOptionValue("simplex_strategy", 4)
        highs.passModel(lp)
        self.highs = highs
        self._cost_cols = np.zeros(0, dtype=np.int32)

    def optimise(self, cols, coefs, sense):
        """max (sense=+1) or min (-1) of coefs·x[cols]; returns (bound, row duals or None)."""
        highs = self.highs
        if len(self._cost_cols):
            highs.changeColsCost(
                len(self._cost_cols), self._cost_cols, np.zeros(len(self._cost_cols))
            )
        cols = np.asarray(cols, dtype=np.int32)
        highs.changeColsCost(len(cols), cols, -float(sense) * np.asarray(coefs, dtype=float))
        self._cost_cols = cols
        highs.run()
        status = highs.getModelStatus()
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return sense * np.inf, None
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"joint audit LP failed: {highs.modelStatusToString(status)}")
        solution = highs.getSolution()
        x = np.asarray(solution.col_value)
        self.last_solution = x
        return float(np.dot(coefs, x[cols])), np.asarray(solution.row_dual, dtype=float)


class AttackerModel:
    """What an outsider can infer about atoms from the published rows."""

    def __init__(
        self, rows: sparse.csr_array, rhs, *, rhs_upper=None, lower=None, upper=None, pool=None
    ):
        """``rhs`` (and ``rhs_upper`` where a row is known only within bounds) per row.

        ``pool``: a :class:`WitnessPool` of points known to satisfy these rows (the truth, and
        optima found before under more rows): a target they already spread far enough needs
        no LP.
        """
        n_atoms = rows.shape[1]
        self.pool = pool
        if n_atoms > MAX_ATOMS or rows.shape[0] > MAX_ROWS:
            raise JointProtectionError(
                f"Die gemeinsame Prüfung umfasst {n_atoms} Atome und {rows.shape[0]} "
                f"veröffentlichte Felder; höchstens {MAX_ATOMS} Atome und {MAX_ROWS} Felder "
                "sind möglich. Bitte weniger oder gröbere Merkmale verwenden."
            )
        lower = np.zeros(n_atoms) if lower is None else np.asarray(lower, dtype=float)
        upper = np.full(n_atoms, np.inf) if upper is None else np.asarray(upper, dtype=float)
        self.reduced = _Reduced(rows, rhs, lower, upper, rhs_upper)
        red = self.reduced
        free_atoms = np.flatnonzero(np.isnan(red.fixed))
        self.row_of_atom: dict[int, list[int]] = {}
        for k, atoms in enumerate(red.sets):
            for a in atoms:
                self.row_of_atom.setdefault(a, []).append(k)
        # components over atoms linked by rows
        in_rows = np.array(sorted(self.row_of_atom), dtype=int)
        self.component_of = np.full(n_atoms, -1)
        self.components: list[_Component | None] = []
        self._members: list[tuple[np.ndarray, list[int]]] = []
        if len(in_rows):
            pos = {a: j for j, a in enumerate(in_rows)}
            r_idx, c_idx = [], []
            for k, atoms in enumerate(red.sets):
                for a in atoms:
                    r_idx.append(k)
                    c_idx.append(pos[a])
            n_r, n_a = len(red.sets), len(in_rows)
            graph = sparse.coo_array(
                (np.ones(len(r_idx)), (np.array(c_idx), np.array(r_idx) + n_a)),
                shape=(n_a + n_r, n_a + n_r),
            )
            _, labels = connected_components(graph, directed=False)
            atom_labels = labels[:n_a]
            row_labels = labels[n_a:]
            uniq, comp = np.unique(atom_labels, return_inverse=True)
            self.component_of[in_rows] = comp
            for c, lab in enumerate(uniq):
                atoms = in_rows[comp == c]
                rows_c = list(np.flatnonzero(row_labels == lab))
                self._members.append((atoms, rows_c))
                self.components.append(None)
        self.free_unlinked = np.zeros(n_atoms, dtype=bool)
        self.free_unlinked[free_atoms] = True
        self.free_unlinked[in_rows] = False

    def _component(self, c) -> _Component:
        if self.components[c] is None:
            atoms, rows = self._members[c]
            self.components[c] = _Component(atoms, rows, self.reduced)
        return self.components[c]

    def interval(self, expr_cols, expr_coefs, *, want_duals=False, need=None):
        """(lower, upper[, duals]) of sum coefs·atoms; duals: {original row: weight}.

        With ``need = (lo, hi)``, a bound that the witness pool already reaches is returned
        as that witness's value (enough to pass, not the extreme) without solving its LP.
        """
        red = self.reduced
        cols = np.asarray(expr_cols, dtype=int)
        coefs = np.asarray(expr_coefs, dtype=float)
        skip_hi = skip_lo = None
        if need is not None and self.pool is not None and len(cols):
            seen = self.pool.values(cols, coefs)
            if seen.max() >= need[1] - TOL:
                skip_hi = float(seen.max())
            if seen.min() <= need[0] + TOL:
                skip_lo = float(seen.min())
            if skip_hi is not None and skip_lo is not None:
                return (skip_lo, skip_hi, {}) if want_duals else (skip_lo, skip_hi)
        fixed = ~np.isnan(red.fixed[cols])
        lo = hi = float(np.dot(coefs[fixed], red.fixed[cols][fixed]))
        cols, coefs = cols[~fixed], coefs[~fixed]
        unlinked = self.free_unlinked[cols]
        for a, w in zip(cols[unlinked], coefs[unlinked], strict=True):
            lo += w * (red.lower[a] if w > 0 else red.upper[a])
            hi += w * (red.upper[a] if w > 0 else red.lower[a])
        cols, coefs = cols[~unlinked], coefs[~unlinked]
        duals: dict[int, float] = {}
        comps = self.component_of[cols]
        for c in np.unique(comps):
            part = comps == c
            comp = self._component(int(c))
            local = [comp.local[a] for a in cols[part]]
            for sense in (+1, -1):
                if sense > 0 and (np.isinf(hi) or skip_hi is not None):
                    continue
                if sense < 0 and ((np.isinf(lo) and lo < 0) or skip_lo is not None):
                    continue
                bound, row_duals = comp.optimise(local, coefs[part], sense)
                if self.pool is not None:
                    self.pool.add(comp.atoms, comp.last_solution)
                if sense > 0:
                    hi += bound
                else:
                    lo += bound
                if want_duals and row_duals is not None:
                    for k, d in zip(comp.rows, row_duals, strict=True):
                        if abs(d) > TOL:
                            origin = red.origin[k]
                            duals[origin] = duals.get(origin, 0.0) + abs(d)
        if skip_hi is not None:
            hi = skip_hi
        if skip_lo is not None:
            lo = skip_lo
        return (lo, hi, duals) if want_duals else (lo, hi)


class WitnessPool:
    """Points that satisfy the published rows: the true atom values and the optima of
    earlier LPs (each with one component's atoms moved). Valid for every later model with
    fewer rows: suppressing a cell only removes constraints."""

    def __init__(self, truth, size=256):
        self.truth = np.asarray(truth, dtype=float)
        self.size = size
        self.points = [self.truth.copy()]
        self._matrix = None

    def add(self, atoms, solution):
        point = self.truth.copy()
        point[atoms] = solution
        self.points.append(point)
        if len(self.points) > self.size:
            self.points.pop(1)  # the truth stays
        self._matrix = None

    def values(self, cols, coefs):
        if self._matrix is None:
            self._matrix = np.vstack(self.points)
        return self._matrix[:, cols] @ coefs


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
