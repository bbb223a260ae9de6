"""An attacker's view of everything published, written apart from the product.

From the microdata (a pandas frame the test made) and the published tables (their stored
definition and cells), this module rebuilds every published cell as a set of records, groups
records into atoms by which cells they fall in, and asks scipy's ``linprog`` how far each
small count can be pinned down: published cells are equalities (perturbed cells: the interval
of the perturbation), atoms are non-negative. Nothing here imports the product's disclosure
or table code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linprog

TOTAL = "_T"
NAMED_BANDS = {
    "5y": [(lo, lo + 4) for lo in range(0, 85, 5)] + [(85, None)],
    "5y95": [(lo, lo + 4) for lo in range(0, 95, 5)] + [(95, None)],
    "planning": [
        (0, 2),
        (3, 5),
        (6, 9),
        (10, 17),
        (18, 24),
        (25, 44),
        (45, 64),
        (65, 79),
        (80, None),
    ],
}


def _band_code(lo, hi):
    return f"{lo:02d}-{hi:02d}" if hi is not None else f"{lo:02d}+"


def _ages(births: pd.Series, reference) -> np.ndarray:
    ref = pd.Timestamp(reference)
    b = pd.to_datetime(births)
    before_birthday = (b.dt.month > ref.month) | ((b.dt.month == ref.month) & (b.dt.day > ref.day))
    return (ref.year - b.dt.year - before_birthday.astype(int)).to_numpy()


def _name(dim):
    if dim.get("label"):
        return dim["label"]
    return "Altersgruppe" if dim.get("kind") == "age_band" else dim["field"]


def record_codes(frame, spec, reference):
    """Per record: the bottom code per dimension (a DataFrame) and whether it is counted."""
    keep = np.ones(len(frame), dtype=bool)
    codes = {}
    for dim in spec["dimensions"]:
        column = frame[dim["field"]]
        if dim.get("kind") == "age_band":
            bands = dim.get("bands", "5y")
            bands = NAMED_BANDS[bands] if isinstance(bands, str) else [tuple(b) for b in bands]
            born = pd.to_datetime(column)
            keep &= born.notna().to_numpy() & (born <= pd.Timestamp(reference)).to_numpy()
            age = _ages(born, reference)
            out = np.empty(len(frame), dtype=object)
            for lo, hi in bands:
                inside = (age >= lo) & ((age <= hi) if hi is not None else True)
                out[inside] = _band_code(lo, hi)
            codes[_name(dim)] = out
        else:
            codes[_name(dim)] = column.fillna("_U").astype(str).to_numpy()
    for flt in spec.get("filters") or []:
        column = frame[flt["field"]]
        op = flt["op"]
        value = flt.get("value", (flt.get("values") or [None])[0])
        if np.issubdtype(column.dtype, np.datetime64) and op not in ("in", "not_in"):
            value = pd.Timestamp(value)
        if op == "in":
            keep &= column.isin(flt["values"]).to_numpy()
        elif op == "not_in":
            keep &= ~column.isin(flt["values"]).to_numpy()
        else:
            compare = {
                "eq": column.eq,
                "ne": column.ne,
                "lt": column.lt,
                "le": column.le,
                "gt": column.gt,
                "ge": column.ge,
            }[op]
            keep &= compare(value).fillna(False).to_numpy()
    return pd.DataFrame(codes), keep


class Published:
    """Every published cell over atoms of records."""

    def __init__(self, frame, tables, reference):
        """``tables``: [(spec, cells, method, ptable_D)] with the cells as published."""
        signature = []
        self.tables = []
        for t, (spec, cells, method, spread) in enumerate(tables):
            codes, keep = record_codes(frame, spec, reference)
            self.tables.append((spec, cells, method, spread, codes, keep))
            part = codes.where(pd.DataFrame(dict.fromkeys(codes.columns, keep)), None)
            part.columns = [f"{t}:{c}" for c in codes.columns]
            signature.append(part)
        sig = pd.concat(signature, axis=1).astype(str)
        self.atom_of_record = sig.groupby(list(sig.columns), sort=False).ngroup().to_numpy()
        self.n_atoms = int(self.atom_of_record.max()) + 1 if len(sig) else 0
        self.atom_n = np.bincount(self.atom_of_record, minlength=self.n_atoms).astype(float)
        self.cells = []  # (table, record dict, atom vector, true count)
        for t, (_spec, cells, _method, _spread, codes, keep) in enumerate(self.tables):
            names = list(codes.columns)
            for record in cells:
                inside = keep.copy()
                for name in names:
                    if record[name] != TOTAL:
                        inside &= codes[name].to_numpy() == str(record[name])
                vec = np.bincount(self.atom_of_record[inside], minlength=self.n_atoms)
                self.cells.append((t, record, (vec > 0).astype(float), float(inside.sum())))

    def constraints(self):
        """A_eq, b_eq and interval rows (A_ub, b_ub) of everything published."""
        eq_rows, eq_rhs, ub_rows, ub_rhs = [], [], [], []
        for t, record, vec, true in self.cells:
            _spec, _cells, method, spread, _c, _k = self.tables[t]
            if record["flag"] == "secret":
                continue
            shown = 0.0 if record["value"] is None else float(record["value"])
            if method == "cellkey" or shown != true:
                # perturbed, or the perturbed figure of a cell with the same records
                assert method == "cellkey" or self.perturbed_twin(vec, shown), (record, true)
                ub_rows += [vec, -vec]
                ub_rhs += [shown + spread, -max(0.0, shown - spread)]
            else:
                eq_rows.append(vec)
                eq_rhs.append(shown)
        return eq_rows, eq_rhs, ub_rows, ub_rhs

    def perturbed_twin(self, vec, shown):
        return any(
            self.tables[t][2] == "cellkey" and np.array_equal(v, vec) and r["value"] == shown
            for t, r, v, _true in self.cells
        )

    def interval(self, vec, *, only_intervals=False):
        eq_rows, eq_rhs, ub_rows, ub_rhs = self.constraints()
        if only_intervals:
            eq_rows, eq_rhs = [], []
        kwargs = {"bounds": (0, None), "method": "highs"}
        if eq_rows:
            kwargs.update(A_eq=np.array(eq_rows), b_eq=np.array(eq_rhs))
        if ub_rows:
            kwargs.update(A_ub=np.array(ub_rows), b_ub=np.array(ub_rhs))
        lo = linprog(vec, **kwargs)
        hi = linprog(-vec, **kwargs)
        assert lo.status in (0, 3) and hi.status in (0, 3), (lo.message, hi.message)
        upper = np.inf if hi.status == 3 else -hi.fun
        return lo.fun, upper

    def small_groups(self, min_frequency=3):
        """Vectors of every small group to check: small cells of suppression tables, atoms."""
        groups = []
        for t, record, vec, true in self.cells:
            method = self.tables[t][2]
            if 0 < true < min_frequency and method != "cellkey":
                groups.append((f"table {t} cell {record}", vec, true))
        for a in np.flatnonzero((self.atom_n > 0) & (self.atom_n < min_frequency)):
            vec = np.zeros(self.n_atoms)
            vec[a] = 1.0
            groups.append((f"atom {a}", vec, self.atom_n[a]))
        return groups

    def disclosed(self, min_frequency=3):
        """Small groups an attacker can bound tighter than the frequency rule allows (and
        tighter than the perturbed cells alone bound them)."""
        out = []
        for label, vec, true in self.small_groups(min_frequency):
            lo, hi = self.interval(vec)
            need_hi = true + max(min_frequency - true, 1)
            need_lo = true - min(true, 1)
            if hi >= need_hi - 1e-6 and lo <= need_lo + 1e-6:
                continue
            noise_lo, noise_hi = self.interval(vec, only_intervals=True)
            if hi >= min(need_hi, noise_hi) - 1e-6 and lo <= max(need_lo, noise_lo) + 1e-6:
                continue  # no narrower than the perturbation alone makes it
            out.append((label, true, lo, hi))
        return out

    def inconsistent_record_sets(self):
        """Cells of different tables with the same records but another value or status."""
        seen = {}
        out = []
        for t, record, vec, true in self.cells:
            if true == 0:
                continue
            key = vec.tobytes()
            shown = (record["flag"] == "secret", record["value"])
            if key in seen and seen[key][1] != shown:
                out.append((seen[key], (t, shown, record)))
            seen.setdefault(key, (t, shown))
        return out
