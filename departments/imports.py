"""The import pipeline's Django side: upload, run (read, validate, plausibility, load),
review, activation, rollback. Views, the API, the Celery tasks and `import_file` call these.

The pure work (reading, checks) is in departments.importing; the sealed store in
statistics_office.microdata.store. This module moves data between them, keeps the job row
(ImportRun) up to date and decides the run's status.
"""

import contextlib
import dataclasses
import datetime
import errno
import hashlib
import logging
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connections,
    transaction,
)
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerUnavailable

from bif import backup_lock
from bif.db_router import SEALED_ALIAS
from statistics_office import audit
from statistics_office.microdata import store

from .importing import grid, plausibility, readers, validation
from .importing import schema as table_schema
from .importing.findings import Finding, ReadError
from .models import DataSource, ImportRun

logger = logging.getLogger(__name__)
Status = ImportRun.Status
Stage = ImportRun.Stage


class ImportRejected(Exception):
    """The upload cannot even be queued (duplicate file, no schema, too large)."""


class Cancelled(Exception):
    pass


class DatabaseUnavailable(Exception):
    """A database connection broke during a run (a restart, a failover). The load was one
    uncommitted transaction, so nothing of it was stored; the task runs the import again."""


# --- Upload -------------------------------------------------------------------------


def _store_upload(chunks, original_name):
    suffix = Path(original_name).suffix.lower()[:10]
    directory = Path(settings.UPLOAD_ROOT) / timezone.now().strftime("%Y/%m")
    target = directory / f"{uuid.uuid4().hex}{suffix}"
    digest, size = hashlib.sha256(), 0
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > settings.IMPORT_MAX_UPLOAD_BYTES:
                    raise ImportRejected(
                        _("Die Datei ist größer als die erlaubten %(limit)d MB.")
                        % {"limit": settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)}
                    )
                digest.update(chunk)
                out.write(chunk)
    except OSError as error:
        target.unlink(missing_ok=True)
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        logger.error("upload refused: no space left in the drop location after %d bytes", size)
        raise ImportRejected(
            _(
                "Die Datei „%(file)s“ konnte nicht gespeichert werden: Der Speicherplatz für "
                "Uploads ist voll. Es wurde nichts übernommen. Bitte versuchen Sie es später "
                "erneut oder wenden Sie sich an den IT-Betrieb."
            )
            % {"file": Path(original_name).name}
        ) from error
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target, digest.hexdigest(), size


def _backup_running():
    return ImportRejected(
        _(
            "Gerade läuft eine Datensicherung; solange werden keine Importe angenommen. "
            "Bitte versuchen Sie es in einigen Minuten erneut."
        )
    )


def submit_upload(*, source, uploaded_by, file_name, chunks, sheet=""):
    """Store an upload in the drop location, create its job row and queue the run."""
    # A backup must not see a half-stored upload or a run that its copy would leave queued.
    try:
        with backup_lock.import_work(wait=False):
            return _submit_upload(
                source=source,
                uploaded_by=uploaded_by,
                file_name=file_name,
                chunks=chunks,
                sheet=sheet,
            )
    except backup_lock.BackupInProgress:
        raise _backup_running()


def _submit_upload(*, source, uploaded_by, file_name, chunks, sheet):
    if not source.schemas.exists():
        raise ImportRejected(
            _("Für die Datenquelle „%(source)s“ ist noch kein Schema hinterlegt.")
            % {"source": source.name}
        )
    path, checksum, size = _store_upload(chunks, file_name)
    duplicate = (
        ImportRun.objects.filter(source=source, checksum=checksum)
        .exclude(status__in=[Status.FAILED, Status.CANCELLED, Status.ROLLED_BACK])
        .first()
    )
    if duplicate:
        path.unlink(missing_ok=True)
        raise ImportRejected(
            _(
                "Diese Datei wurde bereits am %(date)s hochgeladen (Importlauf %(run)d). "
                "Dieselbe Datei wird nicht zweimal eingelesen."
            )
            % {
                "date": timezone.localtime(duplicate.created_at).strftime("%d.%m.%Y"),
                "run": duplicate.pk,
            }
        )
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(
                source=source,
                uploaded_by=uploaded_by,
                file_name=Path(file_name).name[:255],
                stored_path=str(path),
                checksum=checksum,
                size_bytes=size,
                sheet=sheet or "",
                schema_version=source.schemas.order_by("-version").first(),
            )
    except IntegrityError:
        path.unlink(missing_ok=True)
        raise ImportRejected(_("Diese Datei wird für die Datenquelle bereits eingelesen."))
    enqueue_run(run)
    return run


