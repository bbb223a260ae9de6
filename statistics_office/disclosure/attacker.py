"""What an outsider can infer about atoms from published cells (pure, no Django).

Every published cell is an equality over its atoms (a perturbed cell: an interval), atoms are
non-negative or within a-priori bounds. :class:`AttackerModel` reduces this system without
changing its feasible set, splits it into independent components and answers "how far can
this sum of atoms move?" with one warm-started HiGHS model per component; a
:class:`WitnessPool` of known feasible points settles most questions without an LP.
See :mod:`.joint` for how the targets are chosen and protected.
"""

from __future__ import annotations

import highspy
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .lp_audit import run

TOL = 1e-6
# Above these sizes the joint system is refused with an explanation, never skipped.
MAX_ATOMS = 50_000
MAX_ROWS = 60_000


class JointProtectionError(ValueError):
    """The published set cannot be kept safe (``target`` says which target failed)."""

    def __init__(self, message, *, target=None):
        super().__init__(message)
        self.target = target


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
        solution = run(highs, "joint audit")
        if solution is None:
            return sense * np.inf, None
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
