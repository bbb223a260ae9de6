"""The cell key method (CKM) for count tables, as used by Destatis for the Zensus 2022 and
implemented in the R packages ``cellKey`` and ``ptable``.

1. Every record gets a fixed key in ``[0, 1)`` (:func:`record_keys`): a keyed BLAKE2b hash of its
   id, so the same record gets the same key in every import and nobody without the secret can
   reproduce the keys.  Keys are multiples of ``2**-32`` so sums of up to 2**21 keys are exact in
   floating point: a cell key does not depend on summation order.
2. A cell's key is the fractional part of the sum of its records' keys (:func:`cell_keys`), for
   margins too: a total gets its key from all its records, not from its cells' keys.
3. A perturbation table (:class:`PerturbationTable`) lists, for each original value class
   ``i`` (the last class stands for "``i`` or more"), the perturbed values ``j`` with transition
   probabilities ``p``; the cumulative probabilities split ``[0, 1)`` into intervals
   ``[p_int_lb, p_int_ub)`` in ascending ``j``.  :func:`perturb` adds the noise ``j - i`` of the
   interval containing the cell key.

The same cell (same records) always gets the same noise, so asking twice or asking overlapping
questions reveals nothing new.  Because totals are perturbed independently from their own key,
a perturbed table is *not additive*: a published total generally differs from the sum of the
published cells.  That is the nature of the method, not an error.

:func:`perturbation_table` constructs a table: ``i = 0`` stays 0; for ``i >= 1`` the noise
``d = j - i`` ranges over ``-D..D`` with ``j >= 0`` and ``j`` not in ``1..js`` (values 1..js are
never published), with mean exactly 0 (unbiased) and variance ``V`` if feasible (otherwise the
nearest feasible variance); among those, the distribution of maximum entropy
``p(d) ∝ exp(a d + b d²)``.  Offices can load their own table (``i, j, p``) with
:meth:`PerturbationTable.from_frame` / :meth:`PerturbationTable.from_csv`.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog, minimize, root

from .table import Dimension, complete_table

KEY_BITS = 32


def record_keys(ids: pd.Series, secret: bytes) -> np.ndarray:
    """Stable uniform keys in ``[0, 1)`` from a keyed hash of each record's id.

    Vectorised: pandas' ``hash_array`` is SipHash-2-4 in C, keyed with 96 bits derived from
    the secret by BLAKE2b. The keys are stored with every loaded version; a pandas release
    that changed its hashing would change the keys of *new* imports, so a test pins known
    values (test_record_keys_are_pinned) and fails before such an upgrade lands.
    """
    if not secret:
        raise ValueError("a secret key is required")
    hash_key = base64.b64encode(hashlib.blake2b(secret, digest_size=12).digest()).decode()
    values = np.asarray(pd.Series(ids).astype(str).to_numpy(), dtype=object)
    hashed = pd.util.hash_array(values, hash_key=hash_key, categorize=False)
    # The top KEY_BITS bits: multiples of 2**-KEY_BITS, so sums of keys are exact.
    return (hashed >> np.uint64(64 - KEY_BITS)).astype(np.float64) / float(2**KEY_BITS)


def cell_keys(keys_per_record, group_index) -> pd.Series:
    """Cell key per group: the fractional part of the sum of the records' keys."""
    keys = pd.Series(np.asarray(keys_per_record, dtype=float))
    if isinstance(group_index, pd.DataFrame):
        groups = [group_index[c].to_numpy() for c in group_index.columns]
    else:
        groups = np.asarray(group_index)
    return keys.groupby(groups).sum() % 1.0


def count_table(
    records: pd.DataFrame, dims: list[Dimension], keys: np.ndarray | None = None
) -> pd.DataFrame:
    """Complete count table (all margins) from records with one column per dimension.

    With ``keys`` (one per record) the table gets a ``cell_key`` column: every cell's key is
    the fractional part of the sum of the keys of all records in it (margins included).
    """
    names = [d.name for d in dims]
    frame = records[names].astype(str).copy()
    frame["n"] = 1
    if keys is not None:
        frame["key_sum"] = np.asarray(keys, dtype=float)
    bottom = frame.groupby(names, as_index=False).sum()
    bottom["value"] = bottom["n"]
    cells = complete_table(bottom, dims)
    if keys is not None:
        cells["cell_key"] = cells.pop("key_sum") % 1.0
    return cells