def submit_path(*, source, path, uploaded_by=None, sheet=""):
    def chunks():
        with open(path, "rb") as handle:
            while block := handle.read(1024 * 1024):
                yield block

    return submit_upload(
        source=source,
        uploaded_by=uploaded_by,
        file_name=Path(path).name,
        chunks=chunks(),
        sheet=sheet,
    )


def enqueue_run(run):
    transaction.on_commit(lambda: _send_run(run.pk))


def _send_run(run_id):
    from .tasks import run_import

    try:
        run_import.delay(run_id)
    except BrokerUnavailable as error:
        # The broker is away (restart, outage) beyond the publish retries. The run must not
        # wait as "queued" for a task that was never sent: it ends failed, ready to retry.
        logger.error("import run %s could not be queued: %s", run_id, type(error).__name__)
        _finish(
            run_id,
            Status.FAILED,
            message=_(
                "Der Import konnte nicht gestartet werden, weil der Verarbeitungsdienst gerade "
                "nicht erreichbar ist. Es wurde nichts übernommen; bitte starten Sie den "
                "Import in einigen Minuten erneut."
            ),
        )


# --- The run ------------------------------------------------------------------------


def _progress(run_id, stage, progress, **fields):
    ImportRun.objects.filter(pk=run_id).update(
        stage=stage, progress=progress, heartbeat_at=timezone.now(), **fields
    )


def _check_cancel(run_id):
    if ImportRun.objects.filter(pk=run_id, cancel_requested=True).exists():
        raise Cancelled


def _finding_dict(finding):
    audience = (finding.params or {}).get("_audience", "department")
    data = dataclasses.asdict(finding)
    data["rows"] = [int(r) for r in finding.rows]
    data["values"] = list(finding.values)
    data["params"] = {
        k: _jsonable(v) for k, v in (finding.params or {}).items() if not k.startswith("_")
    }
    data["audience"] = audience
    return data


def finding_from_dict(data):
    return Finding(
        severity=data["severity"],
        rule=data["rule"],
        column=data.get("column"),
        count=data.get("count", 1),
        rows=tuple(data.get("rows", ())),
        values=tuple(data.get("values", ())),
        params=data.get("params", {}),
    )


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (pd.Timestamp,)):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _finish(run_id, status, *, message="", **fields):
    ImportRun.objects.filter(pk=run_id).update(
        status=status, finished_at=timezone.now(), message=message, **fields
    )


def _reject(run_id, findings, **fields):
    """End a run as failed because of its findings; nothing was loaded."""
    errors = sum(1 for f in findings if f.severity == "error")
    _finish(
        run_id,
        Status.FAILED,
        stage=Stage.DONE,
        findings=[_finding_dict(f) for f in findings],
        error_count=errors,
        warning_count=len(findings) - errors,
        **fields,
    )
    return Status.FAILED


def claim(run_id):
    """Take a queued run (or one a crashed worker left running). False if someone else has it."""
    return bool(
        ImportRun.objects.filter(pk=run_id, status__in=[Status.QUEUED, Status.RUNNING]).update(
            status=Status.RUNNING,
            started_at=timezone.now(),
            heartbeat_at=timezone.now(),
            stage=Stage.READING,
            progress=1,
        )
    )


def previous_accepted(run):
    return (
        ImportRun.objects.filter(source=run.source, status=Status.ACCEPTED)
        .exclude(pk=run.pk)
        .order_by("-created_at")
        .first()
    )


# PostgreSQL advisory locks of import runs: (this number, run id). "BIFI" in ASCII.
RUN_LOCK_CLASS = 0x42494649


