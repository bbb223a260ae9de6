"""Aggregation of sealed microdata into the bottom cells of a table, in SQL.

Runs only in the statistics office's worker (it needs the sealed database). The database
groups the records; Python receives cells (a few thousand at most), never records. Margins
are added by :func:`statistics_office.disclosure.complete_table`; for the cell key method each
margin also gets its own key sum from the records (GROUPING SETS on PostgreSQL, one GROUP BY
per margin combination in a UNION ALL elsewhere).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from statistics_office.disclosure import TOTAL, Dimension, complete_table
from statistics_office.disclosure.cellkey import KEY_MODULUS
from statistics_office.microdata.store import RECORD_KEY_COLUMN

from . import splits as shares
from . import sqlparts
from .codes import (  # noqa: F401 - the codes' rules, re-exported for callers of aggregation
    AGE_BANDS,
    KINDS,
    UNKNOWN,
    UNKNOWN_LEAF,
    DefinitionError,
    _bands,
    age_bands,
    band_code,
    band_label,
    broader_bands,
    changed_level,
    code_changes,
    code_labels,
    code_order,
    code_splits,
    dimension_name,
    hierarchy_parents,
    known_age_bands,
    known_hierarchy,
    own_age_bands,
)

FILTER_OPS = {
    "in": "IN",
    "not_in": "NOT IN",
    "eq": "=",
    "ne": "<>",
    "lt": "<",
    "le": "<=",
    "gt": ">",
    "ge": ">=",
    "is_null": "IS NULL",
    "not_null": "IS NOT NULL",
}


@dataclass
class Plan:
    """The SQL pieces of one table on one microdata version."""

    table: str
    names: list[str]  # cell column per dimension
    levels: list[list[str]]  # per dimension: SQL expressions, finest level first
    where: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)
    base_columns: list[str] = field(default_factory=list)  # inner select: raw columns and ages
    cube: object = None  # a builder cube (weighted rows n, key sum) read instead of the records


def plan(
    version,
    definition_dims,
    filters,
    reference_date,
    *,
    measure_field=None,
    holder=None,
    prefix="b",
    cube=None,
):
    """Translate a definition into SQL expressions on a version's table (``prefix`` names
    the inner columns, so that several tables' plans can share one query)."""
    plan = Plan(table=sqlparts.quote(version.table_name), names=[], levels=[], cube=cube)
    base_cols, base_params = [], []
    for i, spec in enumerate(definition_dims):
        kind = spec.get("kind", "code")
        plan.names.append(dimension_name(spec))
        if kind == "code":
            col = sqlparts.column(version, spec["field"])
            changed = code_changes(spec.get("level"), version.reference_date)
            value = sqlparts.remap(sqlparts.as_text(col), changed) if changed else col
            base_cols.append(f"{value} AS {prefix}{i}")
            plan.levels.append([f"COALESCE({sqlparts.as_text(f'{prefix}{i}')}, '{UNKNOWN}')"])
        elif kind == "age_band":
            col = sqlparts.column(version, spec["field"], types=("date",))
            base_cols.append(f"{col} AS {prefix}{i}")
            plan.where.append(f"{col} IS NOT NULL AND {col} <= %s")
            plan.params.append(reference_date)
            band_sql = sqlparts.age_band(f"{prefix}{i}", _bands(spec), reference_date)
            broader = broader_bands(spec)
            if broader:  # broad bands above the fine ones: a hierarchical dimension
                plan.levels.append([band_sql, sqlparts.case_map(band_sql, broader, UNKNOWN)])
            else:
                plan.levels.append([band_sql])
        elif kind == "hierarchy":
            col = sqlparts.column(version, spec["field"])
            parents = hierarchy_parents(spec["hierarchy"])
            # Today's parents re-aggregate earlier versions by their units (blocks); codes of
            # the finest level that changed since the version are mapped to today's first.
            changed = code_changes(spec["hierarchy"].partition("->")[0], version.reference_date)
            base_cols.append(f"{sqlparts.remap(sqlparts.as_text(col), changed)} AS {prefix}{i}")
            plan.levels.append(
                [
                    f"COALESCE({prefix}{i}, '{UNKNOWN_LEAF}')",
                    sqlparts.case_map(f"{prefix}{i}", parents, UNKNOWN),
                ]
            )
        else:
            raise DefinitionError(f"Unbekannte Art des Merkmals: „{kind}“.")
    for flt in filters:
        col = sqlparts.column(version, flt["field"])
        op = FILTER_OPS[flt["op"]]
        if flt["op"] in ("in", "not_in"):
            values = list(flt.get("values") or [])
            if not values:
                raise DefinitionError(f"Filter auf „{flt['field']}“: keine Werte angegeben.")
            plan.where.append(f"{col} {op} ({', '.join(['%s'] * len(values))})")
            plan.params.extend(values)
        elif flt["op"] in ("is_null", "not_null"):
            plan.where.append(f"{col} {op}")
        else:
            value = flt.get("value", (flt.get("values") or [None])[0])
            plan.where.append(f"{col} {op} %s")
            plan.params.append(value)
    if measure_field:
        base_cols.append(
            f"{sqlparts.column(version, measure_field, types=('integer', 'number'))} AS m"
        )
    if holder:
        base_cols.append(f"{sqlparts.column(version, holder)} AS h")
    if cube is not None:  # a cube row stands for n records with their key sum
        base_cols += [f"{sqlparts.quote(cube.COUNT)} AS w", f"{sqlparts.quote(cube.KEY_SUM)} AS ks"]
    else:
        base_cols.append(f"{sqlparts.quote(RECORD_KEY_COLUMN)} AS rk")
    plan.base_columns = base_cols
    plan.params = base_params + plan.params  # select-list params come before WHERE params
    return plan


