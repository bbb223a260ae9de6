"""faults: an import of the 1,000,000-resident CSV hit by a fault halfway through its load,
one JSON line per fault: PostgreSQL restarted (`pg_ctl restart -m fast`), Redis restarted,
the Celery worker killed (SIGKILL on its process group), the disk full on upload.

Each fault must end in a clear state (the run failed with a message, or completed after the
task's own retry), with nothing half-written in the sealed database (no table without its
version row, no version with fewer rows than the file, no version of a failed run), and the
file must then load fully by the product's own means (the task's retry, the stale-run check
plus the retry button's service, uploading again).

Runs on its own throwaway PostgreSQL cluster (port BENCH_FAULT_PG_PORT, 55432) and Redis
(BENCH_FAULT_REDIS_PORT, 56379), never on the machine's shared ones, with a real worker.
"""

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
PG_PORT = int(os.environ.get("BENCH_FAULT_PG_PORT", "55432"))
REDIS_PORT = int(os.environ.get("BENCH_FAULT_REDIS_PORT", "56379"))
RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", "1000000"))
CHUNK_ROWS = 200_000  # several chunks, so a fault lands between two of them
STALE_SECONDS = 5
TERMINAL = {"accepted", "awaiting_review", "failed", "cancelled", "rolled_back", "superseded"}
LOADED = {"accepted", "awaiting_review"}


# --- Database access that survives the database restarting under it ----------------------


def _reset_connections():
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()


def resilient(query, attempts=100):
    """Run a query, reconnecting while the database restarts."""
    from django.db import Error

    for _ in range(attempts):
        try:
            return query()
        except Error:
            _reset_connections()
            time.sleep(0.1)
    return query()


def run_row(run_id):
    from departments.models import ImportRun

    return resilient(lambda: ImportRun.objects.get(pk=run_id))


def wait_for(run_id, condition, timeout):
    deadline = time.monotonic() + timeout
    while True:
        run = run_row(run_id)
        if condition(run) or time.monotonic() > deadline:
            return run
        time.sleep(0.05)


def mid_load(run):
    """The fault lands while rows are being copied in the still-open load transaction."""
    return run.status in TERMINAL or (run.stage == "loading" and (run.row_count or 0) > 0)


def finished(run):
    return run.status in TERMINAL


def sealed_state(run_id, expected_rows):
    """What the sealed database holds for this run, and anything half-written in it."""
    from statistics_office.microdata import store
    from statistics_office.microdata.models import MicrodataVersion

    def look():
        versions = list(MicrodataVersion.objects.all())
        known = {v.table_name for v in versions}
        mine = [v for v in versions if v.import_run_id == run_id]
        return {
            "orphan_tables": [t for t in store.microdata_tables() if t not in known],
            "versions": len(mine),
            "complete": all(
                v.row_count == expected_rows and store.count_rows(v) == expected_rows for v in mine
            ),
        }

    return resilient(look)


def half_written(run, state):
    """A table without its version row, a short version, or a failed run that left a version."""
    return bool(
        state["orphan_tables"]
        or not state["complete"]
        or (run.status not in LOADED and state["versions"])
    )


def fully_loaded(run, state):
    return run.status in LOADED and state["versions"] == 1 and state["complete"]


def fresh_start(source):
    """Forget earlier runs of the source, so the same file can be submitted again."""
    from departments.models import ImportRun
    from statistics_office.intake import versions

    for run in ImportRun.objects.filter(source=source):
        versions.discard(run.pk, ImportRun.Status.ROLLED_BACK)
    ImportRun.objects.filter(source=source).delete()


# --- The faults ----------------------------------------------------------------------------


