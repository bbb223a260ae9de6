"""xlsx_expansion: the probe's hostile workbook (a few MB that unpack to a 952 MB sheet, ratio
about 150: under the ratio limit of 200 and the 1 GB limit) through the reader the pipeline
uses (departments.importing.readers.read_table: streaming scan, capped child process).
It must be refused in at most 5 s with a peak RSS of at most 500 MB (this process and the
reading child). The workbook is written on the fly into a temporary directory."""

import os
import resource
import tempfile
import time
import zipfile
from pathlib import Path

SHEET_MB = int(os.environ.get("BENCH_XLSX_SHEET_MB", "952"))


def peak_rss_mb():
    """This process, and the reading children of its XLSX helper (grandchildren of this
    process, which RUSAGE_CHILDREN does not count: the helper reports them)."""
    from departments.importing import xlsx_process

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return round(max(own, xlsx_process.LAST_READ["peak_rss_mb"]), 1)


def main():
    from departments.importing import readers, xlsx_process
    from tests.departments.importing.hostile_xlsx import expansion_rows, write_workbook

    from .common import report

    with tempfile.TemporaryDirectory(prefix="bif-bench-xlsx-") as directory:
        path = write_workbook(Path(directory) / "expansion.xlsx", expansion_rows(SHEET_MB << 20))
        with zipfile.ZipFile(path) as archive:
            sheet = archive.getinfo("xl/worksheets/sheet1.xml")
        started = time.perf_counter()
        try:
            readers.read_table(path, filename="expansion.xlsx")
            refused = None
        except readers.ReadError as problem:
            refused = problem.finding.rule, problem.finding.params.get("limit")
        seconds = time.perf_counter() - started
        report(
            "xlsx_expansion",
            seconds=round(seconds, 2),
            peak_rss_mb=peak_rss_mb(),
            reader_rss_mb=xlsx_process.LAST_READ["peak_rss_mb"],
            file_mb=round(path.stat().st_size / 2**20, 1),
            sheet_mb=sheet.file_size >> 20,
            ratio=round(sheet.file_size / sheet.compress_size),
            refused="/".join(str(r) for r in refused) if refused else "no",
        )
    if refused is None or seconds > 5 or peak_rss_mb() > 500:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
