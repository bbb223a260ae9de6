"""Protect a complete table before anything leaves the sealed office (pure, no Django).

Suppression: primary rules, secondary suppression and the LP audit; a table whose audit fails
is never publishable. Cell key method: counts perturbed with the configured perturbation
table. Either way the result holds only what may be shown: secret cells lose their value.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from statistics_office.disclosure import (
    AuditResult,
    PerturbationTable,
    PrimaryRules,
    audit,
    group_disclosure,
    perturb,
    perturbation_table,
    primary_levels,
    protection_requirements,
    secondary_suppression,
    singletons,
)
from statistics_office.disclosure.table import margin_depth

SUPPRESSION = "suppression"
CELLKEY = "cellkey"
FLAG_SECRET = "secret"  # noqa: S105 - a cell flag, not a password
FLAG_ZERO = "zero"

DEFAULTS = {
    "min_frequency": 3,
    "dominance_n": 1,
    "dominance_k": 85.0,
    "p_percent": None,
    "protection_pct": 10.0,
    # The generated perturbation table: these reach the variance in every class (cellkey.py).
    "ptable_D": 3,
    "ptable_V": 2.0,
    "ptable_js": 2,
    "ptable_p_stay": None,
    "coalition": 1,
    # Magnitude tables: flag margins whose contributors all sit in one inner cell.
    "group_disclosure": True,
    # Magnitude tables that may be negative (a balance): no lower bound unless given.
    "allow_negative": False,
    "apriori_lower": None,
    "apriori_upper": None,
    # Cell key method: refuse a table whose small non-zero inner cells exceed this share.
    "max_sparse_share": 0.5,
}


def parameters(raw):
    """The effective parameters: defaults overlaid with the definition's own."""
    merged = {**DEFAULTS, **{k: v for k, v in (raw or {}).items() if v is not None}}
    return merged


@dataclass
class Protected:
    cells: pd.DataFrame  # dims…, value (published, NaN if secret), flag, reason
    stats: dict
    audit_passed: bool | None  # None: not applicable (cell key method)
    timings: dict
    # Lower and upper protection levels per cell (suppression): what joint protection keeps.
    levels: tuple | None = None


def protect(
    cells, dims, *, method, measure="count", params=None, clock=None, audit_alone=True
) -> Protected:
    """``audit_alone=False``: skip the table's own LP audit because a joint audit over it
    and the published tables follows (count tables: that audit is strictly stronger)."""
    params = parameters(params)
    if method == SUPPRESSION:
        return _suppress(cells, dims, measure, params, clock, audit_alone)
    if method == CELLKEY:
        if measure != "count":
            raise ValueError(
                "Das Cell-Key-Verfahren ist in BIF nur für Fallzahlen umgesetzt; "
                "für Summen und Mittelwerte bitte die Zellsperrung wählen."
            )
        return _cellkey(cells, dims, params, clock)
    raise ValueError(f"Unbekanntes Geheimhaltungsverfahren „{method}“.")


def _now(clock):
    import time

    return (clock or time.perf_counter)()


