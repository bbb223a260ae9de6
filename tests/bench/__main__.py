"""`make bench`: every benchmark in its own process against PostgreSQL, one JSON line each.

DATABASE_URL / SEALED_DATABASE_URL override the default databases bif_bench and
bif_bench_sealed on 127.0.0.1:5432 (user postgres); they are created if missing.
load_during_import and faults bring their own databases and brokers (see their modules).
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = [
    "tests.bench.import_csv_1m",
    "tests.bench.describe_1m",
    "tests.bench.import_xlsx_100k",
    "tests.bench.disclosure_3d_1m",
    "tests.bench.disclosure_joint_1m",
    # A real sealed worker (Redis DB 13, BENCH_BROKER_URL) answering 20 staff.
    "tests.bench.table_builder_1m",
    "tests.bench.dashboard_load",
    # No database: the demo package's 41 districts.
    "tests.bench.assign_areas_1m",
    "tests.bench.table_api",
    # No database: the hostile workbook is written on the fly.
    "tests.bench.xlsx_expansion",
    # Its own databases (bif_bench_load*) and Redis DB 11, with a real Celery worker.
    "tests.bench.load_during_import",
    # Its own throwaway PostgreSQL (55432) and Redis (56379): they are restarted.
    "tests.bench.faults",
    # Its own databases (bif_bench_city*): 4,000,000 residents x 5 versions, about 10 minutes.
    "tests.bench.city_state_4m",
]


def main():
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bif_bench")
    env.setdefault("SEALED_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bif_bench_sealed")
    env.pop("CELERY_BROKER_URL", None)
    env.setdefault("BIF_VAR_DIR", str(ROOT / "var" / "bench"))
    env["DJANGO_SETTINGS_MODULE"] = "bif.settings"
    subprocess.run([sys.executable, "-m", "tests.bench.setup"], cwd=ROOT, env=env, check=True)
    failed = 0
    for module in BENCHMARKS:
        result = subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env)
        failed += result.returncode != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