def execute_run(run_id):
    """The body of the Celery task: safe to re-run after a crash.

    Raises DatabaseUnavailable if a database connection broke on the way; the task retries.
    """
    with _run_lock(run_id) as mine:
        if not mine:
            # The broker handed the task out twice (a lost worker's message comes back while
            # a retry runs): the attempt that holds the run goes on alone.
            logger.warning("import run %s is already being run; this delivery ends", run_id)
            return ImportRun.objects.get(pk=run_id).status
        return _execute_run(run_id)


@contextlib.contextmanager
def _run_lock(run_id):
    """One attempt at a run at a time: a session lock in the sealed database, which ends with
    the worker's connection, so a dead worker never blocks the next attempt (SQLite has one
    writer at a time anyway)."""
    connection = connections[SEALED_ALIAS]
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK_CLASS, int(run_id)])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            # A broken connection took the lock with it.
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK_CLASS, int(run_id)])


def _execute_run(run_id):
    try:
        if not claim(run_id):
            return ImportRun.objects.get(pk=run_id).status
        run = ImportRun.objects.select_related("source", "schema_version").get(pk=run_id)
    except (OperationalError, InterfaceError) as error:
        if lost_connection(error):
            raise DatabaseUnavailable(run_id) from error
        raise
    started = time.monotonic()
    try:
        current = store.current_version(run.source_id)
        if current is not None and current.import_run_id == run.pk:
            # The last attempt died between switching the version and updating this row:
            # the data is in place and current. Finish the activation, load nothing again.
            activate(run.pk)
            return Status.ACCEPTED
        return _execute(run, started)
    except Cancelled:
        store.drop_version(run.pk)
        _finish(run.pk, Status.CANCELLED, message=_("Der Import wurde abgebrochen."))
        return Status.CANCELLED
    except ReadError as error:
        findings = [_finding_dict(error.finding)]
        _finish(run.pk, Status.FAILED, findings=findings, error_count=1, stage=Stage.DONE)
        return Status.FAILED
    except Exception as error:
        # Neither the page nor the log gets the exception text: it may quote a value from
        # the file (microdata). The type and the run id are enough to start looking.
        if lost_connection(error):
            logger.warning("import run %s: database connection lost; retrying", run.pk)
            raise DatabaseUnavailable(run.pk) from error
        if ImportRun.objects.filter(pk=run.pk, status=Status.ACCEPTED).exists():
            # The activation was committed: the import stands. Only a step after it failed,
            # and dropping the now current version would leave the source without data.
            logger.error("import run %s: error after activation: %s", run.pk, type(error).__name__)
            return Status.ACCEPTED
        logger.error("import run %s failed unexpectedly: %s", run.pk, type(error).__name__)
        store.drop_version(run.pk)
        _finish(
            run.pk,
            Status.FAILED,
            message=_(
                "Beim Einlesen ist ein unerwarteter Fehler aufgetreten. Es wurde nichts "
                "übernommen. Die Statistikstelle ist informiert; Sie können den Import "
                "später erneut starten."
            ),
        )
        return Status.FAILED


# SQLSTATEs of a session the server ended or refused: connection exceptions (08…), shut
# down by an administrator or a crash (a restart), "cannot connect now" while it starts.
LOST_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")


def lost_connection(error):
    """True if the error came from a database connection that broke (the server restarted
    or went away). Broken connections are closed, so the next attempt connects afresh."""
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    cause = error.__cause__
    # Django may already have reconnected (leaving a transaction does), so the driver's
    # error says it; a PostgreSQL error without SQLSTATE is one the client detected.
    code = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    from_server = hasattr(cause, "pgcode") or hasattr(cause, "sqlstate")
    lost = isinstance(error, InterfaceError) or (
        from_server and (code is None or code.startswith(LOST_CONNECTION_STATES))
    )
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            continue
        if connection.connection is None or not connection.is_usable():
            connection.close()
            lost = True
    return lost