def _suppress(cells, dims, measure, params, clock, audit_alone=True):
    magnitude = measure != "count"
    rules = PrimaryRules(
        min_frequency=int(params["min_frequency"]),
        dominance_n=params["dominance_n"] if magnitude else None,
        dominance_k=params["dominance_k"] if magnitude else None,
        p_percent=params["p_percent"] if magnitude else None,
        magnitude=magnitude,
        coalition=int(params.get("coalition") or 1),
        frequency_pct=float(params["protection_pct"]),
    )
    started = _now(clock)
    primary, level = primary_levels(cells, rules)
    is_primary = primary.notna().to_numpy()
    if magnitude:
        # τ-Argus' levels: the rules' own (dominance, p%), symmetric around the value
        def protection_level(_cells, level=level):
            return level, level

        single = singletons(cells) & is_primary
    else:
        protection_level, single = None, None
    bounds = apriori_bounds(cells, params, magnitude)
    secondary = secondary_suppression(
        cells,
        dims,
        primary,
        cost="value",
        min_frequency=rules.min_frequency,
        protection_level=protection_level,
        lower_bounds=bounds[0],
        upper_bounds=bounds[1],
        singletons=single,
    )
    protect_s = _now(clock) - started
    suppressed = is_primary | secondary.to_numpy()
    started = _now(clock)
    if audit_alone or magnitude:
        result = audit(
            cells,
            dims,
            pd.Series(suppressed, index=cells.index),
            primary,
            min_frequency=rules.min_frequency,
            protection_level=protection_level,
            lower_bounds=bounds[0],
            upper_bounds=bounds[1],
            singletons=single,
        )
    else:
        result = AuditResult(passed=True, intervals=cells.iloc[0:0].assign(ok=True))
    audit_s = _now(clock) - started
    groups = group_disclosure(cells, dims) if magnitude and params.get("group_disclosure") else None

    reason = np.where(is_primary, primary.to_numpy(dtype=object), None)
    reason = np.where(secondary.to_numpy(), "secondary", reason)
    out = publish_pattern(cells, dims, measure, suppressed, reason)
    stats = {
        "method": SUPPRESSION,
        "cells": len(cells),
        "primary": int(is_primary.sum()),
        "secondary": int(secondary.sum()),
        **pattern_stats(cells, dims, suppressed),
        "audit_passed": bool(result.passed),
        "audit_failures": int((~result.intervals["ok"]).sum()) if len(result.intervals) else 0,
        "singletons": int(single.sum()) if single is not None else 0,
        "group_disclosure": int(groups.sum()) if groups is not None else 0,
    }
    levels = protection_requirements(
        cells,
        primary,
        min_frequency=rules.min_frequency,
        protection_level=protection_level,
    )
    timings = {"protect_s": protect_s, "audit_s": audit_s}
    return Protected(out, stats, bool(result.passed), timings, levels)


def apriori_bounds(cells, params, magnitude):
    """What everyone knows about a cell before the table: non-negative, unless a magnitude
    table allows negative values (then the configured bounds, or none)."""
    n = len(cells)
    if not magnitude or not params.get("allow_negative"):
        return np.zeros(n), np.full(n, np.inf)
    lower, upper = params.get("apriori_lower"), params.get("apriori_upper")
    return (
        np.full(n, -np.inf if lower is None else float(lower)),
        np.full(n, np.inf if upper is None else float(upper)),
    )


def publish_pattern(cells, dims, measure, suppressed, reason):
    """The publishable frame of a suppression pattern: secret cells lose their value."""
    value = cells["value"].to_numpy(dtype=float)
    n = cells["n"].to_numpy(dtype=float)
    if measure == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(n > 0, value / np.maximum(n, 1), 0.0)
    return _published(cells, dims, value, np.asarray(suppressed), empty=n == 0, reason=reason)


def pattern_stats(cells, dims, suppressed):
    suppressed = np.asarray(suppressed, dtype=bool)
    bottom = margin_depth(cells, dims) == 0
    values = cells["value"].to_numpy(dtype=float)
    total_value = float(values[bottom].sum())
    lost_value = float(values[bottom & suppressed].sum())
    return {
        "suppressed": int(suppressed.sum()),
        "suppressed_share": round(float(suppressed.mean()) if len(cells) else 0.0, 4),
        "bottom_value_share_lost": round(lost_value / total_value, 4) if total_value else 0.0,
    }


@functools.lru_cache(maxsize=16)
def _ptable_of_rows(rows):
    """One table object per set of rows (checking a table's rows took a small query's
    time twice over); tables are not changed once built."""
    return PerturbationTable.from_frame(pd.DataFrame([dict(row) for row in rows]))


def office_ptable(params) -> PerturbationTable:
    """The office's own table (rows in ``params["ptable_rows"]``) or one built from
    D, V, js and p_stay."""
    if params.get("ptable_rows"):
        rows = params["ptable_rows"]
        return _ptable_of_rows(tuple(tuple(row.items()) for row in rows))
    return perturbation_table(
        D=int(params["ptable_D"]),
        V=float(params["ptable_V"]),
        js=int(params["ptable_js"]),
        p_stay=params.get("ptable_p_stay"),
    )


