"""load_during_import: 50 staff browsing dashboards (pages and figure JSON) against gunicorn
while a real Celery worker imports the 1,000,000-resident CSV into the demo city, then a
copy of that file whose last row is wrong (its last chunk fails after the first ones were
copied): latency percentiles, errors (must be 0), and all or nothing for both imports.

Runs on its own databases (BENCH_LOAD_DATABASE_URL / BENCH_LOAD_SEALED_DATABASE_URL, default
bif_bench_load and bif_bench_load_sealed on 127.0.0.1:5432) and Redis DB 11
(BENCH_LOAD_BROKER_URL). BENCH_LOAD_CLIENTS (50) clients; the load lasts as long as both
imports, at least BENCH_LOAD_MIN_SECONDS (20). For comparison, the same clients first run
BENCH_LOAD_BASELINE_SECONDS (10) without an import. Requests go to 127.0.0.1 only.
"""

import os
import shutil
import sys
import threading
import time
import urllib.error
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = int(os.environ.get("BENCH_LOAD_CLIENTS", "50"))
MIN_SECONDS = float(os.environ.get("BENCH_LOAD_MIN_SECONDS", "20"))
BASELINE_SECONDS = float(os.environ.get("BENCH_LOAD_BASELINE_SECONDS", "10"))
RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", "1000000"))
DATABASE_URL = os.environ.get(
    "BENCH_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bif_bench_load"
)
SEALED_DATABASE_URL = os.environ.get(
    "BENCH_LOAD_SEALED_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bif_bench_load_sealed"
)
BROKER_URL = os.environ.get("BENCH_LOAD_BROKER_URL", "redis://127.0.0.1:6379/11")


# --- The files -----------------------------------------------------------------------------


def bench_files(directory):
    """The generated 1M file, and a copy whose last row has an impossible birth date."""
    good = directory / f"einwohner_{RESIDENTS}.csv"
    if not good.exists():
        from .import_csv_1m import generate

        directory.mkdir(parents=True, exist_ok=True)
        generate(good)
    bad = directory / f"einwohner_{RESIDENTS}_letzte_zeile_falsch.csv"
    if not bad.exists() or bad.stat().st_mtime < good.stat().st_mtime:
        partial = bad.with_suffix(".part")
        shutil.copyfile(good, partial)
        with open(partial, "r+b") as handle:
            handle.seek(-4096, os.SEEK_END)
            tail = handle.read()
            start = tail.rstrip(b"\n").rfind(b"\n") + 1
            fields = tail[start:].rstrip(b"\n").split(b";")
            fields[2] = b"31.02.2019"  # Geburtsdatum: no such day
            handle.seek(-len(tail) + start, os.SEEK_END)
            handle.truncate()
            handle.write(b";".join(fields) + b"\n")
        partial.rename(bad)
    return good, bad


# --- Load ----------------------------------------------------------------------------------


class Load:
    """Client threads cycling through the URLs until stopped; latencies of the 200s."""

    def __init__(self, clients, urls):
        self.clients, self.urls = clients, urls
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.latencies, self.errors, self.samples = [], 0, []
        self.figure_latencies = []
        self.threads = [
            threading.Thread(target=self.work, args=(c, i), daemon=True)
            for i, c in enumerate(clients)
        ]

    def work(self, client, offset):
        mine, failed, samples = [], 0, []
        i = offset
        while not self.stop_event.is_set():
            url = self.urls[i % len(self.urls)]
            i += 1
            began = time.perf_counter()
            try:
                status, _body = client.get(url)
                problem = None if status == 200 else f"{status} {url}"
            except (urllib.error.URLError, OSError) as error:
                problem = f"{type(error).__name__}: {error} {url}"
            if problem is None:
                mine.append((url, time.perf_counter() - began))
            else:
                failed += 1
                samples.append(problem[:200])
        with self.lock:
            self.latencies.extend(seconds for _url, seconds in mine)
            self.figure_latencies.extend(s for url, s in mine if url.endswith("/figure/"))
            self.errors += failed
            self.samples.extend(samples[:3])

    def start(self):
        self.began = time.perf_counter()
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stop_event.set()
        for thread in self.threads:
            thread.join()
        self.seconds = time.perf_counter() - self.began

    def figures(self, prefix=""):
        from .dashboard_load import percentile

        values = sorted(self.latencies)
        return {
            f"{prefix}requests": len(values) + self.errors,
            f"{prefix}rps": round(len(values) / self.seconds, 1),
            f"{prefix}p50_ms": percentile(values, 0.50),
            f"{prefix}p95_ms": percentile(values, 0.95),
            f"{prefix}p99_ms": percentile(values, 0.99),
            f"{prefix}errors": self.errors,
            # Of which the figure JSON (the API a dashboard's charts could load from).
            f"{prefix}figure_p95_ms": percentile(sorted(self.figure_latencies), 0.95),
        }


