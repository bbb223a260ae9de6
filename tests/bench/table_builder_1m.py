"""table_builder_1m: 20 staff build random tables of up to 3 dimensions over 1,000,000
residents, answered by a real sealed Celery worker on PostgreSQL (goal p95 <= 1 s).

One JSON line: {"bench": "table_builder_1m", "clients": 20, "p50_ms", "p95_ms", "errors",
"queries", "refused", ...}. Each client is its own staff member (budgets are per person)
and asks through the builder's service, as the page and the API do: checks, job row,
sealed worker, wait for the row. BENCH_SECONDS (60) is the measured phase, BENCH_CLIENTS
(20) the clients, BENCH_WORKER_CONCURRENCY (2) the worker's processes, BENCH_BROKER_URL
(redis://127.0.0.1:6379/13) its broker. The residents are loaded once (disclosure_3d_1m).
"""

import os
import random
import threading
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "2"))
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
KEYS = ["stadtteil", "geschlecht", "alter5", "alter_planung"]


def random_spec(rng):
    """Up to 3 dimensions (one age classification at most), sometimes a Stadtteil filter."""
    dropped = rng.choice(["alter5", "alter_planung"])
    keys = [k for k in KEYS if k != dropped]
    dims = rng.sample(keys, rng.randint(1, 3))
    spec = {"rows": dims[:-1] or dims, "columns": dims[-1:] if len(dims) > 1 else []}
    if "stadtteil" not in dims and rng.random() < 0.3:
        codes = [f"{i:02d}" for i in range(1, 14)]
        spec["filters"] = [{"item": "stadtteil", "values": rng.sample(codes, rng.randint(2, 6))}]
    return spec


def percentile(values, q):
    if not values:
        return None
    return round(values[min(len(values) - 1, int(q * len(values)))], 1)


def main():
    os.environ.update(
        CELERY_BROKER_URL=BROKER_URL,
        CELERY_RESULT_BACKEND=BROKER_URL,
        DJANGO_SETTINGS_MODULE="bif.settings",
        TABLE_BUILDER_DAILY_QUERIES="100000",
        TABLE_BUILDER_DAILY_QUERIES_PER_SOURCE="100000",
        TABLE_BUILDER_RELATED_QUERIES="100000",
    )
    from . import setup

    setup.main()
    django.setup()
    from django.db import connections

    from bif import roles, seeding
    from departments.models import DataSource
    from statistics_office.builder import services, tasks  # noqa: F401 - registers the task
    from statistics_office.builder.catalogues import offer_residents
    from statistics_office.builder.models import BuilderQuery
    from tests import factories

    from .common import report
    from .disclosure_3d_1m import ensure_residents
    from .private_services import CeleryWorker

    seeding.create_catalog()
    source = DataSource.objects.get(slug="einwohner")
    version = ensure_residents(source)
    offer_residents(source)
    users = [
        factories.UserFactory(username=f"bench-staff-{i}", role=roles.STAFF) for i in range(CLIENTS)
    ]
    BuilderQuery.objects.filter(user__in=users).delete()
    env = dict(os.environ)
    worker = CeleryWorker(
        env,
        queues="sealed",
        name="bench-builder",
        concurrency=CONCURRENCY,
        log=ROOT / "var" / "bench-builder-worker.log",
    )
    worker.start()
    latencies, errors, refused, lock = [], [0], [0], threading.Lock()

    def client(index, deadline, measure):
        rng = random.Random(index)
        try:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                query = services.wait(services.ask(users[index], source, random_spec(rng)))
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if query.status == BuilderQuery.Status.DONE:
                        if measure:
                            latencies.append(elapsed)
                    elif query.status == BuilderQuery.Status.REFUSED:
                        refused[0] += 1
                    else:
                        errors[0] += 1
        finally:
            connections.close_all()

    try:
        for phase, seconds in (("warm-up", 10.0), ("measure", SECONDS)):
            deadline = time.monotonic() + seconds
            threads = [
                threading.Thread(target=client, args=(i, deadline, phase == "measure"))
                for i in range(CLIENTS)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        worker.stop()
    values = sorted(latencies)
    report(
        "table_builder_1m",
        clients=CLIENTS,
        p50_ms=percentile(values, 0.50),
        p95_ms=percentile(values, 0.95),
        errors=errors[0],
        queries=len(values),
        refused=refused[0],
        rows=version.row_count,
        seconds=SECONDS,
        worker_concurrency=CONCURRENCY,
    )


if __name__ == "__main__":
    main()
