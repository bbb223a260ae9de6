"""import_csv_1m: the demo generator's 1,000,000-resident CSV through the whole pipeline
(read, validate, plausibility, load with COPY, switch version), against a bare COPY of the
same file into an all-text table of the same database."""

import collections
import os
import subprocess
import sys
import time
from pathlib import Path

import django

RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", "1000000"))


def generate(path):
    # In its own process, so the generator's memory does not count as the pipeline's.
    code = (
        "from departments.demo import generator;"
        f"generator.write_source_csv('einwohner', {str(path)!r}, year=2025, residents={RESIDENTS})"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def bare_copy(path, columns):
    from django.db import connections

    connection = connections["sealed"]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_text")
        cols = ", ".join(f'"c{i}" TEXT' for i in range(len(columns)))
        cursor.execute(f"CREATE TABLE bench_copy_text ({cols})")
        started = time.perf_counter()
        with open(path, "rb") as handle:
            cursor.cursor.copy_expert(
                "COPY bench_copy_text FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)",
                handle,
            )
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy_text")
    return seconds


def timed_stages():
    """Seconds spent in each stage, summed over the chunks. The COPY runs in its own thread
    beside reading and checking the next chunk, so the stages add up to more than the run."""
    from departments.importing import chunks, plausibility, validation
    from statistics_office.intake import pipeline
    from statistics_office.microdata import snapshots, store

    seconds = collections.defaultdict(float)

    def wrap(module, name, stage):
        original = getattr(module, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[stage] += time.perf_counter() - started

        setattr(module, name, timed)

    wrap(validation, "validate", "validate")
    wrap(plausibility, "profile", "profile")
    wrap(chunks, "duplicate_keys", "keys")
    wrap(pipeline, "_record_keys", "record_keys")
    wrap(store, "_arrow_table", "to_arrow")
    wrap(store, "_copy_postgres", "copy")
    wrap(store, "_copy_data", "copy_encode")  # inside "copy": Arrow to COPY's input bytes
    wrap(snapshots.SnapshotWriter, "write", "snapshot")
    return seconds


def main():
    django.setup()
    # A worker has its task modules (and what they import) loaded when it starts.
    from django.conf import settings

    import statistics_office.disclosure.cellkey  # noqa: F401
    import statistics_office.tables.tasks  # noqa: F401
    from bif import seeding
    from departments import uploads
    from departments.models import DataSource, ImportRun
    from statistics_office.intake import versions
    from statistics_office.microdata import reports

    from .common import as_a_worker_starts, peak_rss_mb, report

    directory = Path(os.environ["BIF_VAR_DIR"]) / "bench-files"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"einwohner_{RESIDENTS}.csv"
    if not path.exists():
        generate(path)
    seeding.create_catalog()
    source = DataSource.objects.get(slug="einwohner")
    # Each run is a fresh upload: forget earlier benchmark runs of this file.
    for old in ImportRun.objects.filter(source=source):
        versions.discard(old.pk, ImportRun.Status.ROLLED_BACK)
    ImportRun.objects.filter(source=source).delete()

    # With Celery eager, the dependent tables (other benchmarks define some on this source)
    # would be recomputed inside the timed import; deployed, that is a separate task.
    from statistics_office.tables import tasks as table_tasks

    table_tasks.recompute_dependents.delay = lambda source_id: None
    as_a_worker_starts()
    stages = timed_stages()
    started = time.perf_counter()
    run = uploads.submit_path(source=source, path=path)
    run.refresh_from_db()
    if run.status == ImportRun.Status.AWAITING_REVIEW:
        # Plausibility warnings (e.g. look-alike twins) would wait for a statistician;
        # the benchmark acknowledges them at once so the version switch is timed too.
        versions.activate(run.pk)
        run.refresh_from_db()
    seconds = time.perf_counter() - started
    if run.status != ImportRun.Status.ACCEPTED:
        findings = reports.findings_of(run.pk)[:3]
        print(f"import ended {run.status}: {findings} {run.message}", file=sys.stderr)
        sys.exit(1)
    header = path.open(encoding="utf-8").readline().strip().split(";")
    copy_seconds = bare_copy(path, header)
    report(
        "import_csv_1m",
        rows=run.row_count,
        seconds=round(seconds, 2),
        rows_per_s=round(run.row_count / seconds),
        copy_seconds=round(copy_seconds, 2),
        ratio_to_copy=round(seconds / copy_seconds, 2),
        stage_seconds={name: round(value, 2) for name, value in stages.items()},
        chunk_rows=settings.IMPORT_CHUNK_ROWS,
        peak_rss_mb=peak_rss_mb(),
    )


if __name__ == "__main__":
    main()
