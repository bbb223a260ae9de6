"""Helpers for benchmarks: peak memory and the one-line JSON report."""

import json
import resource


def peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def report(name, **figures):
    print(json.dumps({"bench": name, **figures}), flush=True)


def as_a_worker_starts():
    """Load what a Celery worker has loaded before its first task: every app's task module
    (and what they import). Without it, an eager benchmark would time the look-up that a
    process that is no worker does at its first task (bif.jobs._task)."""
    from bif.celery import app

    app.autodiscover_tasks(force=True)
    for name in ("departments.run_import", "statistics_office.tables.compute_table"):
        app.tasks[name]  # noqa: B018 - the look-up imports the modules
