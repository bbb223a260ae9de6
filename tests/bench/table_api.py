"""table_api: the largest published demo table through its permalink in every dissemination
format, under 20 concurrent logged-in clients against gunicorn (2 workers, DEBUG=0), with two
trivial pages measured in the same run (goal p95 ratio <= 1.5):

- `ratio_to_trivial` compares with the trivial logged-in Django page dashboard_load uses
  (issue 18's yardstick: session, user and CSRF, a layout and one form, no data), because the
  table clients are logged in too and pay the same session and user lookup;
- `ratio_to_health` compares with /health/ (no session, no template): kept, clearly labelled,
  as the floor of the stack.

The 20 clients are threads of this process (urllib): their own latency counts in the trivial
and the measured pages alike. Any non-200 answer or OSError is an error, counted per cause on
stderr.

One JSON line per format: {"bench": "table_api", "format", "p95_ms", "rps",
"ratio_to_trivial", "ratio_to_health", ...}, and one per trivial page. BENCH_SECONDS
(default 15) is each phase's length, BENCH_CLIENTS (20) the number of clients. The demo city
is seeded as for dashboard_load if missing.
"""

import os

import django

from .dashboard_load import (
    CLIENTS,
    TRIVIAL,
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


def ratio(figures, yardstick):
    if figures["p95_ms"] and yardstick["p95_ms"]:
        return round(figures["p95_ms"] / yardstick["p95_ms"], 2)
    return None


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
        health = measure(clients, ["/health/"])
        report("table_api", format="health", path="/health/", clients=CLIENTS, **health)
        trivial = measure(clients, [TRIVIAL])
        report("table_api", format="trivial", path=TRIVIAL, clients=CLIENTS, **trivial)
        for fmt in registry.FORMATS:
            figures = measure(clients, [f"{path}?format={fmt}"])
            report(
                "table_api",
                format=fmt,
                table=table.definition.slug,
                cells=cells,
                clients=CLIENTS,
                ratio_to_trivial=ratio(figures, trivial),
                trivial_p95_ms=trivial["p95_ms"],
                ratio_to_health=ratio(figures, health),
                health_p95_ms=health["p95_ms"],
                **figures,
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
