"""The sealed microdata store: one typed table per loaded import, switched atomically.

Each accepted import of a microdata source becomes a table `md_s<source>_r<run>` with the
schema's types (so the database aggregates it at full speed) plus `_record_key`, the
record's stable key in [0, 1) for the cell key method. A version pointer row
(MicrodataVersion) says which table is current. Loading happens in one transaction on the
sealed connection: a failure leaves no table and no pointer behind.
"""

import concurrent.futures
import re
import unicodedata
from contextlib import contextmanager

import pyarrow as pa
from django.db import connections, transaction

from bif.db_router import SEALED_ALIAS

from . import pgbinary, snapshots
from .models import MicrodataVersion

SQL_TYPES = {
    "string": "TEXT",
    "integer": "BIGINT",
    "number": "DOUBLE PRECISION",
    "date": "DATE",
    "boolean": "BOOLEAN",
}
RECORD_KEY_COLUMN = "_record_key"


def table_name(source_id, run_id):
    return f"md_s{int(source_id)}_r{int(run_id)}"


def column_names(field_names):
    """Safe, readable SQL column names for schema fields ("Personen-ID" -> "personen_id")."""
    used, result = set(), {}
    for name in field_names:
        ascii_name = (
            unicodedata.normalize("NFKD", name.replace("ß", "ss"))
            .encode("ascii", "ignore")
            .decode()
        )
        base = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:50] or "feld"
        if base[0].isdigit():
            base = f"f_{base}"
        candidate, n = base, 2
        while candidate in used or candidate.startswith("_"):
            candidate, n = f"{base}_{n}", n + 1
        used.add(candidate)
        result[name] = candidate
    return result


def _quote(connection, name):
    return connection.ops.quote_name(name)


def _create_table(connection, name, columns, field_types):
    q = connection.ops.quote_name
    cols = [f"{q(sql)} {SQL_TYPES[field_types[field]]}" for field, sql in columns.items()]
    cols.append(f"{q(RECORD_KEY_COLUMN)} DOUBLE PRECISION NOT NULL")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {q(name)} ({', '.join(cols)})")


def _arrow_table(frame, columns, field_types, record_keys):
    arrays, names = [], []
    for field, sql in columns.items():
        series = frame[field]
        kind = field_types[field]
        if kind == "date":
            array = _dates(series)
        elif kind == "integer":
            array = pa.array(series, type=pa.int64(), from_pandas=True)
        elif kind == "number":
            array = pa.array(series, type=pa.float64(), from_pandas=True)
        elif kind == "boolean":
            array = pa.array(series, type=pa.bool_(), from_pandas=True)
        else:
            array = pa.array(series, type=pa.string(), from_pandas=True)
        arrays.append(array)
        names.append(sql)
    arrays.append(pa.array(record_keys, type=pa.float64()))
    names.append(RECORD_KEY_COLUMN)
    return pa.Table.from_arrays(arrays, names=names)


def _dates(series):
    """Days as Arrow date32 without a Python object per cell (NaT becomes null)."""
    if hasattr(series, "dt"):
        days = series.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
        return pa.array(days, type=pa.date32(), from_pandas=True)
    return pa.array(series, type=pa.date32())


def _copy_postgres(raw_connection, name, table, progress=None, chunk_rows=250_000):
    """COPY the Arrow table into `name` on the psycopg2 connection, batch by batch.

    Takes the raw connection, not Django's, so it may run in the writer's COPY thread (Django
    connections belong to the thread that opened them; psycopg2's may be shared). Binary
    COPY: PostgreSQL takes dates and numbers as they are instead of parsing text, which made
    the load cost about three times a text COPY of the same rows."""
    column_list = ", ".join(_quote_ident(c) for c in table.column_names)
    sql = f"COPY {_quote_ident(name)} ({column_list}) FROM STDIN WITH (FORMAT binary)"
    with raw_connection.cursor() as cursor:
        done = 0
        for batch in table.to_batches(max_chunksize=chunk_rows):
            cursor.copy_expert(sql, _copy_data(pa.Table.from_batches([batch])), size=1 << 20)
            done += batch.num_rows
            if progress:
                progress(done)


