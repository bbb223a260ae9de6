"""The builder's cube of a microdata version: the version's records merged into one row per
combination of the catalogue's fields at their finest (each code as it is, a birth date as
its single year of age on the reference date), with the row's record count and the sum of
its record keys (as integers, modulo 2**32 later). Both add up, so every builder table is
a group-by over the cube with the cells, key sums and so the perturbed values of a
group-by over the records: the same SQL (statistics_office.tables.aggregation) with
COUNT(*) read as SUM of the counts. Tens of thousands of rows instead of a million.

Built lazily in the sealed worker's process (one query over the records, under a lock),
kept in memory there and queried with DuckDB; it never leaves the process, it is never
written to the portal database. A version has a new table name, so a new cube.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict

import pandas as pd
from django.db import connections

from bif.db_router import SEALED_ALIAS
from statistics_office.disclosure import TOTAL
from statistics_office.disclosure.cellkey import KEY_MODULUS
from statistics_office.microdata import snapshots
from statistics_office.microdata.store import RECORD_KEY_COLUMN
from statistics_office.tables import aggregation, sqlparts
from statistics_office.tables.codes import _bands

log = logging.getLogger(__name__)
KEEP = 4  # cubes per process (versions, reference dates)
_cubes: OrderedDict = OrderedDict()
_lock = threading.Lock()


class Cube:
    """One version's cube, queried with the aggregation's own SQL."""

    COUNT = "__n"
    KEY_SUM = "__ks"

    def __init__(self, table_name, frame, age_fields):
        import duckdb

        self.table_name = table_name
        self.rows = len(frame)
        self.age_fields = frozenset(age_fields)
        self._lock = threading.Lock()
        self._con = duckdb.connect(config={"threads": 1, "autoinstall_known_extensions": False})
        self._con.register(table_name, frame)

    def answers(self, filters):
        """A filter on an age field compares birth dates, which the cube no longer has."""
        return not any(flt["field"] in self.age_fields for flt in filters or [])

    def fetch(self, sql, params):
        with self._lock:
            result = self._con.execute(snapshots._duckdb_sql(sql), list(params))
            names = [c[0] for c in result.description]
            return pd.DataFrame(result.fetchall(), columns=names)

    def key_sums(self, plan, combos):
        """key_sums on a builder cube: every margin grouped by DuckDB (a cube has a few
        thousand rows), the counts and key sums of its rows summed."""
        parts = []
        for combo in combos:
            columns = [
                f"d{i}_{k} AS c{i}" if k < len(plan.levels[i]) else f"'{TOTAL}' AS c{i}"
                for i, k in enumerate(combo)
            ]
            keys = [f"d{i}_{k}" for i, k in enumerate(combo) if k < len(plan.levels[i])]
            bottom = "FALSE" if any(combo) else "TRUE"
            group = f" GROUP BY {', '.join(keys)}" if keys else ""
            parts.append(
                f"SELECT {', '.join(columns)}, CAST(SUM(w) AS BIGINT) AS n, "
                f"CAST(SUM(ks) AS BIGINT) AS key_sum, {bottom} AS bottom "
                f"FROM {aggregation.records_from(plan)}{group}"
            )
        frame = self.fetch(" UNION ALL ".join(parts), plan.params * len(parts))
        frame = frame[frame["n"] > 0].reset_index(drop=True)
        frame["key_sum"] = frame["key_sum"].astype("int64") % KEY_MODULUS
        frame["bottom"] = frame["bottom"].astype(bool)
        names = [f"c{i}" for i in range(len(plan.names))]
        return frame.rename(columns=dict(zip(names, plan.names, strict=True)))


def _fields(items):
    """{field: [age band specs]} of the catalogue's items (no specs: kept as it is)."""
    fields = {}
    for item in items:
        dim = item["dimension"]
        fields.setdefault(dim["field"], [])
        if dim.get("kind") == "age_band":
            fields[dim["field"]].append(dim)
        else:
            fields[dim["field"]].append(None)
    return {
        name: specs if specs and all(s is not None for s in specs) else None
        for name, specs in fields.items()
    }