# --- Imports -------------------------------------------------------------------------------


def wait_finished(run_id, timeout=600):
    from departments.models import ImportRun

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = ImportRun.objects.get(pk=run_id)
        if run.is_finished or run.status == ImportRun.Status.AWAITING_REVIEW:
            return run
        time.sleep(0.2)
    raise RuntimeError(f"import run {run_id} did not finish within {timeout} s")


def forget_earlier_runs(source, names):
    """Earlier runs of these files: withdrawn (the demo's own import is current again)."""
    from departments.models import ImportRun
    from statistics_office.intake import versions

    Status = ImportRun.Status
    for run in ImportRun.objects.filter(source=source, file_name__in=names):
        if run.status == Status.ACCEPTED:
            previous = (
                ImportRun.objects.filter(source=source, status=Status.SUPERSEDED)
                .order_by("-created_at")
                .first()
            )
            versions.execute_rollback(run.pk, previous.pk if previous else None)
        else:
            versions.discard(run.pk, Status.ROLLED_BACK)
    ImportRun.objects.filter(source=source, file_name__in=names).delete()


def import_good(source, path, analyst, statistician):
    """Upload as the department's analyst; the office acknowledges the plausibility warnings
    (a million residents instead of 98,800) through the review service, as a person would."""
    from departments import uploads
    from departments.models import ImportRun

    started = time.perf_counter()
    run = uploads.submit_path(source=source, path=path, uploaded_by=analyst)
    run = wait_finished(run.pk)
    if run.status == ImportRun.Status.AWAITING_REVIEW:
        uploads.review(
            run, user=statistician, accept=True, comment="Lasttest: Entwicklung geprüft."
        )
        deadline = time.monotonic() + 300
        while run.status == ImportRun.Status.AWAITING_REVIEW and time.monotonic() < deadline:
            time.sleep(0.2)
            run.refresh_from_db()
    return run, time.perf_counter() - started


def sealed_check(source, good_run, bad_run, rows):
    """All or nothing: the good file complete and current, nothing of the bad one anywhere."""
    from departments.models import ImportRun
    from statistics_office.microdata import store
    from statistics_office.microdata.models import MicrodataVersion

    current = store.current_version(source.pk)
    good_run.refresh_from_db()
    bad_run.refresh_from_db()
    bad_table = store.table_name(source.pk, bad_run.pk)
    checks = {
        "good_accepted": good_run.status == ImportRun.Status.ACCEPTED,
        "good_current": current is not None and current.import_run_id == good_run.pk,
        "good_complete": current is not None and store.count_rows(current) == rows,
        "bad_failed": bad_run.status == ImportRun.Status.FAILED and bad_run.error_count > 0,
        "bad_no_version": not MicrodataVersion.objects.filter(import_run_id=bad_run.pk).exists(),
        "bad_no_table": bad_table not in store.microdata_tables(),
    }
    return all(checks.values()), checks


# --- Main ----------------------------------------------------------------------------------