def _copy_data(table):
    return pgbinary.encode(table)


def _quote_ident(name):
    return '"' + name.replace('"', '""') + '"'


def _insert_generic(connection, name, table, progress=None, chunk_rows=50_000):
    q = connection.ops.quote_name
    column_list = ", ".join(q(c) for c in table.column_names)
    placeholders = ", ".join(["%s"] * table.num_columns)
    sql = f"INSERT INTO {q(name)} ({column_list}) VALUES ({placeholders})"
    done = 0
    with connection.cursor() as cursor:
        for batch in table.to_batches(max_chunksize=chunk_rows):
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            cursor.executemany(sql, list(zip(*columns, strict=True)))
            done += batch.num_rows
            if progress:
                progress(done)


class _Abort(Exception):
    pass


class VersionWriter:
    """Appends validated frames to a version's table inside the load transaction.

    On PostgreSQL the COPY of one chunk runs in a thread of its own while the caller reads
    and checks the next chunk: the COPY is parsed by the database process and the CSV text
    is written by Arrow, both without Python's lock, so the two cores work at once. Chunks
    still arrive in order, one COPY at a time, on the load transaction's connection."""

    def __init__(self, connection, name, columns, field_types, progress):
        self.connection, self.name = connection, name
        self.columns, self.field_types = columns, field_types
        self.progress = progress
        self.rows = 0
        self.copied = 0
        self.reference_date = None
        self.version = None
        self._pending = None
        self._pool = None
        self.snapshot = snapshots.SnapshotWriter(name) if snapshots.enabled() else None

    def append(self, frame, record_keys):
        table = _arrow_table(frame, self.columns, self.field_types, record_keys)
        if self.connection.vendor != "postgresql":
            done_before = self.rows
            _insert_generic(self.connection, self.name, table, self._reporter(done_before))
            if self.snapshot:
                self.snapshot.write(table)
            self.rows += table.num_rows
            return
        self.wait()  # the chunk before goes in first
        if self._pool is None:
            # One thread for the COPY, one for the snapshot beside it (Arrow writes Parquet
            # without Python's lock): a chunk is done when both are.
            self._pool = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="bif-copy")
        raw, done_before = self.connection.connection, self.rows

        def copied(done):
            self.copied = done_before + done

        def copy():
            written = self._pool.submit(self.snapshot.write, table) if self.snapshot else None
            try:
                # Driver errors become Django's (OperationalError …), as on the caller's
                # thread, so a lost connection is recognised and the run retried.
                with self.connection.wrap_database_errors:
                    _copy_postgres(raw, self.name, table, copied)
            finally:
                if written is not None:
                    concurrent.futures.wait([written])  # never left writing after an error
            if written is not None:
                written.result()

        self._pending = self._pool.submit(copy)
        self.rows += table.num_rows

    def _reporter(self, done_before):
        def report(done):
            self.copied = done_before + done
            if self.progress:
                self.progress(self.copied)

        return report

    def wait(self):
        """Until the chunk being copied is in; progress is reported from this thread."""
        if self._pending is None:
            return
        pending, self._pending = self._pending, None
        while True:
            try:
                pending.result(timeout=0.5)
                break
            except concurrent.futures.TimeoutError:
                if self.progress:
                    self.progress(self.copied)
        if self.progress:
            self.progress(self.copied)

    def close(self):
        """Wait for the last COPY (its error, if any, is raised here) and end the thread."""
        try:
            self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None

    def abort(self):
        """Roll the whole load back: no table, no version."""
        raise _Abort


@contextmanager
def writing_version(*, source_id, run_id, field_types, progress=None):
    """A new, not yet current version, written in chunks. All or nothing: an exception or
    `writer.abort()` inside the block leaves neither table nor version behind."""
    connection = connections[SEALED_ALIAS]
    name = table_name(source_id, run_id)
    columns = column_names(list(field_types))
    writer = VersionWriter(connection, name, columns, dict(field_types), progress)
    try:
        with transaction.atomic(using=SEALED_ALIAS):
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(name)}")
            _create_table(connection, name, columns, field_types)
            try:
                yield writer
            finally:
                # No statement on the connection while a COPY may still be running on it;
                # a COPY that failed fails the block, and so rolls the whole load back.
                writer.close()
            if writer.snapshot:
                writer.snapshot.commit_with_transaction()
            writer.version = MicrodataVersion.objects.create(
                source_id=source_id,
                import_run_id=run_id,
                table_name=name,
                row_count=writer.rows,
                reference_date=writer.reference_date,
                columns=columns,
                field_types=dict(field_types),
            )
    except _Abort:
        writer.version = None
    finally:
        if writer.snapshot and writer.version is None:
            writer.snapshot.discard()


