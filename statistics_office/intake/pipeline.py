"""One path for every file: read, validate, check plausibility, load, conclude.

A small file (and every Excel file) is read whole, as one chunk; a large CSV in chunks of
IMPORT_CHUNK_ROWS records. Either way the load is one transaction in the sealed database, so
a file is taken whole or not at all. Across chunks, keys are checked over the whole file,
findings merged per rule and column, profiles merged (without quantiles) and cross-source
rules see all counts. Look-alike records (duplicate_records) are looked for in a file read
whole only: within one chunk of many they would be found by chance.
"""

import dataclasses
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.utils import timezone

from bif.geography import classifications
from departments.importing import chunks as combine
from departments.importing import consistency, grid, plausibility, readers, validation
from departments.importing import schema as table_schema
from departments.importing.layout import STRING_DTYPE, ReadResult
from departments.models import DataSource, ImportRun
from departments.selectors import previous_accepted
from statistics_office.microdata import reports, store

from . import areas, cross_source, notify, rows, versions

Status, Stage = ImportRun.Status, ImportRun.Stage


@dataclasses.dataclass
class Reading:
    """A file opened for checking: what was detected, its columns, and its chunks."""

    detected: dict
    names: list
    chunks: Iterable[ReadResult]
    expected_rows: int
    whole: bool


def execute(run, started):
    """Check and load the run's file; returns the run's new status."""
    source = run.source
    # A field may name a classification ("codelist"): its codes are the field's enum.
    declared = classifications.with_code_lists(run.schema_version.descriptor)
    reports.clear(run.pk)  # a retried run starts without the last attempt's report
    reading = _open(run, declared.get("layout") or {})
    # Auxiliary fields (names, addresses) are read and checked; they go no further.
    dropped = table_schema.dropped_at_intake(declared)
    descriptor = table_schema.without_dropped(declared)
    mapping = table_schema.propose_mapping(reading.names, declared, saved=source.column_mapping)
    rows.progress(run.pk, Stage.VALIDATING, 5, detected=reading.detected, mapping=mapping.columns)
    rows.check_cancel(run.pk)
    keys = [] if reading.whole else combine.key_fields(descriptor)
    count_rules = source.cross_source_rules.filter(comparison="count_not_above")
    group_fields = set(count_rules.values_list("group_field", flat=True))
    sums = cross_source.Sums(source)
    findings, profiles, count, failed = [], [], 0, False
    filled: set = set()
    seen, seen_rows = {name: [] for name in keys}, []
    counts = {name: pd.Series(dtype="int64") for name in group_fields}
    reference_field = source.reference_date_field or None
    rejected = None
    # Coordinates to area units (schema "areaAssignment"), before auxiliary fields go.
    assigner = areas.Assigner(declared) if areas.spec(declared) else None

    def on_loaded(done):
        rows.check_cancel(run.pk)
        rows.progress(
            run.pk,
            Stage.LOADING,
            min(90, 5 + int(85 * done / max(reading.expected_rows, done, 1))),
            rows_per_second=round(done / max(time.monotonic() - started, 1e-6), 1),
        )

    store.drop_version(run.pk)  # a version an earlier attempt loaded but never switched to
    with store.writing_version(
        source_id=source.pk,
        run_id=run.pk,
        field_types={**_field_types(descriptor), **areas.stored_types(declared)},
        progress=on_loaded,
    ) as writer:
        for chunk in reading.chunks:
            rows.check_cancel(run.pk)
            result = validation.validate(chunk, declared, mapping, check_keys=reading.whole)
            chunk_findings = result.findings
            if assigner is not None and not any(f.is_error for f in chunk_findings):
                result.typed, assigned = assigner.apply(result.typed, result.row_numbers)
                chunk_findings = chunk_findings + assigned
            result.typed = result.typed.drop(columns=dropped)
            if not reading.whole:  # keys are checked over the whole file below
                chunk_findings = [f for f in chunk_findings if f.rule not in combine.KEY_RULES]
            findings += chunk_findings
            failed = failed or any(f.severity == "error" for f in chunk_findings)
            count += len(result.typed)
            if not failed:
                writer.append(result.typed, _record_keys(result.typed, descriptor))
            profiles.append(
                plausibility.profile(result.typed, descriptor, reference_date_field=reference_field)
            )
            if reading.whole and source.kind == DataSource.Kind.MICRODATA:
                # In an aggregate table two cells may well hold the same figures (or sign).
                findings += plausibility.duplicate_records(
                    result.typed, descriptor, row_numbers=result.row_numbers
                )
            elif reading.whole and not failed:
                # An aggregate table carries its own totals: they must match their parts.
                findings += consistency.check(
                    result.typed, declared, row_numbers=result.row_numbers
                )
            filled |= _filled_fields(result.typed, mapping)
            sums.add(result.typed)
            for name in keys:
                seen[name].append(result.typed[name].astype(STRING_DTYPE))
            seen_rows.append(result.row_numbers)
            for name in group_fields & set(result.typed.columns):
                counts[name] = counts[name].add(result.typed[name].value_counts(), fill_value=0)
            rows.progress(
                run.pk,
                Stage.LOADING if not failed else Stage.VALIDATING,
                min(90, 5 + int(85 * count / max(reading.expected_rows, count, 1))),
                row_count=count,
                rows_per_second=round(count / max(time.monotonic() - started, 1e-6), 1),
            )
        writer.wait()  # the last chunk's COPY: the checks below read the sealed database
        rows.check_cancel(run.pk)
        if keys:
            row_numbers = np.concatenate(seen_rows) if seen_rows else np.array([], dtype=np.int64)
            findings += combine.duplicate_keys(descriptor, seen, row_numbers)
        if count and not filled and not failed:
            findings.append(_nothing_mapped(mapping))
        findings = combine.merge_findings(findings)
        if failed or any(f.severity == "error" for f in findings):
            # Plausibility of a file that is not valid would only add noise to the report.
            rejected = {"mapping": mapping.columns}
            writer.abort()
        _remember_mapping(source, mapping)
        rows.progress(run.pk, Stage.PLAUSIBILITY, 92)
        profile = plausibility.merge_profiles(profiles)
        checks = _plausibility_checks(
            run, profile, lambda field: counts.get(field, pd.Series(dtype="int64"))
        )
        checks += sums.findings()
        findings += checks
        if any(f.severity == "error" for f in checks):
            rejected = {"profile": profile}
            writer.abort()
        writer.reference_date = profile.reference_date
    if rejected is not None:  # writer.abort() left the block: nothing was loaded
        return rows.reject(run.pk, findings, row_count=count, **rejected)
    return _conclude(run, findings, profile, count, started)


