"""A city-state on one machine: 4,000,000 residents × 5 yearly versions (2021–2025).

Lines: `import_csv_4m` (the 2025 file end to end, against a bare COPY of it),
`disclosure_3d_4m` and `cellkey_3d_4m` (13 Stadtteile × 20 age bands × 3 sexes with all
margins), `timeseries_4m_5v` (Stadtteil × sex over the 5 versions, protected), and
`aggregate_engines_4m` (the same 3-D count aggregation in PostgreSQL and in DuckDB over a
Parquet snapshot of the version, each timed in this run). Each with its peak RSS.

Its own databases (bif_bench_city, bif_bench_city_sealed; BENCH_CITY_DATABASE_URL /
BENCH_CITY_SEALED_DATABASE_URL), so the other benchmarks' versions stay as they are. The
five files (about 300 MB each) are generated once into BIF_VAR_DIR/bench-files.
BENCH_CITY_RESIDENTS changes the size.
"""

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import django

RESIDENTS = int(os.environ.get("BENCH_CITY_RESIDENTS", "4000000"))
YEARS = (2021, 2022, 2023, 2024, 2025)
DATABASE_URL = os.environ.get(
    "BENCH_CITY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bif_bench_city"
)
SEALED_DATABASE_URL = os.environ.get(
    "BENCH_CITY_SEALED_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bif_bench_city_sealed"
)
THREE_D = [
    {"field": "Stadtteil", "kind": "code"},
    {"field": "Geburtsdatum", "kind": "age_band", "bands": "5y95"},
    {"field": "Geschlecht", "kind": "code"},
]


