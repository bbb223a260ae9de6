"""The cell key method (CKM) for count tables, as used by Destatis for the Zensus 2022 and
implemented in the R packages ``cellKey`` and ``ptable``.

1. Every record gets a fixed key in ``[0, 1)`` (:func:`record_keys`): a keyed BLAKE2b hash of its
   id, so the same record gets the same key in every import and nobody without the secret can
   reproduce the keys.  Keys are multiples of ``2**-32`` so sums of up to 2**21 keys are exact in
   floating point: a cell key does not depend on summation order.
2. A cell's key is the sum of its records' keys modulo 1 (:func:`cell_keys`), for margins too:
   a total gets its key from all its records, not from its cells' keys. Keys are handled as
   integers modulo ``2**32`` (:data:`KEY_MODULUS`) wherever they are summed or looked up, so
   no floating-point rounding can put a cell on the wrong side of an interval bound.
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
``p(d) ∝ exp(a d + b d²)``; ``p_stay`` fixes the probability of no noise, as the R package
``ptable`` does. Small classes can rule out the requested variance (with ``js = 2`` a count of 1
can only move to 0 or to 3 and up); :meth:`PerturbationTable.row_statistics` reports each
class's actual mean and variance. Offices load their own table in the format ``ptable``
writes (``i, j, p, v, p_int_lb, p_int_ub``) with :meth:`PerturbationTable.from_frame` /
:meth:`PerturbationTable.from_csv`.
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
KEY_MODULUS = 2**KEY_BITS


def integer_keys(keys) -> np.ndarray:
    """Keys as integers in ``[0, 2**32)``: from integers (taken modulo) or from floats in
    ``[0, 1)`` that are multiples of ``2**-32`` (as :func:`record_keys` makes them)."""
    arr = np.asarray(keys)
    if np.issubdtype(arr.dtype, np.integer):
        return np.mod(arr.astype(np.int64), KEY_MODULUS)
    arr = arr.astype(float)
    if ((arr < 0) | (arr >= 1)).any():
        raise ValueError("cell keys must lie in [0, 1)")
    return np.mod(np.floor(arr * KEY_MODULUS).astype(np.int64), KEY_MODULUS)


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
    series = pd.Series(ids)
    if isinstance(series.dtype, pd.StringDtype) and not series.isna().any():
        values = series.to_numpy(dtype=object)  # the same texts, five times faster than astype
    else:
        values = np.asarray(series.astype(str).to_numpy(), dtype=object)
    hashed = pd.util.hash_array(values, hash_key=hash_key, categorize=False)
    # The top KEY_BITS bits: multiples of 2**-KEY_BITS, so sums of keys are exact.
    return (hashed >> np.uint64(64 - KEY_BITS)).astype(np.float64) / float(2**KEY_BITS)


def cell_keys(keys_per_record, group_index) -> pd.Series:
    """Cell key per group: the sum of the records' keys modulo 1 (summed as integers)."""
    keys = pd.Series(integer_keys(keys_per_record))
    if isinstance(group_index, pd.DataFrame):
        groups = [group_index[c].to_numpy() for c in group_index.columns]
    else:
        groups = np.asarray(group_index)
    return (keys.groupby(groups).sum() % KEY_MODULUS) / float(KEY_MODULUS)


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
        frame["key_sum"] = integer_keys(keys)
    bottom = frame.groupby(names, as_index=False).sum()
    bottom["value"] = bottom["n"]
    cells = complete_table(bottom, dims)
    if keys is not None:
        key_sum = cells.pop("key_sum").to_numpy().astype(np.int64)
        cells["cell_key"] = (key_sum % KEY_MODULUS) / float(KEY_MODULUS)
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
        """A table from columns ``i``, ``j``, ``p`` (the last ``i`` means "``i`` or more"), as
        the R package ``ptable`` writes it; its ``v``, ``p_int_lb`` and ``p_int_ub`` columns,
        where present, must agree with ``i``, ``j`` and ``p``."""
        missing = [c for c in ("i", "j", "p") if c not in frame.columns]
        if missing:
            raise ValueError(f"the perturbation table lacks the columns {missing}")
        given = frame.copy()
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
        _check_given(given, rows, tol=1e-6)
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
        """A table from a CSV file (comma or semicolon separated, as ``pt_export`` writes)."""
        read_csv_kwargs.setdefault("sep", None)
        read_csv_kwargs.setdefault("engine", "python")
        frame = pd.read_csv(path, **read_csv_kwargs)
        frame.columns = [str(c).strip().strip('"') for c in frame.columns]
        return cls.from_frame(frame)

    def row_statistics(self) -> pd.DataFrame:
        """Per class ``i``: the noise's mean and variance, and the variance asked for."""
        rows = self.rows.assign(d=self.rows["j"] - self.rows["i"])
        rows["pd"] = rows["p"] * rows["d"]
        rows["pd2"] = rows["p"] * rows["d"] ** 2
        out = rows.groupby("i").agg(mean=("pd", "sum"), second=("pd2", "sum")).reset_index()
        out["variance"] = out["second"] - out["mean"] ** 2
        out["target_variance"] = np.where(out["i"] == 0, 0.0, self.V)
        return out[["i", "mean", "variance", "target_variance"]]

    def meets_variance(self, tol=1e-6) -> bool:
        stats = self.row_statistics()
        positive = stats[stats["i"] > 0]
        return bool(
            (np.abs(positive["variance"] - self.V) <= tol).all()
            and (np.abs(positive["mean"]) <= tol).all()
        )