def _execute(run, started):
    path = Path(run.stored_path)
    source, descriptor = run.source, run.schema_version.descriptor
    layout = descriptor.get("layout") or {}
    if _read_in_chunks(path) and not set(layout) - {"format", "header"}:
        return _execute_chunked(run, started)
    _progress(run.pk, Stage.READING, 5)
    read = grid.read_for_schema(
        path,
        filename=run.file_name,
        layout=layout,
        sheet=run.sheet or None,
        max_bytes=settings.IMPORT_MAX_UPLOAD_BYTES,
    )
    rows = len(read.frame)
    detected = {
        "encoding": read.encoding,
        "delimiter": read.delimiter,
        "decimal": read.decimal,
        "header_line": read.header_line,
        "header": read.has_header,
        "title_lines": read.title_lines,
        "dropped_footer_lines": read.dropped_footer_lines,
        "sheet": read.sheet,
        "sheet_names": read.sheet_names,
        **_jsonable_details(read.details),
    }
    _progress(run.pk, Stage.VALIDATING, 30, row_count=rows, detected=detected)
    _check_cancel(run.pk)

    mapping = table_schema.propose_mapping(
        list(read.frame.columns), descriptor, saved=source.column_mapping
    )
    result = validation.validate(read, descriptor, mapping)
    findings = list(result.findings)
    if any(f.severity == "error" for f in findings):
        return _reject(run.pk, findings, mapping=mapping.columns)
    _remember_mapping(source, mapping)
    # Auxiliary fields (names, addresses) were read and checked; they go no further.
    descriptor = table_schema.without_dropped(descriptor)
    typed = result.typed.drop(columns=table_schema.dropped_at_intake(run.schema_version.descriptor))

    _progress(run.pk, Stage.PLAUSIBILITY, 45, mapping=mapping.columns)
    profile = plausibility.profile(
        typed, descriptor, reference_date_field=source.reference_date_field or None
    )
    checks = _plausibility_checks(run, profile, lambda field: typed[field].value_counts())
    if source.kind == DataSource.Kind.MICRODATA:
        # In an aggregate table two cells may well hold the same figures (or the same sign).
        checks += plausibility.duplicate_records(typed, descriptor, row_numbers=result.row_numbers)
    findings += checks
    if any(f.severity == "error" for f in checks):
        return _reject(run.pk, findings, profile=profile.to_dict())
    _check_cancel(run.pk)

    _progress(run.pk, Stage.LOADING, 55)
    elapsed_reading = max(time.monotonic() - started, 1e-6)

    def on_loaded(done):
        _check_cancel(run.pk)
        _progress(
            run.pk,
            Stage.LOADING,
            55 + int(40 * done / max(rows, 1)),
            rows_per_second=round(done / max(time.monotonic() - started, elapsed_reading), 1),
        )

    store.load_version(
        source_id=source.pk,
        run_id=run.pk,
        frame=typed,
        field_types=_field_types(descriptor),
        record_keys=_record_keys(typed, descriptor),
        reference_date=profile.reference_date,
        progress=on_loaded,
    )
    return _conclude(run, findings, profile, rows, started)


def _read_in_chunks(path):
    """Large CSV files are read, checked and loaded chunk by chunk (XLSX never is that big)."""
    if path.suffix.lower() not in {".csv", ".txt", ".tsv"}:
        return False
    with open(path, "rb") as handle:
        is_zip = handle.read(4) == b"PK\x03\x04"
    return not is_zip and path.stat().st_size > settings.IMPORT_CHUNK_BYTES


def _field_types(descriptor):
    """What the sealed table keeps: the stored fields, and each measure's status column."""
    return table_schema.stored_field_types(descriptor)


def _jsonable_details(details):
    """What a layout found (GENESIS title, notes, units without data), for the run page."""
    return {key: _jsonable(value) for key, value in (details or {}).items() if key != "units"}


def _remember_mapping(source, mapping):
    DataSource.objects.filter(pk=source.pk).update(
        column_mapping={**source.column_mapping, **mapping.as_saved()}
    )


def _plausibility_checks(run, profile, counts_of):
    previous = previous_accepted(run)
    previous_profile = (
        plausibility.Profile.from_dict(previous.profile) if previous and previous.profile else None
    )
    checks = plausibility.compare(profile, previous_profile)
    return checks + _cross_source_checks(run.source, counts_of, profile.reference_date)