def _single_years(expr, specs, day, vendor):
    """A birth date as the representative date of its single year of age: the day exactly
    ``a`` years before the reference date for age ``a`` (the aggregation's band rule,
    "born after the day hi + 1 years before", gives every band the same records), the day
    after it for a birth after the reference date, NULL as NULL. Ages above every band's
    upper bound are one group."""
    top = max([hi for spec in specs for _lo, hi, _code in _bands(spec) if hi is not None] or [0])

    def lit(date):
        text = date.isoformat()
        return f"CAST('{text}' AS DATE)" if vendor == "postgresql" else f"'{text}'"

    whens = [
        f"WHEN {expr} IS NULL THEN NULL",
        f"WHEN {expr} > {lit(day)} THEN {lit(day + dt.timedelta(days=1))}",
    ]
    whens += [
        f"WHEN {expr} > {lit(sqlparts.years_before(day, age + 1))} "
        f"THEN {lit(sqlparts.years_before(day, age))}"
        for age in range(top + 1)
    ]
    return f"(CASE {' '.join(whens)} ELSE {lit(sqlparts.years_before(day, top + 1))} END)"


def build(version, items, reference_date):
    """The cube of ``version`` for a catalogue's ``items`` (one query over the records)."""
    connection = connections[SEALED_ALIAS]
    q, vendor = connection.ops.quote_name, connection.vendor
    day = dt.date.fromisoformat(str(reference_date)[:10])
    columns, ages = [], []
    for name, specs in _fields(items).items():
        if name not in version.columns:
            continue  # the query names the missing field; the aggregation's error then
        column = q(version.columns[name])
        if specs:
            columns.append(f"{_single_years(column, specs, day, vendor)} AS {column}")
            ages.append(name)
        else:
            columns.append(f"{column} AS {column}")
    ordinals = ", ".join(str(i + 1) for i in range(len(columns)))
    sql = (
        f"SELECT {', '.join(columns)}, COUNT(*) AS {q(Cube.COUNT)}, "
        f"SUM(CAST({q(RECORD_KEY_COLUMN)} * {KEY_MODULUS} AS BIGINT)) AS {q(Cube.KEY_SUM)} "
        f"FROM {q(version.table_name)}" + (f" GROUP BY {ordinals}" if columns else "")
    )
    if snapshots.engine_for(sql) == "duckdb":
        frame = snapshots.fetch(sql, [])
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            frame = pd.DataFrame(cursor.fetchall(), columns=[c[0] for c in cursor.description])
    for name in ages:  # ISO dates: compared as the aggregation's literals are
        column = version.columns[name]
        frame[column] = frame[column].map(lambda v: None if v is None else str(v)[:10])
    frame[Cube.COUNT] = frame[Cube.COUNT].astype("int64")
    frame[Cube.KEY_SUM] = frame[Cube.KEY_SUM].astype("int64")
    return Cube(version.table_name, frame, ages)


def for_version(version, items, reference_date=None):
    """The process's cube of a version for the catalogue's items, built on first use."""
    reference_date = reference_date or version.reference_date or dt.date.today()
    key = (
        version.table_name,
        str(version.created_at),  # a table name may come back (a reloaded run)
        version.row_count,
        str(reference_date),
        repr(items),
    )
    with _lock:  # one build at a time; the others wait for it and then reuse it
        cube = _cubes.get(key)
        if cube is None:
            cube = build(version, items, reference_date)
            log.info("builder cube of %s: %d rows", version.table_name, cube.rows)
            _cubes[key] = cube
            while len(_cubes) > KEEP:
                _cubes.popitem(last=False)
        else:
            _cubes.move_to_end(key)
        return cube


def clear():
    with _lock:
        _cubes.clear()
