"""import_xlsx_100k: a 100,000-row XLSX (a department's Excel export: dates, codes, numbers
with decimals, a sign) described, onboarded unchanged and imported end to end (read,
validate, plausibility, load, switch version), against reading the same workbook with
calamine alone (read_seconds: the mean of the median of three reads just before and of three
just after the import; one read moves by ±20 % on a shared machine).
Goal: seconds at most 1.5 x read_seconds."""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import django

ROWS = int(os.environ.get("BENCH_XLSX_ROWS", "100000"))
# calamine's read, this many times before and after the import: the median of each, their mean.
READS = 3


def write_workbook(path, rows):
    # In its own process, so the writer's memory does not count as the pipeline's.
    code = f"""
import datetime as dt, random
import openpyxl
random.seed(7)
book = openpyxl.Workbook(write_only=True)
sheet = book.create_sheet("Leistungen")
sheet.append(["Fall-Nr", "Beginn", "Stadtteil", "Leistungsart", "Personen", "Betrag in EUR"])
start = dt.date(2024, 1, 1)
for i in range({rows}):
    sheet.append([
        f"F{{i:07d}}",
        start + dt.timedelta(days=i % 365),
        f"{{i % 13 + 1:02d}}",
        random.choice(["Regelbedarf", "Mehrbedarf", "Unterkunft"]),
        random.randint(1, 6),
        round(random.uniform(50, 1500), 2),
    ])
book.save({str(path)!r})
"""
    subprocess.run([sys.executable, "-c", code], check=True)


def calamine_read_seconds(path):
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    workbook = CalamineWorkbook.from_path(str(path))
    rows = workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python()
    seconds = time.perf_counter() - started
    assert len(rows) == ROWS + 1
    return seconds


def main():
    django.setup()
    from bif import seeding
    from departments import onboarding, uploads
    from departments.models import DataSource, Department, ImportRun
    from statistics_office.intake import versions

    from .common import as_a_worker_starts, peak_rss_mb, report

    directory = Path(os.environ["BIF_VAR_DIR"]) / "bench-files"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"leistungen_{ROWS}.xlsx"
    if not path.exists():
        write_workbook(path, ROWS)
    seeding.create_catalog()
    old = DataSource.objects.filter(slug="bench-xlsx").first()
    if old is not None:
        for run in ImportRun.objects.filter(source=old):
            versions.discard(run.pk, ImportRun.Status.ROLLED_BACK)
        ImportRun.objects.filter(source=old).delete()
        old.delete()
    description = onboarding.describe_file(path)
    source = onboarding.create_source(
        slug="bench-xlsx",
        department=Department.objects.order_by("pk").first(),
        kind="microdata",
        schema=description["schema"],
    )
    from statistics_office.tables import tasks as table_tasks

    table_tasks.recompute_dependents.delay = lambda source_id: None
    from departments.importing import xlsx_process

    # As a Celery pool process does when it starts: its XLSX helper
    # (departments.tasks.start_xlsx_helper) and its task modules.
    xlsx_process.warm_up()
    as_a_worker_starts()
    # calamine alone just before and just after the import: a shared machine's load changes.
    read_before = statistics.median(calamine_read_seconds(path) for _ in range(READS))
    started = time.perf_counter()
    run = uploads.submit_path(source=source, path=path)
    run.refresh_from_db()
    if run.status == ImportRun.Status.AWAITING_REVIEW:
        versions.activate(run.pk)
        run.refresh_from_db()
    seconds = time.perf_counter() - started
    if run.status != ImportRun.Status.ACCEPTED:
        print(f"import ended {run.status}: {run.findings[:3]} {run.message}", file=sys.stderr)
        sys.exit(1)
    read_after = statistics.median(calamine_read_seconds(path) for _ in range(READS))
    read_seconds = (read_before + read_after) / 2
    report(
        "import_xlsx_100k",
        rows=run.row_count,
        seconds=round(seconds, 2),
        read_seconds=round(read_seconds, 2),
        ratio_to_read=round(seconds / read_seconds, 2),
        peak_rss_mb=peak_rss_mb(),
        reader_rss_mb=xlsx_process.LAST_READ["peak_rss_mb"],
    )


if __name__ == "__main__":
    main()