def records_from(plan):
    """The records as a derived table `lev` with one column per dimension level."""
    where = f" WHERE {' AND '.join(plan.where)}" if plan.where else ""
    base = f"SELECT {', '.join(plan.base_columns)} FROM {plan.table}{where}"
    level_cols = [
        f"{expr} AS d{i}_{k}"
        for i, levels in enumerate(plan.levels)
        for k, expr in enumerate(levels)
    ]
    extra = [
        c.split(" AS ")[-1]
        for c in plan.base_columns
        if c.endswith((" m", " h", " rk", " w", " ks"))
    ]
    return f"(SELECT {', '.join(level_cols + extra)} FROM ({base}) base) lev"


def bottom_counts(plan):
    dims = [f"d{i}_0" for i in range(len(plan.names))]
    group = ", ".join(dims)
    sql = f"SELECT {group}, COUNT(*) AS n FROM {records_from(plan)} GROUP BY {group}"
    frame = sqlparts.fetch(sql, plan.params)
    frame["value"] = frame["n"]
    return frame


def bottom_magnitudes(plan, *, holder=False):
    """Sum, contributors and the two largest contributions (per record holder) per cell."""
    dims = [f"d{i}_0" for i in range(len(plan.names))]
    group = ", ".join(dims)
    if holder:
        contrib = (
            f"SELECT {group}, h, SUM(m) AS m FROM {records_from(plan)} WHERE m IS NOT NULL "
            f"GROUP BY {group}, h"
        )
    else:
        contrib = f"SELECT {group}, m FROM {records_from(plan)} WHERE m IS NOT NULL"
    ranked = (
        f"SELECT {group}, m, ROW_NUMBER() OVER (PARTITION BY {group} ORDER BY m DESC) AS rn "
        f"FROM ({contrib}) c"
    )
    sql = (
        f"SELECT {group}, SUM(m) AS value, COUNT(*) AS n, "
        "MAX(CASE WHEN rn = 1 THEN m END) AS top1, MAX(CASE WHEN rn = 2 THEN m END) AS top2 "
        f"FROM ({ranked}) r GROUP BY {group}"
    )
    frame = sqlparts.fetch(sql, plan.params)
    for col in ("value", "top1", "top2"):
        frame[col] = pd.to_numeric(frame[col]).astype(float).fillna(0.0)
    return frame