def main():
    var = Path(os.environ.get("BIF_VAR_DIR", ROOT / "var" / "bench"))
    os.environ.update(
        DATABASE_URL=DATABASE_URL,
        SEALED_DATABASE_URL=SEALED_DATABASE_URL,
        CELERY_BROKER_URL=BROKER_URL,
        CELERY_RESULT_BACKEND=BROKER_URL,
        BIF_VAR_DIR=str(var),
        DJANGO_SETTINGS_MODULE="bif.settings",
    )
    good_path, bad_path = bench_files(var / "bench-files")
    rows = sum(1 for _ in good_path.open("rb")) - 1

    from . import setup

    setup.main()
    django.setup()
    from django.contrib.auth import get_user_model

    from bif.celery import app
    from departments.models import DataSource, ImportRun

    from .common import report
    from .dashboard_load import (
        Gunicorn,
        collectstatic,
        ensure_demo_city,
        find_dashboard,
        logged_in_clients,
        page_urls,
        server_env,
    )
    from .private_services import CeleryWorker

    # The demo city is seeded in this process (tasks eager), once; the worker does the rest.
    app.conf.task_always_eager = True
    ensure_demo_city()
    dashboard = find_dashboard()
    app.conf.task_always_eager = False
    if dashboard is None or dashboard.status != "published":
        report("load_during_import", skipped="no published dashboard")
        return
    source = DataSource.objects.get(slug="einwohner")
    forget_earlier_runs(source, [good_path.name, bad_path.name])
    users = get_user_model().objects
    analyst, statistician = users.get(username="analyse-ewo"), users.get(username="statistik")

    urls = page_urls(dashboard) + [
        f"/api/v1/dashboards/{dashboard.slug}/widgets/{widget.pk}/figure/"
        for widget in dashboard.widgets.all()
    ]
    env = server_env()
    collectstatic(env)
    server = Gunicorn(env)
    worker = CeleryWorker(
        dict(os.environ),
        name="bench-load-worker",
        concurrency=2,
        log=var / "load_during_import-worker.log",
    )
    try:
        worker.start()
        clients = logged_in_clients(server.base, CLIENTS)
        for url in urls:  # every URL answers before the clock starts
            status, _body = clients[0].get(url)
            if status != 200:
                raise RuntimeError(f"{url} answered {status}")
        baseline = Load(clients, urls)
        baseline.start()
        time.sleep(BASELINE_SECONDS)
        baseline.stop()
        load = Load(clients, urls)
        load.start()
        try:
            good_run, import_seconds = import_good(source, good_path, analyst, statistician)
            from departments import uploads

            started = time.perf_counter()
            bad_run = uploads.submit_path(source=source, path=bad_path, uploaded_by=analyst)
            bad_run = wait_finished(bad_run.pk)
            failed_seconds = time.perf_counter() - started
            while time.perf_counter() - load.began < MIN_SECONDS:
                time.sleep(0.2)
        finally:
            load.stop()
    finally:
        worker.stop()
        server.stop()

    all_or_nothing, checks = sealed_check(source, good_run, bad_run, rows)
    report(
        "load_during_import",
        clients=CLIENTS,
        **load.figures(),
        seconds=round(load.seconds, 1),
        urls=len(urls),
        import_rows=good_run.row_count,
        import_seconds=round(import_seconds, 1),
        import_state=good_run.status,
        failed_import_state=bad_run.status,
        failed_import_seconds=round(failed_seconds, 1),
        all_or_nothing=all_or_nothing,
        **{k: v for k, v in baseline.figures("baseline_").items() if "p99" not in k},
    )
    if load.samples or baseline.samples:
        print("first errors:", *(load.samples + baseline.samples)[:5], sep="\n  ", file=sys.stderr)
    if not all_or_nothing:
        print(f"all or nothing failed: {checks}", file=sys.stderr)
    ok = (
        load.errors == 0
        and baseline.errors == 0
        and all_or_nothing
        and good_run.status == ImportRun.Status.ACCEPTED
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
