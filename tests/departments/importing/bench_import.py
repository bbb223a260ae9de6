"""Time read_table + validate on a generated 1,000,000-row semicolon export (not a test).

.venv/bin/python tests/departments/importing/bench_import.py [rows]
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from departments.importing.readers import read_table
from departments.importing.schema import propose_mapping
from departments.importing.validation import validate

SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "geburtsdatum", "type": "date", "constraints": {"required": True}},
        {"name": "geschlecht", "type": "string", "constraints": {"enum": ["m", "w", "d"]}},
        {
            "name": "stadtteil",
            "type": "string",
            "constraints": {"enum": [f"{i:02d}" for i in range(1, 14)]},
        },
        {"name": "bezirk", "type": "string", "constraints": {"pattern": r"\d{3}"}},
        {"name": "staatsangehoerigkeit", "type": "string"},
        {"name": "haushalt", "type": "integer", "constraints": {"minimum": 1}},
        {"name": "zuzug", "type": "date"},
        {"name": "betrag", "type": "number", "constraints": {"minimum": 0}},
        {"name": "stichtag", "type": "date"},
    ],
    "primaryKey": ["id"],
}


def _dates(rng, n, start, days):
    base = np.datetime64(start) + rng.integers(0, days, n).astype("timedelta64[D]")
    return pc.strftime(pa.array(base.astype("datetime64[s]")), format="%d.%m.%Y")


def generate(path: Path, n: int) -> None:
    rng = np.random.default_rng(1)
    ids = pc.utf8_lpad(pa.array(np.arange(1, n + 1).astype(str)), 9, "0")
    nat = np.array(["deutsch", "türkisch", "polnisch", "syrisch", "österreichisch"])
    amount = np.round(rng.uniform(0, 5000, n), 2).astype(str)
    table = pa.table(
        {
            "ID": ids,
            "Geburtsdatum": _dates(rng, n, "1920-01-01", 36500),
            "Geschlecht": pa.array(np.array(["m", "w", "d"])[rng.integers(0, 3, n)]),
            "Stadtteil": pa.array(np.char.zfill(rng.integers(1, 14, n).astype(str), 2)),
            "Bezirk": pa.array(np.char.zfill(rng.integers(1, 999, n).astype(str), 3)),
            "Staatsangehörigkeit": pa.array(nat[rng.integers(0, 5, n)]),
            "Haushalt": pa.array(rng.integers(1, 9, n).astype(str)),
            "Zuzug": _dates(rng, n, "1990-01-01", 12000),
            "Betrag": pc.replace_substring(pa.array(amount), ".", ","),
            "Stichtag": pa.array(["31.12.2023"] * n),
        }
    )
    pacsv.write_csv(
        table, path, write_options=pacsv.WriteOptions(delimiter=";", quoting_style="none")
    )


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "einwohner.csv"
        # Generate in a child process so peak RSS below is the import's alone.
        child = multiprocessing.get_context("spawn").Process(target=generate, args=(path, n))
        child.start()
        child.join()
        size = path.stat().st_size
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        read = read_table(path, filename=path.name)
        middle = time.perf_counter()
        mapping = propose_mapping(list(read.frame.columns), SCHEMA)
        result = validate(read, SCHEMA, mapping)
        end = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        errors = [f.rule for f in result.errors]
        print(f"rows={len(result.typed):,} file={size / 2**20:.0f} MB errors={errors}")
        print(
            f"read_table {middle - start:.2f} s, validate {end - middle:.2f} s, "
            f"total {end - start:.2f} s"
        )
        print(f"peak RSS {peak / 1024:.0f} MB (before reading: {before / 1024:.0f} MB)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