class Bench:
    def __init__(self, pg, redis, worker, source, path, rows):
        self.pg, self.redis, self.worker = pg, redis, worker
        self.source, self.path, self.rows = source, path, rows

    def start_import(self):
        from departments import uploads

        fresh_start(self.source)
        run = uploads.submit_path(source=self.source, path=self.path)
        hit = wait_for(run.pk, mid_load, timeout=120)
        if hit.status in TERMINAL:
            raise RuntimeError(f"the import ended ({hit.status}) before the fault could land")
        self.copied_at_fault = hit.row_count  # copied into the still-open load transaction
        return run.pk

    def outcome(self, name, run_id, fault_at, first, recovery, *, left_behind=False, **extra):
        """Recovery is proven by the run ending loaded with exactly the file's rows."""
        run = wait_for(run_id, finished, timeout=180)
        state = sealed_state(run_id, self.rows)
        figures = {
            "state": first.status,
            "message": first.message[:160],
            "half_written": left_behind
            or half_written(first, self.first_state)
            or half_written(run, state),
            "recovered": fully_loaded(run, state),
            "recovery": recovery,
            "final_state": run.status,
            "rows": run.row_count,
            "rows_copied_at_fault": self.copied_at_fault,
            "seconds": round(time.monotonic() - fault_at, 1),
            **extra,
        }
        from .common import report

        report(name, **figures)
        return not figures["half_written"] and figures["recovered"]

    def settle(self, run_id, timeout):
        """The run's first clear state after the fault, and what the sealed side held then."""
        first = wait_for(run_id, finished, timeout=timeout)
        self.first_state = sealed_state(run_id, self.rows)
        return first

    def postgres_restart(self):
        from departments import uploads

        run_id = self.start_import()
        fault_at = time.monotonic()
        self.pg.restart()
        left = sealed_state(run_id, self.rows)
        left_behind = bool(left["orphan_tables"] or left["versions"])
        first = self.settle(run_id, timeout=120)
        recovery = "task retry" if first.status in LOADED else "none"
        if first.status == "failed":
            uploads.retry(first)
            recovery = "retry"
        elif first.status not in TERMINAL:
            recovery = "stuck"
        return self.outcome(
            "fault_postgres_restart", run_id, fault_at, first, recovery, left_behind=left_behind
        )

    def redis_restart(self):
        from bif.tasks import ping
        from departments import uploads

        run_id = self.start_import()
        fault_at = time.monotonic()
        self.redis.restart(down_seconds=2.0)
        first = self.settle(run_id, timeout=120)
        recovery = "none needed" if first.status in LOADED else "none"
        if first.status == "failed":
            uploads.retry(first)
            recovery = "retry"
        # The worker reconnected on its own: a task still makes the round trip.
        try:
            reconnected = ping.delay("after-restart").get(timeout=60) == {"reply": "after-restart"}
        except Exception:  # noqa: BLE001 - any failure means: not reconnected
            reconnected = False
        return self.outcome(
            "fault_redis_restart", run_id, fault_at, first, recovery, worker_reconnected=reconnected
        )

    def worker_killed(self):
        from departments import uploads
        from statistics_office.intake import tasks as intake_tasks

        run_id = self.start_import()
        fault_at = time.monotonic()
        self.worker.kill(signal.SIGKILL)
        time.sleep(1.0)  # PostgreSQL notices the closed connection and aborts its transaction
        left = sealed_state(run_id, self.rows)
        left_behind = bool(left["orphan_tables"] or left["versions"])
        # The worker comes back (its supervisor restarts it); the beat task finds the silent
        # run once IMPORT_STALE_SECONDS have passed and ends it as failed.
        self.worker.start()
        time.sleep(STALE_SECONDS)
        intake_tasks.fail_stale_runs.delay().get(timeout=60)
        first = self.settle(run_id, timeout=30)
        recovery = "none"
        if first.status == "failed":
            uploads.retry(first)
            recovery = "stale check + retry"
        return self.outcome(
            "fault_worker_killed", run_id, fault_at, first, recovery, left_behind=left_behind
        )

    def disk_full(self):
        from django.conf import settings

        from departments import uploads
        from departments.models import ImportRun

        fresh_start(self.source)
        full = Path(settings.VAR_DIR) / "full-disk"
        full.mkdir(parents=True, exist_ok=True)
        method = mount_small_tmpfs(full)
        normal_root = settings.UPLOAD_ROOT
        settings.UPLOAD_ROOT = full / "uploads"
        undo = None if method == "tmpfs" else patch_no_space()
        fault_at = time.monotonic()
        outcome, message = "not refused", ""
        try:
            uploads.submit_path(source=self.source, path=self.path)
        except uploads.ImportRejected as rejected:
            outcome, message = "refused", str(rejected)
        except OSError as error:
            outcome, message = f"error {type(error).__name__}", str(error)
        finally:
            if undo:
                undo()
            settings.UPLOAD_ROOT = normal_root
            leftovers = [p for p in full.rglob("*") if p.is_file()]
            if method == "tmpfs":
                subprocess.run(["umount", str(full)], check=False)
        runs_left = ImportRun.objects.filter(source=self.source).count()
        # Recovery: space is freed (here: the normal upload location), the same file again.
        run = uploads.submit_path(source=self.source, path=self.path)
        run = wait_for(run.pk, finished, timeout=180)
        state = sealed_state(run.pk, self.rows)
        from .common import report

        figures = {
            "state": outcome,
            "message": message[:160],
            "names_file": self.path.name in message,
            "half_written": bool(leftovers or runs_left),
            "recovered": fully_loaded(run, state),
            "recovery": "upload again",
            "final_state": run.status,
            "rows": run.row_count,
            "method": method,
            "seconds": round(time.monotonic() - fault_at, 1),
        }
        report("fault_disk_full", **figures)
        return (
            outcome == "refused"
            and figures["names_file"]
            and not figures["half_written"]
            and figures["recovered"]
        )