def key_sums(plan):
    """n and the sum of record keys for every cell at every level (margins included), in
    one pass over the records on PostgreSQL; ``bottom`` marks the finest cells."""
    # One GROUP BY over the records at the finest level (all level columns are functions of
    # it); every margin's n and key sum is then summed from those cells. That is exact: record
    # keys are multiples of 2**-32 and sums stay far below 2**20, within float64's 53 bits.
    level_counts = [len(levels) + 1 for levels in plan.levels]  # +1: the total
    combos = list(itertools.product(*[range(c) for c in level_counts]))
    names = [f"c{i}" for i in range(len(plan.names))]
    all_levels = [f"d{i}_{k}" for i, levels in enumerate(plan.levels) for k in range(len(levels))]
    if plan.cube is not None:
        return plan.cube.key_sums(plan, combos)
    group = ", ".join(all_levels)
    sql = (
        f"SELECT {group}, COUNT(*) AS n, SUM(CAST(rk * {KEY_MODULUS} AS BIGINT)) AS key_sum "
        f"FROM {records_from(plan)} GROUP BY {group}"
    )
    finest = sqlparts.fetch(sql, plan.params)
    # integer keys modulo 2**32 (record keys are multiples of 2**-32): sums are exact
    finest["key_sum"] = finest["key_sum"].astype("int64") % KEY_MODULUS
    parts = []
    for combo in combos:
        keys = [f"d{i}_{k}" for i, k in enumerate(combo) if k < len(plan.levels[i])]
        if keys:
            part = finest.groupby(keys, dropna=False)[["n", "key_sum"]].sum().reset_index()
        else:
            part = finest[["n", "key_sum"]].sum().to_frame().T
        for i, k in enumerate(combo):
            part[f"c{i}"] = part.pop(f"d{i}_{k}") if k < len(plan.levels[i]) else TOTAL
        part["bottom"] = not any(combo)
        parts.append(part[[*names, "n", "key_sum", "bottom"]])
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame["n"] > 0]
    return frame.rename(columns=dict(zip(names, plan.names, strict=True)))


def dimensions(plan_, bottom, definition_dims):
    """disclosure.Dimension objects from the codes present at the bottom."""
    dims = []
    for i, spec in enumerate(definition_dims):
        name = plan_.names[i]
        codes = sorted(set(bottom[f"d{i}_0"].astype(str)))
        if spec.get("kind") == "age_band":
            codes = sorted(set(codes) | {code for _lo, _hi, code in _bands(spec)})
            broader = broader_bands(spec)
            if broader:
                mapping = {code: broader.get(code, UNKNOWN) for code in codes}
                mapping.update(dict.fromkeys(set(mapping.values()), TOTAL))
                dims.append(Dimension(name, mapping))
            else:
                dims.append(Dimension.flat(name, codes))
        elif spec.get("kind") == "hierarchy":
            parents = hierarchy_parents(spec["hierarchy"])
            mapping = {}
            for code in codes:
                parent = UNKNOWN if code == UNKNOWN_LEAF else parents.get(code, UNKNOWN)
                mapping[code] = parent
                mapping[parent] = TOTAL
            dims.append(Dimension(name, mapping))
        else:
            dims.append(Dimension.flat(name, codes))
    return dims