def load_version(
    *, source_id, run_id, frame, field_types, record_keys, reference_date=None, progress=None
):
    """Load a validated frame as a new, not yet current version. All or nothing.

    Idempotent: a version already loaded for this run is returned as it is.
    """
    existing = MicrodataVersion.objects.filter(import_run_id=run_id).first()
    if existing:
        return existing
    with writing_version(
        source_id=source_id, run_id=run_id, field_types=field_types, progress=progress
    ) as writer:
        writer.reference_date = reference_date
        writer.append(frame, record_keys)
    return writer.version


def make_current(run_id):
    """Switch the source's current version to this run's table, atomically."""
    with transaction.atomic(using=SEALED_ALIAS):
        version = MicrodataVersion.objects.select_for_update().get(import_run_id=run_id)
        MicrodataVersion.objects.filter(source_id=version.source_id, is_current=True).exclude(
            pk=version.pk
        ).update(is_current=False)
        if not version.is_current:
            version.is_current = True
            version.save(update_fields=["is_current"])
        return version


def drop_version(run_id):
    """Remove a run's table and pointer (a rejected, cancelled or rolled-back import)."""
    connection = connections[SEALED_ALIAS]
    with transaction.atomic(using=SEALED_ALIAS):
        version = MicrodataVersion.objects.filter(import_run_id=run_id).first()
        if version is None:
            return False
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(version.table_name)}")
        snapshots.remove(version.table_name)
        version.delete()
        return True


def current_version(source_id):
    return MicrodataVersion.objects.filter(source_id=source_id, is_current=True).first()


def count_rows(version):
    connection = connections[SEALED_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(version.table_name)}")
        return cursor.fetchone()[0]


def microdata_tables():
    """Names of all microdata tables present in the sealed database (for tests and checks)."""
    connection = connections[SEALED_ALIAS]
    return [t for t in connection.introspection.table_names() if t.startswith("md_s")]


def grouped_counts(version, group_field, *, born_after_field=None, born_after=None):
    """Record counts per value of one field of a version (an aggregate, for plausibility)."""
    connection = connections[SEALED_ALIAS]
    q = connection.ops.quote_name
    group_col = version.columns[group_field]
    sql = f"SELECT {q(group_col)}, COUNT(*) FROM {q(version.table_name)}"
    params = []
    if born_after_field and born_after:
        sql += f" WHERE {q(version.columns[born_after_field])} > %s"
        params.append(born_after)
    sql += f" GROUP BY {q(group_col)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def current_versions_for(source_ids):
    """Current version per source id for the given sources (counts and dates only)."""
    return {
        v.source_id: v
        for v in MicrodataVersion.objects.filter(source_id__in=list(source_ids), is_current=True)
    }


def grouped_sums(version, group_fields, measure, *, how="sum"):
    """Sum (or largest value, ``how="max"``) of a measure per combination of group fields
    (an aggregate, for plausibility).

    A group where the measure has no value in some row (a secret or blocked cell) has no sum:
    it comes back as None, so nothing is claimed about it."""
    connection = connections[SEALED_ALIAS]
    q = connection.ops.quote_name
    groups = [q(version.columns[name]) for name in group_fields]
    value = q(version.columns[measure])
    sql = (
        f"SELECT {', '.join(groups)}, "
        f"CASE WHEN COUNT(*) = COUNT({value}) THEN {'MAX' if how == 'max' else 'SUM'}({value}) END "
        f"FROM {q(version.table_name)} GROUP BY {', '.join(groups)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {tuple(row[:-1]) if len(groups) > 1 else row[0]: row[-1] for row in cursor}