def _open(run, declared):
    """The file as its schema's layout declares it; a large plain CSV in chunks."""
    path = Path(run.stored_path)
    rows.progress(run.pk, Stage.READING, 2)
    if not _read_in_chunks(path) or set(declared) - {"format", "header"}:
        read = grid.read_for_schema(
            path,
            filename=run.file_name,
            layout=declared,
            sheet=run.sheet or None,
            max_bytes=settings.IMPORT_MAX_UPLOAD_BYTES,
            xlsx_limits=readers.XlsxLimits(**settings.IMPORT_XLSX_LIMITS),
        )
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
            **{k: v for k, v in read.details.items() if k != "units"},
        }
        rows.progress(run.pk, Stage.READING, 4, row_count=len(read.frame))
        return Reading(detected, list(read.frame.columns), [read], len(read.frame), whole=True)
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
    return Reading(detected, layout.names, chunks, _estimate_rows(path, layout), whole=False)


def _read_in_chunks(path):
    """Large CSV files are read, checked and loaded chunk by chunk (XLSX never is that big)."""
    if path.suffix.lower() not in {".csv", ".txt", ".tsv"}:
        return False
    with open(path, "rb") as handle:
        is_zip = handle.read(4) == b"PK\x03\x04"
    return not is_zip and path.stat().st_size > settings.IMPORT_CHUNK_BYTES


def _estimate_rows(path, layout, sample=1 << 20):
    with open(path, "rb") as handle:
        handle.seek(layout.data_start)
        block = handle.read(sample)
    lines = max(block.count(b"\n"), 1)
    return int((layout.data_end - layout.data_start) / max(len(block), 1) * lines)


def _field_types(descriptor):
    """What the sealed table keeps: the stored fields, and each measure's status column."""
    return table_schema.stored_field_types(descriptor)


def _remember_mapping(source, mapping):
    DataSource.objects.filter(pk=source.pk).update(
        column_mapping={**source.column_mapping, **mapping.as_saved()}
    )


def _plausibility_checks(run, profile, counts_of):
    previous = previous_accepted(run)
    stored = reports.profile_of(previous.pk) if previous else None
    previous_profile = plausibility.Profile.from_dict(stored) if stored else None
    checks = plausibility.compare(profile, previous_profile)
    return checks + _cross_source_checks(run.source, counts_of, profile.reference_date)


def _cross_source_checks(source, counts_of, reference_date):
    """Findings of the source's cross-source rules; they quote other sources' figures.

    `counts_of(field)` gives this import's record count per value of a field."""
    findings = []
    rules = source.cross_source_rules.filter(comparison="count_not_above")
    for rule in rules.select_related("reference_source"):
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


def _filled_fields(typed, mapping):
    """The mapped fields that hold at least one value (or sign) in this chunk."""
    names = [name for name in mapping.columns if name in typed.columns]
    status = [f"{name}__status" for name in names if f"{name}__status" in typed.columns]
    present = typed[names + status].notna().any(axis=0)
    return {name.removesuffix("__status") for name, any_value in present.items() if any_value}


def _nothing_mapped(mapping):
    from departments.importing.findings import error

    return error("nothing_mapped", count=max(len(mapping.columns), 1))


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _record_keys(typed, descriptor):
    from statistics_office.disclosure.cellkey import record_keys

    key_fields = descriptor.get("primaryKey") or []
    if isinstance(key_fields, str):
        key_fields = [key_fields]
    if key_fields:
        ids = typed[key_fields[0]].astype(STRING_DTYPE)
        for name in key_fields[1:]:
            ids = ids + "\x1f" + typed[name].astype(STRING_DTYPE)
    else:
        ids = pd.Series(np.arange(len(typed)).astype(str))
    secret = settings.BIF_RECORD_KEY_SECRET.encode()
    return record_keys(ids.fillna(""), secret)


def _conclude(run, findings, profile, count, started):
    """The version is loaded: accept at once, or wait for the office's review of warnings."""
    warnings = [f for f in findings if f.severity != "error"]
    fields = {
        **rows.report(run.pk, findings, profile),
        "warning_count": len(warnings),
        "reference_date": profile.reference_date,
        "row_count": count,
        "rows_per_second": round(count / max(time.monotonic() - started, 1e-6), 1),
        "progress": 100,
        "stage": Stage.DONE,
    }
    if plausibility.needs_review(warnings):
        rows.finish(run.pk, Status.AWAITING_REVIEW, **fields)
        notify.tell_office_if_nobody_can_review(run)
        return Status.AWAITING_REVIEW
    ImportRun.objects.filter(pk=run.pk).update(**fields)
    versions.activate(run.pk)
    return Status.ACCEPTED
