"""Columnar snapshots of microdata versions, for aggregating large versions with DuckDB.

Each loaded version can also be written as one Parquet file (the same columns and types as
its table) into SEALED_SNAPSHOT_ROOT, a directory of the statistics office's own hosts, as
sealed as its database. DuckDB aggregates such a file many times faster than PostgreSQL
scans the table on the same machine (`make bench`, line `aggregate_engines_4m`), so table
computations on versions of at least BIF_DUCKDB_MIN_ROWS records read the snapshot; smaller
ones, and any version without a snapshot (written before, restored from a backup), are
aggregated in the database. Both give the same figures
(tests/statistics_office/tables/test_engines.py).

A snapshot is written beside the load (in the COPY's thread), renamed into place only when
the load's transaction has committed, and deleted with its version.
"""

import logging
import re
import threading
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction

from bif.db_router import SEALED_ALIAS

logger = logging.getLogger(__name__)
TABLE_NAME = re.compile(r'"?\b(md_s\d+_r\d+)\b"?')
_local = threading.local()


def enabled():
    return settings.BIF_AGGREGATION_ENGINE != "postgres"


def path_of(table_name):
    return Path(settings.SEALED_SNAPSHOT_ROOT) / f"{table_name}.parquet"


def _repeating_columns(table):
    """Columns worth dictionary encoding, judged by the first chunk: codes and dates repeat,
    identifiers and record keys do not (trying a dictionary on them first was half of the
    snapshot's time, for no smaller file)."""
    limit = max(1024, table.num_rows // 10)
    return [
        name
        for name, column in zip(table.column_names, table.columns, strict=True)
        if len(pc.unique(column)) <= limit
    ]


class SnapshotWriter:
    """Writes a version's chunks to `<table>.parquet.partial`; `commit` puts it in place."""

    def __init__(self, table_name):
        self.final = path_of(table_name)
        self.partial = self.final.with_name(self.final.name + ".partial")
        self._writer = None

    def write(self, table):
        if self._writer is None:
            self.partial.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._writer = pq.ParquetWriter(
                self.partial, table.schema, use_dictionary=_repeating_columns(table)
            )
        self._writer.write_table(table)

    def close(self):
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def commit_with_transaction(self):
        """Into place once the load is committed; gone if it is rolled back."""
        self.close()
        if not self.partial.exists():
            return

        def into_place():
            if self.partial.exists():
                self.partial.replace(self.final)

        transaction.on_commit(into_place, using=SEALED_ALIAS)

    def discard(self):
        self.close()
        self.partial.unlink(missing_ok=True)


def remove(table_name):
    path_of(table_name).unlink(missing_ok=True)


def remove_all():
    """Every snapshot (after a restore: the versions they were written from may be other
    versions now). The next loads write new ones; until then the database aggregates."""
    root = Path(settings.SEALED_SNAPSHOT_ROOT)
    for path in [*root.glob("md_s*.parquet"), *root.glob("md_s*.parquet.partial")]:
        path.unlink(missing_ok=True)


# --- Reading: the aggregation's SQL on DuckDB ---------------------------------------------


def engine_for(sql):
    """ "duckdb" when every version the query reads has a snapshot and the largest has at
    least BIF_DUCKDB_MIN_ROWS records, else "database"."""
    if not enabled():
        return "database"
    names = set(TABLE_NAME.findall(sql))
    if not names or not all(path_of(name).exists() for name in names):
        return "database"
    from .models import MicrodataVersion

    sizes = dict(
        MicrodataVersion.objects.filter(table_name__in=names).values_list("table_name", "row_count")
    )
    if set(sizes) != names or max(sizes.values()) < settings.BIF_DUCKDB_MIN_ROWS:
        return "database"
    # A snapshot must be of this very version: the same number of records.
    if any(pq.ParquetFile(path_of(n)).metadata.num_rows != rows for n, rows in sizes.items()):
        logger.warning("a snapshot does not match its version; the database aggregates")
        return "database"
    return "duckdb"


def _connection():
    """One in-memory DuckDB per thread, limited like a worker should be."""
    con = getattr(_local, "con", None)
    if con is None:
        import duckdb

        con = duckdb.connect(
            config={
                "threads": settings.BIF_DUCKDB_THREADS,
                "memory_limit": f"{settings.BIF_DUCKDB_MEMORY_MB}MB",
                # Only the snapshots are read: no extensions, no other files.
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
            }
        )
        _local.con = con
    return con


def _duckdb_sql(sql):
    """psycopg2's parameter style (%s, %% for a literal %) in DuckDB's (?, %)."""
    return sql.replace("%%", "\x00").replace("%s", "?").replace("\x00", "%")


def fetch(sql, params):
    """The query's result as a DataFrame, each version's table read from its snapshot."""
    con = _connection()
    for name in set(TABLE_NAME.findall(sql)):
        quoted = str(path_of(name)).replace("'", "''")
        con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet('{quoted}')")
    result = con.execute(_duckdb_sql(sql), list(params))
    names = [c[0] for c in result.description]
    return pd.DataFrame(result.fetchall(), columns=names)