def _conclude(run, findings, profile, rows, started):
    """The version is loaded: accept at once, or wait for the office's review of warnings."""
    warnings = [f for f in findings if f.severity != "error"]
    fields = {
        "findings": [_finding_dict(f) for f in findings],
        "warning_count": len(warnings),
        "profile": profile.to_dict(),
        "reference_date": profile.reference_date,
        "row_count": rows,
        "rows_per_second": round(rows / max(time.monotonic() - started, 1e-6), 1),
        "progress": 100,
        "stage": Stage.DONE,
    }
    if any(f.rule in PLAUSIBILITY_RULES for f in warnings):
        _finish(run.pk, Status.AWAITING_REVIEW, **fields)
        return Status.AWAITING_REVIEW
    ImportRun.objects.filter(pk=run.pk).update(**fields)
    activate(run.pk)
    return Status.ACCEPTED


def _execute_chunked(run, started):
    """The same checks for a file read in chunks; the load is still one transaction.

    Across chunks: findings are merged per rule and column, unique keys are checked over the
    whole file, the profile is merged (without quantiles), cross-source rules see all counts.
    Look-alike records (duplicate_records) are only compared within a chunk.
    """
    source, descriptor = run.source, run.schema_version.descriptor
    path = Path(run.stored_path)
    _progress(run.pk, Stage.READING, 2)
    layout, chunks = readers.iter_csv_chunks(
        path,
        filename=run.file_name,
        chunk_rows=settings.IMPORT_CHUNK_ROWS,
        max_bytes=settings.IMPORT_MAX_UPLOAD_BYTES,
    )
    detected = {
        "encoding": layout.encoding,
        "delimiter": layout.delimiter,
        "decimal": layout.decimal,
        "header_line": layout.header_line,
        "title_lines": layout.title_lines,
        "dropped_footer_lines": layout.dropped_footer_lines,
        "chunked": True,
    }
    mapping = table_schema.propose_mapping(layout.names, descriptor, saved=source.column_mapping)
    _progress(run.pk, Stage.VALIDATING, 5, detected=detected, mapping=mapping.columns)
    expected_rows = _estimate_rows(path, layout)
    keys = list(table_schema.primary_key(descriptor)) + [
        f["name"] for f in descriptor["fields"] if (f.get("constraints") or {}).get("unique")
    ]
    keys = list(dict.fromkeys(keys))
    group_fields = set(source.cross_source_rules.values_list("group_field", flat=True))
    findings, profiles, rows, failed = [], [], 0, False
    seen = {name: [] for name in keys}
    seen_rows = []
    counts = {name: pd.Series(dtype="int64") for name in group_fields}
    reference_field = source.reference_date_field or None

    with store.writing_version(
        source_id=source.pk, run_id=run.pk, field_types=_field_types(descriptor)
    ) as writer:
        for chunk in chunks:
            _check_cancel(run.pk)
            result = validation.validate(chunk, descriptor, mapping)
            findings += [f for f in result.findings if f.rule not in ("unique", "primary_key")]
            failed = failed or any(f.severity == "error" for f in result.findings)
            if not failed:
                writer.append(result.typed, _record_keys(result.typed, descriptor))
            profiles.append(
                plausibility.profile(result.typed, descriptor, reference_date_field=reference_field)
            )
            for name in keys:
                seen[name].append(result.typed[name].astype("string"))
            seen_rows.append(result.row_numbers)
            for name in group_fields & set(result.typed.columns):
                counts[name] = counts[name].add(result.typed[name].value_counts(), fill_value=0)
            rows += len(result.typed)
            _progress(
                run.pk,
                Stage.LOADING if not failed else Stage.VALIDATING,
                min(90, 5 + int(85 * rows / max(expected_rows, rows, 1))),
                row_count=rows,
                rows_per_second=round(rows / max(time.monotonic() - started, 1e-6), 1),
            )
        _check_cancel(run.pk)
        row_numbers = np.concatenate(seen_rows) if seen_rows else np.array([], dtype=np.int64)
        findings += _duplicate_keys(descriptor, seen, row_numbers)
        findings = _merge_findings(findings)
        if any(f.severity == "error" for f in findings):
            failed = True
            writer.abort()
        _progress(run.pk, Stage.PLAUSIBILITY, 92)
        profile = plausibility.merge_profiles(profiles)
        checks = _plausibility_checks(
            run, profile, lambda field: counts.get(field, pd.Series(dtype="int64"))
        )
        findings += checks
        if any(f.severity == "error" for f in checks):
            failed = True
            writer.abort()
        writer.reference_date = profile.reference_date
    if failed:
        return _reject(run.pk, findings, mapping=mapping.columns, row_count=rows)
    _remember_mapping(source, mapping)
    return _conclude(run, findings, profile, rows, started)