def generate(path, year):
    # In its own process, so the generator's memory does not count as the pipeline's.
    code = (
        "from departments.demo import generator;"
        f"generator.write_source_csv('einwohner', {str(path)!r}, year={year}, "
        f"residents={RESIDENTS})"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def files(directory):
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for year in YEARS:
        path = directory / f"einwohner_{RESIDENTS}_{year}.csv"
        if not path.exists():
            generate(path, year)
        paths[year] = path
    return paths


def import_file(source, path):
    from departments import uploads
    from departments.models import ImportRun
    from statistics_office.intake import versions

    run = uploads.submit_path(source=source, path=path)
    run.refresh_from_db()
    if run.status == ImportRun.Status.AWAITING_REVIEW:
        versions.activate(run.pk)  # warnings acknowledged at once, as import_csv_1m does
        run.refresh_from_db()
    if run.status != ImportRun.Status.ACCEPTED:
        raise SystemExit(f"import of {path.name} ended {run.status}: {run.message}")
    return run


def definition(slug, user, source, dimensions, method="suppression", reference_runs=()):
    from statistics_office.tables.models import TableDefinition

    table, _ = TableDefinition.objects.update_or_create(
        slug=slug,
        defaults={
            "title": slug,
            "dimensions": dimensions,
            "measure": "count",
            "method": method,
            "created_by": user,
            "reference_runs": list(reference_runs),
        },
    )
    table.sources.set([source])
    return table


def protected(table):
    from statistics_office.tables import services

    started = time.perf_counter()
    cells, _layout, stats, info = services.compute_protected(table)
    return time.perf_counter() - started, stats, info


def engines(version):
    """The 3-D count aggregation (with the age bands) in PostgreSQL and in DuckDB reading a
    Parquet snapshot of the same version; the snapshot's writing is timed apart."""
    import duckdb
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    from django.db import connections

    connection = connections["sealed"]
    q = connection.ops.quote_name
    table = q(version.table_name)
    district, born, sex = (version.columns[f] for f in ("Stadtteil", "Geburtsdatum", "Geschlecht"))
    day = version.reference_date.isoformat()
    age = f"LEAST(19, FLOOR(DATE_PART('year', AGE(DATE '{day}', {q(born)})) / 5))"
    sql = (
        f"SELECT {q(district)}, {age} AS band, {q(sex)}, COUNT(*) FROM {table} "
        f"GROUP BY CUBE ({q(district)}, band, {q(sex)})"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        postgres_rows = cursor.fetchall()
    postgres_s = time.perf_counter() - started

    snapshot = Path(os.environ["BIF_VAR_DIR"]) / "bench-files" / f"{version.table_name}.parquet"
    started = time.perf_counter()
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY (SELECT {q(district)} AS district, {q(born)} AS born, {q(sex)} AS sex "
            f"FROM {table}) TO STDOUT WITH (FORMAT csv, HEADER true)",
            buffer,
        )
    buffer.seek(0)
    kept_as_text = {"district": pa.string(), "sex": pa.string()}  # "04" stays "04"
    frame = pacsv.read_csv(buffer, convert_options=pacsv.ConvertOptions(column_types=kept_as_text))
    pq.write_table(frame, snapshot)
    snapshot_s = time.perf_counter() - started

    duck_sql = (
        "SELECT district, LEAST(19, FLOOR(DATE_SUB('year', born, DATE '" + day + "') / 5)) "
        "AS band, sex, COUNT(*) FROM read_parquet(?) GROUP BY CUBE (district, band, sex)"
    )
    started = time.perf_counter()
    duck_rows = duckdb.connect().execute(duck_sql, [str(snapshot)]).fetchall()
    duckdb_s = time.perf_counter() - started
    snapshot.unlink()

    def counts(rows):
        return {tuple(None if v is None else str(v) for v in row[:3]): row[3] for row in rows}

    return {
        "postgres_s": round(postgres_s, 2),
        "duckdb_s": round(duckdb_s, 2),
        "snapshot_s": round(snapshot_s, 2),
        "groups": len(postgres_rows),
        "same_counts": counts(postgres_rows) == counts(duck_rows),
    }


def main():
    var = Path(os.environ.get("BIF_VAR_DIR", Path(__file__).resolve().parents[2] / "var" / "bench"))
    os.environ.update(
        DATABASE_URL=DATABASE_URL,
        SEALED_DATABASE_URL=SEALED_DATABASE_URL,
        BIF_VAR_DIR=str(var),
        DJANGO_SETTINGS_MODULE="bif.settings",
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    paths = files(var / "bench-files")
    from . import setup

    setup.main()
    django.setup()
    # A worker has its task modules (and what they import) loaded when it starts.
    import statistics_office.tables.tasks  # noqa: F401
    from bif import roles, seeding
    from departments.models import DataSource, ImportRun
    from statistics_office.intake import versions
    from statistics_office.tables import tasks as table_tasks
    from tests import factories

    from .common import peak_rss_mb, report
    from .import_csv_1m import bare_copy

    table_tasks.recompute_dependents.delay = lambda source_id: None
    seeding.create_catalog()
    source = DataSource.objects.get(slug="einwohner")
    for old in ImportRun.objects.filter(source=source):
        versions.discard(old.pk, ImportRun.Status.ROLLED_BACK)
    ImportRun.objects.filter(source=source).delete()

    runs = [import_file(source, paths[year]) for year in YEARS[:-1]]
    started = time.perf_counter()
    last = import_file(source, paths[YEARS[-1]])
    seconds = time.perf_counter() - started
    runs.append(last)
    header = paths[YEARS[-1]].open(encoding="utf-8").readline().strip().split(";")
    copy_seconds = bare_copy(paths[YEARS[-1]], header)
    report(
        "import_csv_4m",
        rows=last.row_count,
        seconds=round(seconds, 2),
        rows_per_s=round(last.row_count / seconds),
        copy_seconds=round(copy_seconds, 2),
        ratio_to_copy=round(seconds / copy_seconds, 2),
        peak_rss_mb=peak_rss_mb(),
    )

    user = factories.UserFactory(username="bench-stadtstaat", role=roles.STATISTICIAN)
    for method, name, goal in (
        ("suppression", "disclosure_3d_4m", 3.0),
        ("cellkey", "cellkey_3d_4m", 1.5),
    ):
        table = definition(f"stadtstaat-3d-{method}", user, source, THREE_D, method)
        seconds, stats, info = protected(table)
        figures = {"rows": last.row_count, "seconds": round(seconds, 2), "goal_s": goal}
        figures.update({k: round(v, 2) for k, v in info["timings"].items()})
        figures.update(cells=stats["cells"], suppressed=stats.get("suppressed"))
        report(name, **figures, peak_rss_mb=peak_rss_mb())

    series = definition(
        "stadtstaat-zeitreihe",
        user,
        source,
        [{"field": "Stadtteil", "kind": "code"}, {"field": "Geschlecht", "kind": "code"}],
        reference_runs=[r.pk for r in runs],
    )
    seconds, stats, info = protected(series)
    report(
        "timeseries_4m_5v",
        versions=len(runs),
        rows=sum(r.row_count for r in runs),
        seconds=round(seconds, 2),
        aggregate_s=round(info["timings"]["aggregate_s"], 2),
        cells=stats["cells"],
        peak_rss_mb=peak_rss_mb(),
    )

    from statistics_office.microdata import store

    report(
        "aggregate_engines_4m",
        rows=last.row_count,
        **engines(store.current_version(source.pk)),
        peak_rss_mb=peak_rss_mb(),
    )


if __name__ == "__main__":
    main()