@dataclass
class PerturbationTable:
    D: int
    V: float
    js: int
    rows: pd.DataFrame  # i, j, p, p_int_lb, p_int_ub

    @property
    def i_max(self) -> int:
        return int(self.rows["i"].max())

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, tol: float = 1e-9) -> PerturbationTable:
        """A table from columns ``i``, ``j``, ``p`` (the last ``i`` means "``i`` or more")."""
        rows = frame[["i", "j", "p"]].copy()
        rows["i"] = rows["i"].astype(int)
        rows["j"] = rows["j"].astype(int)
        rows["p"] = rows["p"].astype(float)
        if (rows["p"] < 0).any() or (rows["j"] < 0).any():
            raise ValueError("probabilities and perturbed values must be non-negative")
        rows = rows[rows["p"] > 0].sort_values(["i", "j"]).reset_index(drop=True)
        sums = rows.groupby("i")["p"].sum()
        if not np.allclose(sums.to_numpy(), 1.0, atol=1e-6):
            raise ValueError("the probabilities of each class i must sum to 1")
        if list(sums.index) != list(range(len(sums))):
            raise ValueError("classes i must be 0, 1, ..., i_max")
        rows["p"] = rows["p"] / rows.groupby("i")["p"].transform("sum")
        cum = rows.groupby("i")["p"].cumsum()
        rows["p_int_ub"] = cum
        rows.loc[rows["i"].ne(rows["i"].shift(-1)), "p_int_ub"] = 1.0
        rows["p_int_lb"] = rows["p_int_ub"] - rows["p"]
        rows.loc[rows["i"].ne(rows["i"].shift(1)), "p_int_lb"] = 0.0
        noise = rows["j"] - rows["i"]
        last = rows[rows["i"] == rows["i"].max()]
        d_last = (last["j"] - last["i"]).to_numpy()
        published = set(rows.loc[rows["i"] > 0, "j"])
        js = 0
        while (js + 1) not in published and js + 1 < rows["i"].max():
            js += 1
        return cls(
            D=int(noise.abs().max()),
            V=float((last["p"].to_numpy() * d_last**2).sum()),
            js=js,
            rows=rows[["i", "j", "p", "p_int_lb", "p_int_ub"]],
        )

    @classmethod
    def from_csv(cls, path, **read_csv_kwargs) -> PerturbationTable:
        return cls.from_frame(pd.read_csv(path, **read_csv_kwargs))


def _noise_distribution(support: np.ndarray, variance: float) -> np.ndarray:
    """Max-entropy distribution on ``support`` with mean 0 and variance ``V`` (clipped)."""
    d = support.astype(float)
    if len(d) == 1:
        return np.ones(1)
    a_eq = np.vstack([np.ones_like(d), d])
    b_eq = np.array([1.0, 0.0])
    lo = linprog(d**2, A_eq=a_eq, b_eq=b_eq, bounds=(0, 1), method="highs")
    hi = linprog(-(d**2), A_eq=a_eq, b_eq=b_eq, bounds=(0, 1), method="highs")
    if lo.status != 0:
        raise ValueError(f"no unbiased noise on support {support.tolist()}")
    vmin, vmax = float(lo.fun), float(-hi.fun)
    if variance <= vmin + 1e-9:
        return lo.x
    if variance >= vmax - 1e-9:
        return hi.x

    def dist(ab):
        z = ab[0] * d + ab[1] * d**2
        w = np.exp(z - z.max())
        return w / w.sum()

    def equations(ab):
        p = dist(ab)
        return [p @ d, p @ d**2 - variance]

    sol = root(equations, x0=[0.0, -1.0 / (2 * variance)], method="hybr")
    if sol.success and np.allclose(equations(sol.x), 0, atol=1e-10):
        return dist(sol.x)
    res = minimize(  # fallback: maximise the entropy directly
        lambda p: float(np.sum(p * np.log(np.maximum(p, 1e-300)))),
        x0=np.full(len(d), 1 / len(d)),
        constraints=[{"type": "eq", "fun": lambda p: [p.sum() - 1, p @ d, p @ d**2 - variance]}],
        bounds=[(0, 1)] * len(d),
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 500},
    )
    if not res.success:
        raise ValueError(f"could not construct a perturbation distribution: {res.message}")
    return np.maximum(res.x, 0)


def perturbation_table(D: int = 2, V: float = 1.05, js: int = 0) -> PerturbationTable:
    """Construct an unbiased perturbation table (see the module docstring)."""
    if D < 1 or js < 0 or V <= 0:
        raise ValueError("need D >= 1, js >= 0, V > 0")
    records = [(0, 0, 1.0)]
    for i in range(1, D + js + 2):
        support = np.array([d for d in range(-D, D + 1) if i + d >= 0 and not (1 <= i + d <= js)])
        p = _noise_distribution(support, V)
        p = np.where(p < 1e-12, 0.0, p)
        records.extend((i, i + int(d), float(pr)) for d, pr in zip(support, p, strict=True))
    table = PerturbationTable.from_frame(pd.DataFrame(records, columns=["i", "j", "p"]))
    return PerturbationTable(D=D, V=V, js=js, rows=table.rows)


def perturb(values, cell_keys, ptable: PerturbationTable) -> np.ndarray:
    """Perturbed counts: ``value + (j - i)`` for the row of class ``min(value, i_max)`` whose
    interval ``[p_int_lb, p_int_ub)`` contains the cell key."""
    values = np.asarray(values)
    keys = np.asarray(cell_keys, dtype=float)
    if values.shape != keys.shape:
        raise ValueError("values and cell keys must have the same shape")
    if (values < 0).any() or not np.array_equal(values, np.round(values)):
        raise ValueError("CKM perturbs non-negative integer counts")
    if ((keys < 0) | (keys >= 1)).any():
        raise ValueError("cell keys must lie in [0, 1)")
    rows = ptable.rows
    cls = np.minimum(values.astype(np.int64), ptable.i_max)
    # one sorted axis for all classes: class i occupies [i, i + 1)
    flat_ub = rows["i"].to_numpy() + rows["p_int_ub"].to_numpy()
    pos = np.searchsorted(flat_ub, cls + keys, side="right")
    noise = rows["j"].to_numpy()[pos] - rows["i"].to_numpy()[pos]
    return values.astype(np.int64) + noise


def perturb_table(cells: pd.DataFrame, ptable: PerturbationTable) -> pd.Series:
    """Perturbed ``value`` of a count table with a ``cell_key`` column (see :func:`count_table`)."""
    out = perturb(cells["value"].to_numpy(), cells["cell_key"].to_numpy(), ptable)
    return pd.Series(out, index=cells.index, name="perturbed")
