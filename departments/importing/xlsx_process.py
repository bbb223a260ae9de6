"""Read a workbook in a child process whose memory is capped: the one way the pipeline reads XLSX.

A parser that meets a hostile workbook may grow without bound; in the child, RLIMIT_AS ends
it at `limits.memory_mb` and the worker only learns that the limit was reached. The child
runs the same pure reader (xlsx_reader.read_xlsx: streaming scan, then calamine) and hands
back the ReadResult or the finding through a file in a private temporary directory. Its
output is discarded: a traceback could quote the file.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from .findings import ReadError, error
from .layout import ReadResult
from .xlsx_scan import DEFAULT_LIMITS, XlsxLimits

ROOT = Path(__file__).resolve().parents[2]


def read_workbook(
    path, *, sheet: str | None = None, limits: XlsxLimits = DEFAULT_LIMITS
) -> ReadResult:
    """The sheet's cells as a ReadResult, or ReadError (a limit, a hostile part, memory)."""
    with tempfile.TemporaryDirectory(prefix="bif-xlsx-") as private:
        out = Path(private) / "result.pickle"
        command = [
            sys.executable,
            "-m",
            "departments.importing.xlsx_process",
            str(Path(path).resolve()),
            sheet if sheet is not None else "",
            "1" if sheet is not None else "0",
            str(out),
            json.dumps(dataclasses.asdict(limits)),
        ]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
        try:
            subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=limits.timeout_seconds,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ReadError(error("xlsx_timeout", params={"seconds": limits.timeout_seconds}))
        if not out.exists():
            # The child died without a word: the allocator's abort at the address-space cap.
            raise ReadError(error("xlsx_memory", params={"limit_mb": limits.memory_mb}))
        # Written by our own child into our private directory; the file only gave values.
        kind, payload = pickle.loads(out.read_bytes())  # noqa: S301
    if kind == "finding":
        raise ReadError(payload)
    return payload


def _child(path, sheet, out, limits):
    cap = limits.memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    from .xlsx_reader import read_xlsx

    try:
        result = ("ok", read_xlsx(Path(path), sheet=sheet, limits=limits))
    except ReadError as problem:
        result = ("finding", problem.finding)
    except MemoryError:
        result = ("finding", error("xlsx_memory", params={"limit_mb": limits.memory_mb}))
    except Exception as problem:  # noqa: BLE001 - the parser's errors quote the file
        if _out_of_address_space(problem):
            result = ("finding", error("xlsx_memory", params={"limit_mb": limits.memory_mb}))
        else:
            result = ("finding", error("xlsx_invalid", params={"reason": "corrupt"}))
    payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    partial = Path(f"{out}.part")
    partial.write_bytes(payload)
    partial.rename(out)


def _out_of_address_space(problem: Exception) -> bool:
    """Under the cap, Arrow may fail to start a worker thread (its stack is address space)
    before any allocation fails: that is the memory limit too. Only looked at, never shown."""
    return "Failed to launch worker thread" in str(problem)


if __name__ == "__main__":
    _path, _sheet, _has_sheet, _out, _limits = sys.argv[1:6]
    _child(_path, _sheet if _has_sheet == "1" else None, _out, XlsxLimits(**json.loads(_limits)))