def _estimate_rows(path, layout, sample=1 << 20):
    with open(path, "rb") as handle:
        handle.seek(layout.data_start)
        block = handle.read(sample)
    lines = max(block.count(b"\n"), 1)
    return int((layout.data_end - layout.data_start) / max(len(block), 1) * lines)


def _duplicate_keys(descriptor, seen, row_numbers):
    """Unique fields checked over the whole file, not chunk by chunk."""
    found = []
    for name, parts in seen.items():
        if not parts:
            continue
        values = pd.concat(parts, ignore_index=True)
        duplicated = values.duplicated(keep="first") & values.notna()
        if duplicated.any():
            positions = np.flatnonzero(duplicated.to_numpy())[:5]
            found.append(
                Finding(
                    severity="error",
                    rule="unique",
                    column=_title(descriptor, name),
                    count=int(duplicated.sum()),
                    rows=tuple(int(row_numbers[p]) for p in positions),
                    values=tuple(str(values.iloc[p])[:50] for p in positions),
                    params={},
                )
            )
    return found


def _title(descriptor, name):
    for field in descriptor["fields"]:
        if field["name"] == name:
            return field.get("title") or name
    return name


def _merge_findings(findings):
    """One finding per (severity, rule, column) over all chunks: counts add up, the first
    rows and values are kept."""
    merged = {}
    for f in findings:
        key = (f.severity, f.rule, f.column)
        if key not in merged:
            merged[key] = f
            continue
        first = merged[key]
        merged[key] = dataclasses.replace(
            first,
            count=first.count + f.count,
            rows=(first.rows + f.rows)[:5],
            values=(first.values + f.values)[:5],
        )
    return list(merged.values())


def _cross_source_checks(source, counts_of, reference_date):
    """Findings of the source's cross-source rules; they quote other sources' figures.

    `counts_of(field)` gives this import's record count per value of a field."""
    findings = []
    for rule in source.cross_source_rules.select_related("reference_source"):
        version = store.current_version(rule.reference_source_id)
        if version is None:
            continue
        born_after = None
        if rule.max_age_years and rule.reference_birthdate_field:
            day = reference_date or timezone.localdate()
            born_after = _years_before(day, rule.max_age_years)
        reference = store.grouped_counts(
            version,
            rule.reference_group_field,
            born_after_field=rule.reference_birthdate_field or None,
            born_after=born_after,
        )
        left = counts_of(rule.group_field)
        left.index = left.index.astype(str)
        left.index.name = rule.group_field
        right = pd.Series(reference, dtype="int64")
        right.index = right.index.astype(str)
        findings += [
            dataclasses.replace(f, params={**f.params, "_audience": "office"})
            for f in plausibility.cross_source_not_above(
                left, right, left_label=rule.label, right_label=rule.reference_label
            )
        ]
    return findings


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# Warnings a statistician must acknowledge before the import counts.
PLAUSIBILITY_RULES = {
    "rowcount_change",
    "category_new",
    "category_vanished",
    "share_shift",
    "duplicate_records",
    "reference_date_older",
    "cross_source_above",
}


