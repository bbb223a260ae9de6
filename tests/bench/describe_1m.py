"""describe_1m: schema inference (describe) on the demo generator's 1,000,000-resident CSV:
layout, types in German notation verified on every distinct value of a column (one hash
pass, which keys and code lists need anyway), keys, code lists, roles.
Goal: at most 2 s. The file is the one import_csv_1m uses (generated once)."""

import os
import time
from pathlib import Path

import django

from .import_csv_1m import RESIDENTS, generate


def main():
    django.setup()
    from departments import onboarding

    from .common import peak_rss_mb, report

    directory = Path(os.environ["BIF_VAR_DIR"]) / "bench-files"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"einwohner_{RESIDENTS}.csv"
    if not path.exists():
        generate(path)
    started = time.perf_counter()
    description = onboarding.describe_file(path)
    seconds = time.perf_counter() - started
    report(
        "describe_1m",
        rows=description["row_count"],
        fields=len(description["schema"]["fields"]),
        seconds=round(seconds, 2),
        peak_rss_mb=peak_rss_mb(),
    )


if __name__ == "__main__":
    main()