def _check_given(given: pd.DataFrame, rows: pd.DataFrame, *, tol: float) -> None:
    """The optional columns of a ``ptable`` file must say what ``i, j, p`` say."""
    if not {"p_int_lb", "p_int_ub", "v"} & set(given.columns):
        return
    given = given[given["p"].astype(float) > 0].copy()
    given["i"], given["j"] = given["i"].astype(int), given["j"].astype(int)
    merged = rows.merge(given, on=["i", "j"], suffixes=("", "_given"))
    if len(merged) != len(rows):
        raise ValueError("the perturbation table's rows do not match its i and j")
    if "v" in given.columns and not np.allclose(
        merged["v"].astype(float), merged["j"] - merged["i"], atol=tol
    ):
        raise ValueError("column v must be j - i")
    for col in ("p_int_lb", "p_int_ub"):
        if col in given.columns and not np.allclose(
            merged[f"{col}_given"].astype(float), merged[col], atol=tol
        ):
            raise ValueError(f"column {col} does not match the cumulated probabilities")


def _noise_distribution(
    support: np.ndarray, variance: float, p_stay: float | None = None
) -> np.ndarray:
    """Max-entropy distribution on ``support`` with mean 0 and variance ``V`` (clipped to
    the feasible range); ``p_stay`` fixes the probability of ``d = 0``."""
    d = support.astype(float)
    if len(d) == 1:
        return np.ones(1)
    if p_stay is not None and 0 in support:
        return _with_fixed_stay(d, variance, float(p_stay))
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


def _with_fixed_stay(d: np.ndarray, variance: float, p_stay: float) -> np.ndarray:
    """Max entropy with p(0) = p_stay, mean 0 and variance V (nearest feasible variance)."""
    zero = np.flatnonzero(d == 0)[0]
    others = np.flatnonzero(d != 0)
    rest = _noise_distribution(d[others], variance / max(1.0 - p_stay, 1e-12))
    out = np.zeros(len(d))
    out[zero] = p_stay
    out[others] = (1.0 - p_stay) * rest
    return out


def perturbation_table(
    D: int = 3, V: float = 2.0, js: int = 2, p_stay: float | None = None
) -> PerturbationTable:
    """Construct an unbiased perturbation table (see the module docstring).

    The defaults (D = 3, V = 2, js = 2) reach the stated variance in every class: with
    ``js = 2`` no unbiased noise of a count of 1 or 2 has a variance below 2.
    """
    if D < 1 or js < 0 or V <= 0:
        raise ValueError("need D >= 1, js >= 0, V > 0")
    if p_stay is not None and not 0 < p_stay < 1:
        raise ValueError("p_stay must lie strictly between 0 and 1")
    records = [(0, 0, 1.0)]
    for i in range(1, D + js + 2):
        support = np.array([d for d in range(-D, D + 1) if i + d >= 0 and not (1 <= i + d <= js)])
        p = _noise_distribution(support, V, p_stay)
        p = np.where(p < 1e-12, 0.0, p)
        records.extend((i, i + int(d), float(pr)) for d, pr in zip(support, p, strict=True))
    table = PerturbationTable.from_frame(pd.DataFrame(records, columns=["i", "j", "p"]))
    return PerturbationTable(D=D, V=V, js=js, rows=table.rows)


def as_ptable_frame(ptable: PerturbationTable) -> pd.DataFrame:
    """The table in the R package ``ptable``'s layout: i, j, p, v, p_int_lb, p_int_ub."""
    rows = ptable.rows.copy()
    rows["v"] = rows["j"] - rows["i"]
    return rows[["i", "j", "p", "v", "p_int_lb", "p_int_ub"]]


def perturb(values, cell_keys, ptable: PerturbationTable) -> np.ndarray:
    """Perturbed counts: ``value + (j - i)`` for the row of class ``min(value, i_max)`` whose
    interval ``[p_int_lb, p_int_ub)`` contains the cell key.

    The lookup runs on integers: the key as ``0 … 2**32 - 1`` and each interval bound as
    ``round(p_int_ub * 2**32)``, both offset by the class times ``2**32``, so it is exact.
    """
    values = np.asarray(values)
    keys = integer_keys(cell_keys)
    if values.shape != keys.shape:
        raise ValueError("values and cell keys must have the same shape")
    if (values < 0).any() or not np.array_equal(values, np.round(values)):
        raise ValueError("CKM perturbs non-negative integer counts")
    rows = ptable.rows
    cls = np.minimum(values.astype(np.int64), ptable.i_max)
    ub = np.round(rows["p_int_ub"].to_numpy() * KEY_MODULUS).astype(np.int64)
    flat_ub = rows["i"].to_numpy().astype(np.int64) * KEY_MODULUS + ub
    pos = np.searchsorted(flat_ub, cls * KEY_MODULUS + keys, side="right")
    noise = rows["j"].to_numpy()[pos] - rows["i"].to_numpy()[pos]
    return values.astype(np.int64) + noise


def perturb_table(cells: pd.DataFrame, ptable: PerturbationTable) -> pd.Series:
    """Perturbed ``value`` of a count table with a ``cell_key`` column (see :func:`count_table`)."""
    out = perturb(cells["value"].to_numpy(), cells["cell_key"].to_numpy(), ptable)
    return pd.Series(out, index=cells.index, name="perturbed")