def _refuse_sparse(cells, dims, params, ptable):
    """ONS' rule for custom tables: too many small non-zero cells make a table disclosive
    whatever the noise; refuse it and suggest a coarser classification."""
    bottom = margin_depth(cells, dims) == 0
    n = cells["n"].to_numpy(dtype=float)[bottom]
    occupied = n > 0
    if not occupied.any():
        return
    threshold = max(int(params["min_frequency"]), ptable.js + 1)
    share = float(((n > 0) & (n < threshold)).sum() / occupied.sum())
    limit = float(params["max_sparse_share"])
    if share > limit:
        shown, allowed = f"{share:.0%}", f"{limit:.0%}"
        raise ValueError(
            f"Die Tabelle ist zu dünn besetzt: {shown} der besetzten Felder haben weniger als "
            f"{threshold} Fälle (erlaubt sind {allowed}). Bitte eine gröbere Gliederung wählen, "
            "z. B. Stadtteil statt statistischer Bezirk oder breitere Altersgruppen."
        )


def _cellkey(cells, dims, params, clock):
    started = _now(clock)
    ptable = office_ptable(params)
    _refuse_sparse(cells, dims, params, ptable)
    original = cells["value"].to_numpy().astype(np.int64)
    perturbed = perturb(original, cells["cell_key"].to_numpy(), ptable)
    protect_s = _now(clock) - started
    out = _published(
        cells,
        dims,
        perturbed.astype(float),
        np.zeros(len(cells), dtype=bool),
        empty=perturbed == 0,
        reason=np.full(len(cells), None, dtype=object),
    )
    deviation = np.abs(perturbed - original)
    stats = {
        "method": CELLKEY,
        "cells": len(cells),
        "suppressed": 0,
        "changed": int((deviation > 0).sum()),
        "changed_share": round(float((deviation > 0).mean()) if len(cells) else 0.0, 4),
        "mean_abs_deviation": round(float(deviation.mean()) if len(cells) else 0.0, 4),
        "ptable": {
            "D": ptable.D,
            "V": ptable.V,
            "js": ptable.js,
            "own": bool(params.get("ptable_rows")),
            **_ptable_statistics(ptable),
        },
    }
    return Protected(out, stats, None, {"protect_s": protect_s, "audit_s": 0.0})


_statistics_of = {}  # id -> (table, statistics): a table's rows do not change


def _ptable_statistics(ptable):
    """Whether the table meets its variance and each row's mean and variance (once per
    table object: the same office table serves every builder query)."""
    entry = _statistics_of.get(id(ptable))
    if entry is None or entry[0] is not ptable:
        if len(_statistics_of) > 32:
            _statistics_of.clear()
        statistics = {
            "meets_variance": ptable.meets_variance(),
            "rows": [
                {
                    "i": int(r.i),
                    "mean": round(float(r.mean), 4),
                    "variance": round(float(r.variance), 4),
                }
                for r in ptable.row_statistics().itertuples()
            ],
        }
        entry = _statistics_of[id(ptable)] = (ptable, statistics)
    return {key: value if key != "rows" else list(value) for key, value in entry[1].items()}


def _published(cells, dims, value, suppressed, *, empty, reason):
    names = [d.name for d in dims]
    out = cells[names].copy()
    flag = np.where(suppressed, FLAG_SECRET, np.where(empty, FLAG_ZERO, ""))
    out["value"] = np.where(suppressed | empty, np.nan, value)
    out["flag"] = flag
    out["reason"] = reason
    return out


def to_records(protected_cells, *, decimals=None):
    """JSON-ready cells: ``value`` is ``None`` for secret and empty cells."""
    records = []
    names = [c for c in protected_cells.columns if c not in ("value", "flag", "reason")]
    values = protected_cells["value"].to_numpy(dtype=float)
    for i, row in enumerate(protected_cells[names].itertuples(index=False, name=None)):
        v = values[i]
        if np.isnan(v):
            v = None
        elif decimals is None or decimals == 0:
            v = int(round(v)) if decimals == 0 else float(v)
        else:
            v = round(float(v), decimals)
        record = dict(zip(names, row, strict=True))
        record["value"] = v
        record["flag"] = protected_cells["flag"].iat[i]
        reason = protected_cells["reason"].iat[i]
        record["reason"] = reason if reason else ""
        records.append(record)
    return records