def _record_keys(typed, descriptor):
    from statistics_office.disclosure.cellkey import record_keys

    key_fields = descriptor.get("primaryKey") or []
    if isinstance(key_fields, str):
        key_fields = [key_fields]
    if key_fields:
        ids = typed[key_fields[0]].astype("string")
        for name in key_fields[1:]:
            ids = ids + "\x1f" + typed[name].astype("string")
    else:
        ids = pd.Series(np.arange(len(typed)).astype(str))
    secret = settings.BIF_RECORD_KEY_SECRET.encode()
    return record_keys(ids.fillna(""), secret)


# --- After the run ------------------------------------------------------------------


def activate(run_id):
    """Make the run's loaded version current; the previous accepted run is superseded."""
    run = ImportRun.objects.select_related("source").get(pk=run_id)
    store.make_current(run.pk)
    with transaction.atomic():
        ImportRun.objects.filter(source=run.source, status=Status.ACCEPTED).exclude(
            pk=run.pk
        ).update(status=Status.SUPERSEDED)
        ImportRun.objects.filter(pk=run.pk).update(
            status=Status.ACCEPTED, finished_at=timezone.now(), stage=Stage.DONE, progress=100
        )
    _discard_upload(run)
    # Tables over this source are recomputed (and, where so marked, republished).
    transaction.on_commit(lambda: _recompute_dependents(run.source_id))
    return run


def _recompute_dependents(source_id):
    from statistics_office.tables.tasks import recompute_dependents

    try:
        recompute_dependents.delay(source_id)
    except BrokerUnavailable as error:
        # The import is accepted and stays so; only the follow-up task could not be sent.
        logger.error(
            "tables over source %s not queued for recomputation: %s",
            source_id,
            type(error).__name__,
        )


def _discard_upload(run):
    # The sealed side has the data now; the drop location keeps no copy.
    Path(run.stored_path).unlink(missing_ok=True)


def _require_reviewer(run, user):
    from .selectors import can_review_imports

    if not can_review_imports(user, run):
        raise ImportRejected(
            _("Prüfen und Zurücknehmen setzt eine gültige Freigabe für diese Datenquelle voraus.")
        )


def review(run, *, user, accept, comment):
    """A statistician acknowledges the plausibility warnings (with a comment) or rejects."""
    _require_reviewer(run, user)
    if run.status != Status.AWAITING_REVIEW:
        raise ImportRejected(_("Dieser Importlauf wartet nicht auf eine Prüfung."))
    if not comment.strip():
        raise ImportRejected(_("Bitte begründen Sie Ihre Entscheidung in einem Prüfvermerk."))
    ImportRun.objects.filter(pk=run.pk).update(
        reviewed_by=user, reviewed_at=timezone.now(), review_comment=comment.strip()
    )
    audit.record(
        action=audit.Action.IMPORT_REVIEW,
        user=user,
        obj=run,
        source=run.source,
        purpose=comment.strip()[:500],
        details={"decision": "accept" if accept else "reject", "warnings": run.warning_count},
    )
    from .tasks import activate_import, discard_import

    if accept:
        activate_import.delay(run.pk)
    else:
        discard_import.delay(run.pk, Status.ROLLED_BACK)


def discard(run_id, status):
    run = ImportRun.objects.get(pk=run_id)
    store.drop_version(run.pk)
    _finish(run.pk, status, message=run.message)
    _discard_upload(run)


def rollback(run, *, user):
    """Withdraw the current accepted import; the one before it becomes current again."""
    _require_reviewer(run, user)
    if run.status != Status.ACCEPTED:
        raise ImportRejected(_("Nur ein angenommener Import kann zurückgenommen werden."))
    previous = (
        ImportRun.objects.filter(source=run.source, status=Status.SUPERSEDED)
        .order_by("-created_at")
        .first()
    )
    audit.record(
        action=audit.Action.IMPORT_ROLLBACK,
        user=user,
        obj=run,
        source=run.source,
        details={"restores_run": previous.pk if previous else None},
    )
    from .tasks import rollback_import

    rollback_import.delay(run.pk, previous.pk if previous else None)


