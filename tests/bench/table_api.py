"""table_api: the largest published demo table through its permalink in every dissemination
format, under 20 concurrent logged-in clients against gunicorn (2 workers, DEBUG=0), with a
trivial page (/health/) measured in the same run for the ratio (goal p95 ratio <= 1.5).

One JSON line per format: {"bench": "table_api", "format", "p95_ms", "rps",
"ratio_to_trivial", ...}, and one for the trivial page. BENCH_SECONDS (default 15) is each
phase's length, BENCH_CLIENTS (20) the number of clients. The demo city is seeded as for
dashboard_load if missing.
"""

import os

import django

from .dashboard_load import (
    CLIENTS,
    Gunicorn,
    collectstatic,
    ensure_demo_city,
    logged_in_clients,
    percentile,
    run_phase,
    server_env,
)

SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))


def largest_table():
    from statistics_office.tables.models import PublishedTable

    best, size = None, -1
    current = {}
    for table in PublishedTable.objects.filter(withdrawn_at__isnull=True).defer("cells"):
        if table.version > current.get(table.definition_id, (0, None))[0]:
            current[table.definition_id] = (table.version, table.pk)
    for _version, pk in current.values():
        table = PublishedTable.objects.get(pk=pk)
        if len(table.cells) > size:
            best, size = table, len(table.cells)
    return best, size


def measure(clients, urls):
    latencies, errors, elapsed, _first = run_phase(clients, urls, SECONDS)
    values = sorted(latencies)
    return {
        "p50_ms": percentile(values, 0.50),
        "p95_ms": percentile(values, 0.95),
        "rps": round(len(values) / elapsed, 1),
        "errors": errors,
        "requests": len(values) + errors,
    }


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bif.settings")
    django.setup()
    from dissemination.formats import registry

    from .common import report

    ensure_demo_city()
    table, cells = largest_table()
    if table is None:
        report("table_api", skipped="no published table")
        return
    env = server_env()
    collectstatic(env)
    server = Gunicorn(env)
    try:
        clients = logged_in_clients(server.base, CLIENTS)
        path = f"/api/v1/tables/{table.definition.slug}/"
        # Every worker writes each format once; then the files come from its cache.
        run_phase(clients[:4], [f"{path}?format={f}" for f in registry.FORMATS], 3.0)
        trivial = measure(clients, ["/health/"])
        report("table_api", format="trivial", path="/health/", clients=CLIENTS, **trivial)
        for fmt in registry.FORMATS:
            figures = measure(clients, [f"{path}?format={fmt}"])
            ratio = (
                round(figures["p95_ms"] / trivial["p95_ms"], 2)
                if figures["p95_ms"] and trivial["p95_ms"]
                else None
            )
            report(
                "table_api",
                format=fmt,
                table=table.definition.slug,
                cells=cells,
                clients=CLIENTS,
                ratio_to_trivial=ratio,
                trivial_p95_ms=trivial["p95_ms"],
                **figures,
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
