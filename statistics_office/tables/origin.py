"""Tables on an aggregate source: the origin's cells summed up, its signs carried along.

An aggregate source holds an office's published table (a GENESIS download, a Sozialatlas
table): each row is a cell with a value and, per measure, the origin's sign in
``<measure>__status``. A table definition on it groups those cells by its dimensions and sums
one measure. A cell the origin marked secret (``.``), blocked (``x``), unreliable (``/``) or
not yet available (``…``) has no number, and so has every sum it is part of: such a cell is
published with the origin's sign, never as a number or as 0. ``-`` (nothing, a true zero)
counts as 0; a sum of ``-`` only is itself ``-`` (shown as an empty cell, "–").
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from statistics_office.disclosure import complete_table

from . import aggregation, protection, sqlparts
from .checks import TableError
from .signs import LEGEND, NOT_COMPUTABLE, SIGN_ALIASES, STATUS_SUFFIX, ZERO  # noqa: F401


def aggregate(version, definition, reference_date=None):
    """``(cells, dims)`` of a definition on an aggregate source's version; the cells carry
    ``origin_status`` (the sign, or "") beside ``value`` and ``n``."""
    if not definition.measure_field:
        raise aggregation.DefinitionError(
            _("Bei einer aggregierten Quelle bitte die Messgröße (Feld der Kennzahl) angeben.")
        )
    if any(spec.get("kind", "code") != "code" for spec in definition.dimensions):
        raise aggregation.DefinitionError(
            _("Eine aggregierte Quelle wird nur nach ihren eigenen Merkmalen gegliedert.")
        )
    if not definition.dimensions:
        raise aggregation.DefinitionError(_("Eine Tabelle braucht mindestens ein Merkmal."))
    reference_date = reference_date or version.reference_date or dt.date.today()
    plan = aggregation.plan(
        version,
        definition.dimensions,
        definition.filters or [],
        reference_date.isoformat(),
        measure_field=definition.measure_field,
    )
    frame = _cells(version, plan, definition)
    if frame.empty:
        raise aggregation.DefinitionError(
            _("Die Filter der Tabelle treffen auf keine Zeile der aggregierten Quelle zu.")
        )
    dims = aggregation.dimensions(plan, frame, definition.dimensions)
    frame = frame.rename(columns={f"d{i}_0": name for i, name in enumerate(plan.names)})
    for name in plan.names:
        frame[name] = frame[name].astype(str)
    frame["n"] = frame["value"]  # the origin's counts stand for the contributors
    cells = complete_table(frame, dims)
    cells["origin_status"] = _status_of(cells)
    cells = cells.drop(columns=[c for c in cells.columns if c.startswith("_sign_")] + ["_rows"])
    # What disclosure control sees: the table without the origin's unknown cells (they
    # count 0, so the table stays additive); what is published: no number where one is unknown.
    cells["n"] = cells["value"].round().astype(np.int64)
    cells["value"] = cells["value"].where(~cells["origin_status"].isin(NOT_COMPUTABLE))
    return cells, dims


def _cells(version, plan, definition):
    """The origin's rows (cells, not records) with their dimension codes, value and sign."""
    dims = [f"d{i}_0" for i in range(len(plan.names))]
    columns = [
        f"{sqlparts.column(version, spec['field'])} AS {dims[i]}"
        for i, spec in enumerate(definition.dimensions)
    ]
    value = sqlparts.column(version, definition.measure_field, types=("integer", "number"))
    status_field = definition.measure_field + STATUS_SUFFIX
    status = (
        sqlparts.quote(version.columns[status_field]) if status_field in version.columns else "NULL"
    )
    where = f" WHERE {' AND '.join(plan.where)}" if plan.where else ""
    sql = f"SELECT {', '.join(columns)}, {value} AS m, {status} AS s FROM {plan.table}{where}"
    rows = sqlparts.fetch(sql, plan.params)
    for i in range(len(dims)):
        rows[dims[i]] = rows[dims[i]].astype(object).where(rows[dims[i]].notna(), None)
        rows[dims[i]] = rows[dims[i]].map(lambda v: aggregation.UNKNOWN if v is None else _code(v))
    sign = rows["s"].fillna("").astype(str).str.strip().replace(SIGN_ALIASES)
    out = rows[dims].copy()
    out["value"] = (
        pd.to_numeric(rows["m"], errors="coerce").where(~sign.isin(NOT_COMPUTABLE)).fillna(0.0)
    )
    out["_rows"] = 1
    out["_sign_zero"] = (sign == ZERO).astype(np.int64)
    for code in NOT_COMPUTABLE:
        out[f"_sign_{_slot(code)}"] = (sign == code).astype(np.int64)
    return out.groupby(dims, as_index=False).sum()


def _status_of(cells):
    status = pd.Series("", index=cells.index, dtype=object)
    status[(cells["_sign_zero"] == cells["_rows"]) & (cells["_rows"] > 0)] = ZERO
    for code in reversed(NOT_COMPUTABLE):  # the strongest sign is written last
        status[cells[f"_sign_{_slot(code)}"] > 0] = code
    return status


def _slot(code):
    return {"x": "x", ".": "dot", "/": "slash", "...": "later"}[code]


def _code(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def apply_signs(records, statuses):
    """Published records with the origin's sign: no number where the origin gave none."""
    for record, sign in zip(records, statuses, strict=True):
        record["origin_status"] = sign
        if sign in NOT_COMPUTABLE:
            record["value"] = None
            record["flag"] = "origin"
        # "-" is a true zero: the protection already shows it as an empty cell ("–").
    return records


def protect(cells, dims, source, *, method, params, protect_counts):
    """The office's rules on the origin's counts, unless the origin's protection is recorded
    on the source (then its cells are published as the origin published them)."""
    if source.origin_protection.strip():  # recorded: the origin protected its cells
        names = [d.name for d in dims]
        out = cells[names].copy()
        out["value"] = cells["value"].to_numpy(dtype=float)
        out["flag"] = ""
        out["reason"] = None
        stats = {"method": "origin", "cells": len(cells), "suppressed": 0}
        return protection.Protected(out, stats, True, {})
    if method != protection.SUPPRESSION:
        raise aggregation.DefinitionError(
            _(
                "Für aggregierte Quellen ist nur die Zellsperrung möglich "
                "(es gibt keine Datensätze)."
            )
        )
    # The origin's counts, its unknown cells as 0 (they are published with their sign).
    names = [d.name for d in dims]
    counted = cells[names].assign(value=cells["n"].astype(float), n=cells["n"])
    return protect_counts(counted, dims, method=method, measure="count", params=params)


def protection_note(sources):
    """Where the origin's protection stands in for the office's rules, the table says so."""
    recorded = [
        s.origin_protection.strip()
        for s in sources
        if s.kind == s.Kind.AGGREGATE and s.origin_protection.strip()
    ]
    return {"origin_protection": " ".join(recorded)[:500]} if recorded else {}


def compute(applied, source, version, params, timings):
    """An aggregate source: the origin's cells summed, its counts protected unless the origin
    protected them, and its signs carried to every published cell."""
    started = time.perf_counter()
    try:
        cells, dims = aggregate(version, applied)
        timings["aggregate_s"] += time.perf_counter() - started
        result = protect(
            cells,
            dims,
            source,
            method=applied.method,
            params=params,
            protect_counts=protection.protect,
        )
    except aggregation.DefinitionError as error:
        raise TableError(str(error)) from error
    records = protection.to_records(result.cells, decimals=None)
    records = apply_signs(records, cells["origin_status"].tolist())
    return result, records, dims