def aggregate(version, definition, reference_date=None, *, cube=None):
    """Complete table (all margins) of one definition on one version.

    ``cube``: a builder cube of the version (statistics_office.builder.cube) to group
    instead of the records, for the cell key method on counts: the same cells.

    Returns ``(cells, dims)``; cells have the dimension columns, ``value``, ``n`` and, as the
    definition needs them, ``top1``/``top2`` (sums) or ``cell_key`` (cell key method).
    """
    reference_date = reference_date or version.reference_date or dt.date.today()
    holder = (definition.parameters or {}).get("holder_field") or None
    magnitude = definition.measure != "count"
    if magnitude and not definition.measure_field:
        raise DefinitionError("Für Summe und Mittelwert bitte das Feld der Kennzahl angeben.")
    if not definition.dimensions:
        raise DefinitionError("Eine Tabelle braucht mindestens ein Merkmal.")
    p = plan(
        version,
        definition.dimensions,
        definition.filters or [],
        reference_date.isoformat(),
        measure_field=definition.measure_field if magnitude else None,
        holder=holder if magnitude else None,
        cube=cube if definition.method == "cellkey" and not magnitude else None,
    )
    plan_dims = p.names
    keys = None
    if definition.method == "cellkey" and not magnitude:
        # one query gives the bottom counts and every margin's own key sum
        keys = key_sums(p)
        bottom = keys[keys["bottom"]].rename(
            columns={name: f"d{i}_0" for i, name in enumerate(plan_dims)}
        )[[f"d{i}_0" for i in range(len(plan_dims))] + ["n"]]
    elif magnitude:
        bottom = bottom_magnitudes(p, holder=bool(holder))
    else:
        bottom = bottom_counts(p)
    bottom = _split_units(bottom, definition, version, magnitude)
    if bottom.empty:
        # complete_table would only say "column 'n' missing".
        raise DefinitionError(
            _(
                "Die Filter der Tabelle treffen auf keinen Datensatz des aktuellen "
                "Datenstands zu; es gibt nichts zu zählen. Bitte die Filter prüfen."
            )
        )
    dims = dimensions(p, bottom, definition.dimensions)
    frame = bottom.rename(columns={f"d{i}_0": name for i, name in enumerate(plan_dims)})
    for name in plan_dims:
        frame[name] = frame[name].astype(str)
    frame["n"] = frame["n"].astype(np.int64)
    if not magnitude:
        frame["value"] = frame["n"]
    cells = complete_table(frame, dims)
    cells["n"] = cells["n"].astype(np.int64)
    if keys is not None:
        keys = keys.assign(**{n: keys[n].astype(str) for n in plan_dims})
        cells = cells.merge(keys[[*plan_dims, "key_sum"]], on=plan_dims, how="left")
        # in [0, 1) as a multiple of 2**-32: exact in float, read back exactly as an integer
        key_sum = cells.pop("key_sum").fillna(0).astype("int64") % KEY_MODULUS
        cells["cell_key"] = key_sum / float(KEY_MODULUS)
    if magnitude:
        from . import magnitude as contributions

        cells = contributions.with_contributions(
            cells, p, top_n=top_contributions(definition.parameters), holder=bool(holder)
        )
    return cells, dims


def _split_units(bottom, definition, version, magnitude):
    """Counts of units split by a later boundary change, divided among today's units by
    share; before protection, so suppression applies to the re-aggregated cells."""
    for i, spec in enumerate(definition.dimensions):
        splits = code_splits(changed_level(spec), version.reference_date)
        if not splits:
            continue
        if magnitude or definition.method == "cellkey":
            raise DefinitionError(
                _(
                    "Eine Gebietsänderung mit Anteilen (Ebene „%(level)s“) lässt sich nur auf "
                    "Fallzahlen mit Zellsperrung anwenden, nicht auf Summen oder die "
                    "Zellschlüsselmethode; bitte einen Stichtag nach der Änderung wählen."
                )
                % {"level": changed_level(spec)}
            )
        bottom = shares.split_counts(bottom, f"d{i}_0", splits)
    return bottom


def estimated_codes(definition_dims, reference_date):
    """{dimension name: codes whose counts are estimates} on a version of ``reference_date``:
    the new units of a split, and in a hierarchy their parents where a split crosses one."""
    found = {}
    for spec in definition_dims:
        splits = code_splits(changed_level(spec), reference_date)
        if not splits:
            continue
        codes = {code for targets in splits.values() for code in targets}
        if spec.get("kind") == "hierarchy":
            parents = hierarchy_parents(spec["hierarchy"])
            for targets in splits.values():
                above = {parents.get(code) for code in targets}
                if len(above) > 1:
                    codes |= {p for p in above if p}
        found[dimension_name(spec)] = codes
    return found


def top_contributions(parameters):
    """How many of the largest contributions the rules need (dominance n, p% coalition)."""
    parameters = parameters or {}
    n = int(parameters.get("dominance_n") or 1)
    coalition = int(parameters.get("coalition") or 1)
    return max(2, n, coalition + 1)
