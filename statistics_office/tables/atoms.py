"""The atoms of joint protection, in one SQL query (sealed worker only).

The records of one version are grouped by every table's bottom codes and filter outcome at
once: each group (atom) is a set of records that no table separates. A table's code columns
are left empty for the records its filter leaves out, so a table splits only its own records.
Python receives the atoms (counts or sums per group, a few thousand), never records.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from statistics_office.disclosure.joint import MAX_ATOMS, JointProtectionError

from . import aggregation, sqlparts


def atom_table(
    version, definitions, *, reference_date=None, measure_field=None, max_atoms=MAX_ATOMS
):
    """One row per atom: ``a{t}_{i}`` (bottom code of table t's dimension i, or None),
    ``f{t}`` (1 if the atom is in table t), ``n`` and, with a measure field, ``value``.

    Returns ``(atoms, plans)``; ``plans[t].names`` are table t's dimension names.
    """
    reference_date = reference_date or version.reference_date or dt.date.today()
    ref = reference_date.isoformat()
    plans = [
        aggregation.plan(version, d.dimensions, d.filters or [], ref, prefix=f"t{t}_")
        for t, d in enumerate(definitions)
    ]
    grouped, grouped_params = _pregrouped(version, definitions, ref, measure_field)
    inner, params, outer, flags = [], [], [], []
    for t, p in enumerate(plans):
        inner.extend(c for c in p.base_columns if not c.endswith((" rk", " m", " h")))
        if p.where:
            inner.append(f"CASE WHEN {' AND '.join(p.where)} THEN 1 ELSE 0 END AS f{t}")
            params.extend(p.params)
        else:
            inner.append(f"1 AS f{t}")
        flags.append(f"f{t}")
        for i, levels in enumerate(p.levels):
            outer.append(f"CASE WHEN f{t} = 1 THEN {levels[0]} END AS a{t}_{i}")
    inner.append("g_n")
    measure = ""
    if measure_field:
        inner.append("g_m")
        measure = ", SUM(g_m) AS value"
    group = ", ".join(str(k + 1) for k in range(len(outer) + len(flags)))
    sql = (
        f"SELECT {', '.join(outer + flags)}, SUM(g_n) AS n{measure} "
        f"FROM (SELECT {', '.join(inner)} FROM ({grouped}) g) base "
        f"WHERE {' OR '.join(f'{f} = 1' for f in flags)} "
        f"GROUP BY {group} LIMIT {int(max_atoms) + 1}"
    )
    atoms = sqlparts.fetch(sql, params + grouped_params)  # in the order of the text
    if len(atoms) > max_atoms:
        raise JointProtectionError(
            f"Die gemeinsame Prüfung mit den veröffentlichten Tabellen ergäbe mehr als "
            f"{max_atoms} Atome (kleinste Gruppen von Personen, die eine der Tabellen "
            "unterscheidet). Bitte gröbere Merkmale wählen oder weniger Tabellen auf diesem "
            "Datenstand veröffentlichen."
        )
    for t, p in enumerate(plans):
        atoms[f"f{t}"] = atoms[f"f{t}"].astype(int)
        for i in range(len(p.names)):
            atoms[f"a{t}_{i}"] = atoms[f"a{t}_{i}"].where(atoms[f"f{t}"] == 1, None)
            atoms.loc[atoms[f"f{t}"] == 1, f"a{t}_{i}"] = atoms.loc[
                atoms[f"f{t}"] == 1, f"a{t}_{i}"
            ].astype(str)
    atoms["n"] = atoms["n"].astype("int64")
    if measure_field:
        atoms["value"] = pd.to_numeric(atoms["value"]).astype(float).fillna(0.0)
    else:
        atoms["value"] = atoms["n"].astype(float)
    return atoms, plans


def _pregrouped(version, definitions, ref, measure_field):
    """The records grouped once by every field the tables use, dates and numbers cut only at
    the thresholds some table compares them with (age band limits, filter values): every
    group falls into the same cell of every table, so the tables' expressions then run over
    groups, not records. Columns keep their names; a group's date is its earliest."""
    thresholds: dict[str, set] = {}
    raw: set[str] = set()
    day = dt.date.fromisoformat(ref)
    for d in definitions:
        for dim in d.dimensions:
            if dim.get("kind", "code") == "age_band":
                edges = thresholds.setdefault(dim["field"], set())
                edges.add(ref)
                for _lo, hi in aggregation.age_bands(dim):
                    if hi is not None:
                        edges.add(sqlparts.years_before(day, hi + 1).isoformat())
            else:
                raw.add(dim["field"])
        for flt in d.filters or []:
            kind = version.field_types.get(flt["field"])
            if kind in ("date", "integer", "number") and flt["op"] in aggregation.FILTER_OPS:
                if flt["op"] in ("is_null", "not_null"):
                    thresholds.setdefault(flt["field"], set())
                    continue
                values = flt.get("values") or [flt.get("value")]
                thresholds.setdefault(flt["field"], set()).update(
                    v for v in values if v is not None
                )
            else:
                raw.add(flt["field"])
    for name in raw:
        thresholds.pop(name, None)
    keys, select, params = [], [], []
    for name in sorted(raw):
        column = sqlparts.column(version, name)
        keys.append(column)
        select.append(column)
    for name, edges in sorted(thresholds.items()):
        column = sqlparts.column(version, name)
        numeric = version.field_types.get(name) in ("integer", "number")
        ordered = sorted(edges, key=float if numeric else str, reverse=True)
        whens = []
        for k, edge in enumerate(ordered):
            whens.append(f"WHEN {column} > %s THEN {2 * k}")
            whens.append(f"WHEN {column} = %s THEN {2 * k + 1}")
            params.extend([edge, edge])
        bucket = f"CASE {' '.join(whens)} ELSE {2 * len(ordered)} END" if whens else "0"
        keys.append(f"(CASE WHEN {column} IS NULL THEN -1 ELSE {bucket} END)")
        select.append(f"MIN({column}) AS {column}")
    select.append("COUNT(*) AS g_n")
    if measure_field:
        column = sqlparts.column(version, measure_field, types=("integer", "number"))
        select.append(f"SUM({column}) AS g_m")
    group = f" GROUP BY {', '.join(keys)}" if keys else ""
    table = sqlparts.quote(version.table_name)
    return f"SELECT {', '.join(select)} FROM {table}{group}", params


def table_codes(atoms, plans, t):
    """Table t's atoms as a bottom frame ``d{i}_0`` (for :func:`aggregation.dimensions`) and
    as named code columns (for :func:`disclosure.joint.membership`)."""
    member = atoms[f"f{t}"].to_numpy() == 1
    names = plans[t].names
    bottom = pd.DataFrame(
        {f"d{i}_0": atoms[f"a{t}_{i}"].where(member, "") for i in range(len(names))}
    )
    named = pd.DataFrame({name: bottom[f"d{i}_0"] for i, name in enumerate(names)})
    return bottom[member], named, member