def execute_rollback(run_id, previous_id):
    if previous_id:
        store.make_current(previous_id)
        ImportRun.objects.filter(pk=previous_id).update(status=Status.ACCEPTED)
    store.drop_version(run_id)
    _finish(run_id, Status.ROLLED_BACK, message=_("Der Import wurde zurückgenommen."))


def request_cancel(run):
    if run.is_finished:
        return False
    ImportRun.objects.filter(pk=run.pk).update(cancel_requested=True)
    if run.status == Status.QUEUED:
        _finish(run.pk, Status.CANCELLED, message=_("Der Import wurde abgebrochen."))
    return True


def fail_stale_runs(max_silence_seconds=None):
    """Runs whose worker died (no sign of life for a while) end as failed and can be retried.

    Their load was one uncommitted transaction in the sealed database, so nothing of them
    is there; dropping a version is only a safeguard.
    """
    silence = max_silence_seconds
    if silence is None:
        silence = settings.IMPORT_STALE_SECONDS
    cutoff = timezone.now() - datetime.timedelta(seconds=silence)
    stale = list(
        ImportRun.objects.filter(status=Status.RUNNING, heartbeat_at__lte=cutoff).values_list(
            "pk", flat=True
        )
    )
    for run_id in stale:
        store.drop_version(run_id)
        _finish(
            run_id,
            Status.FAILED,
            message=_(
                "Die Verarbeitung wurde unterbrochen (der Verarbeitungsprozess ist ausgefallen). "
                "Es wurde nichts übernommen; Sie können den Import erneut starten."
            ),
        )
    return stale


def unmapped_columns(run):
    """(schema fields missing in the file, file columns no field claimed) of a failed run."""
    missing = [
        f["params"].get("field") or f.get("column")
        for f in run.findings
        if f["rule"] == "column_missing" and f["severity"] == "error"
    ]
    extra = [f.get("column") for f in run.findings if f["rule"] == "column_extra"]
    return [m for m in missing if m], [e for e in extra if e]


def remap_and_retry(run, assignments):
    """Save {file column: schema field} for the source (a renamed column in a new release)
    and run the same file again: no new source, no new upload."""
    missing, extra = unmapped_columns(run)
    cleaned = {
        column: field
        for column, field in assignments.items()
        if column in extra and field in missing
    }
    if not cleaned:
        raise ImportRejected(_("Bitte ordnen Sie mindestens eine Spalte einem Feld zu."))
    source = DataSource.objects.get(pk=run.source_id)
    source.column_mapping = {**source.column_mapping, **cleaned}
    source.save(update_fields=["column_mapping"])
    retry(run)
    return cleaned


def retry(run):
    """Queue a failed or cancelled run again with the same file."""
    if run.status not in (Status.FAILED, Status.CANCELLED) or not Path(run.stored_path).exists():
        raise ImportRejected(_("Dieser Importlauf kann nicht wiederholt werden."))
    try:
        with backup_lock.import_work(wait=False):
            ImportRun.objects.filter(pk=run.pk).update(
                status=Status.QUEUED,
                stage=Stage.WAITING,
                progress=0,
                cancel_requested=False,
                findings=[],
                error_count=0,
                warning_count=0,
                message="",
                attempts=F("attempts") + 1,
            )
            enqueue_run(run)
    except backup_lock.BackupInProgress:
        raise _backup_running()


# --- Demo -----------------------------------------------------------------------------


def import_demo_files(files, *, stdout=None):
    """Load the demo city's files through the pipeline, oldest year first, as an upload."""
    for slug, year, path in sorted(files, key=lambda item: (item[1], item[0])):
        source = DataSource.objects.get(slug=slug)
        run = submit_path(source=source, path=path)
        run.refresh_from_db()
        if run.status == Status.AWAITING_REVIEW:
            # The demo city's history was reviewed at the time; record it as such.
            ImportRun.objects.filter(pk=run.pk).update(
                review_comment="Demo: Entwicklung geprüft und bestätigt.",
                reviewed_at=timezone.now(),
            )
            activate(run.pk)
            run.refresh_from_db()
        if stdout:
            stdout.write(
                f"  {slug:<18} {year}  {run.row_count or 0:>8} Zeilen  {run.get_status_display()}"
            )