def mount_small_tmpfs(directory):
    """A real ENOSPC: a 16 MB tmpfs for a 60 MB upload (as root); otherwise simulated."""
    if os.geteuid() != 0:
        return "simulated"
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(directory)],
        capture_output=True,
    )
    return "tmpfs" if mounted.returncode == 0 else "simulated"


def patch_no_space():
    """Without root: the upload's file write fails with ENOSPC after the first 16 MB."""
    from departments import uploads

    real_open = open

    class Full:
        def __init__(self, handle):
            self.handle, self.written = handle, 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.written += len(data)
            if self.written > 16 * 1024 * 1024:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return self.handle.write(data)

    def fake_open(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        return Full(handle) if "w" in mode else handle

    uploads.open = fake_open
    return lambda: delattr(uploads, "open")


# --- Setup ---------------------------------------------------------------------------------


def main():
    from .private_services import CeleryWorker, PrivatePostgres, PrivateRedis

    var = Path(os.environ.get("BIF_VAR_DIR", ROOT / "var" / "bench"))
    path = var / "bench-files" / f"einwohner_{RESIDENTS}.csv"
    if not path.exists():
        from .import_csv_1m import generate

        path.parent.mkdir(parents=True, exist_ok=True)
        generate(path)
    rows = sum(1 for _ in path.open("rb")) - 1

    pg = PrivatePostgres(PG_PORT)
    redis = PrivateRedis(REDIS_PORT)
    worker = None
    ok = False
    try:
        os.environ.update(
            DATABASE_URL=pg.url("bif_faults"),
            SEALED_DATABASE_URL=pg.url("bif_faults_sealed"),
            CELERY_BROKER_URL=redis.url,
            CELERY_RESULT_BACKEND=redis.url,
            BIF_VAR_DIR=str(var / "faults"),
            IMPORT_CHUNK_ROWS=str(CHUNK_ROWS),
            IMPORT_STALE_SECONDS=str(STALE_SECONDS),
            DJANGO_SETTINGS_MODULE="bif.settings",
            LOG_LEVEL="WARNING",
        )
        from . import setup

        setup.main()  # creates and migrates both databases, sets Django up
        django.setup()
        from bif import seeding
        from departments.models import DataSource

        seeding.create_catalog()
        source = DataSource.objects.get(slug="einwohner")
        worker = CeleryWorker(
            dict(os.environ), name="bench-fault-worker", log=var / "faults" / "worker.log"
        ).start()
        bench = Bench(pg, redis, worker, source, path, rows)
        results = [
            bench.postgres_restart(),
            bench.redis_restart(),
            bench.worker_killed(),
            bench.disk_full(),
        ]
        ok = all(results)
    finally:
        if worker:
            worker.stop()
        _reset_connections()
        redis.close()
        pg.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
