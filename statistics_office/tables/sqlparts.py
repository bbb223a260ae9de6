"""The SQL a table's aggregation is written in, on one microdata version: quoted names, the
version's typed columns (a clear error for a field the version lacks), literals, CASE maps
for code changes and hierarchies, age bands by birth date; and `fetch`, the one place such a
query runs (DuckDB on a version's snapshot where that is faster, else the sealed database).

Used by aggregation (the bottom cells), atoms, origin, magnitude and the builder's cube.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db import connections

from bif.db_router import SEALED_ALIAS
from departments.importing.notation import is_status_name
from statistics_office.microdata import snapshots

from .codes import DefinitionError


def quote(name):
    return connections[SEALED_ALIAS].ops.quote_name(name)


def vendor():
    return connections[SEALED_ALIAS].vendor


def column(version, field_name, *, types=None):
    if field_name not in version.columns or is_status_name(field_name):
        raise DefinitionError(
            f"Das Feld „{field_name}“ fehlt im aktuellen Datenstand der Datenquelle; "
            "bitte die Tabellendefinition anpassen."
        )
    if types and version.field_types.get(field_name) not in types:
        raise DefinitionError(
            f"Das Feld „{field_name}“ hat den Typ {version.field_types.get(field_name)}, "
            f"erwartet: {', '.join(types)}."
        )
    return quote(version.columns[field_name])


def years_before(day, years):
    """The date `years` years before `day` (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_band(expr, bands, reference_date):
    """Age band from the birth date by comparing dates, not by computing each person's age:
    age ≤ hi exactly when born after the day hi + 1 years before the reference date.
    ``bands``: [(lower, upper, code)]."""
    day = dt.date.fromisoformat(str(reference_date)[:10])
    whens = " ".join(
        f"WHEN {expr} > '{years_before(day, hi + 1).isoformat()}' THEN '{literal(code)}'"
        for lo, hi, code in bands
        if hi is not None
    )
    return f"(CASE {whens} ELSE '{literal(bands[-1][2])}' END)"


def as_text(expr):
    return f"CAST({expr} AS TEXT)" if vendor() != "postgresql" else f"({expr})::text"


def case_map(expr, mapping, default):
    whens = " ".join(f"WHEN '{literal(k)}' THEN '{literal(v)}'" for k, v in sorted(mapping.items()))
    return f"(CASE {expr} {whens} ELSE '{literal(default)}' END)"


def remap(expr, mapping):
    """Old codes to today's (a boundary change); other codes unchanged."""
    if not mapping:
        return expr
    whens = " ".join(f"WHEN '{literal(k)}' THEN '{literal(v)}'" for k, v in sorted(mapping.items()))
    return f"(CASE {expr} {whens} ELSE {expr} END)"


def literal(text):
    # Codes come from our own hierarchy files; quote defensively all the same.
    return str(text).replace("'", "''").replace("%", "%%")


def fetch(sql, params):
    """The query's rows as a DataFrame: from the versions' columnar snapshots with DuckDB
    where they exist and the version is large (microdata/snapshots.py), else from the
    sealed database. The same SQL either way."""
    if snapshots.engine_for(sql) == "duckdb":
        return snapshots.fetch(sql, params)
    with connections[SEALED_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=names)
