"""Read a workbook in a child process whose memory is capped: the one way the pipeline reads XLSX.

A parser that meets a hostile workbook may grow without bound; in the child, RLIMIT_AS ends
it at `limits.memory_mb` and the worker only learns that the limit was reached. Two such
children per workbook: the streaming scan (limits, hostile parts) and the read
(xlsx_reader.read_sheet: calamine), side by side when the zip directory declares small
sheets, else the read only after the scan passed. Each hands back its result or finding
through a file in a private temporary directory; a file the scan refuses ends the read at
once. Together they give what xlsx_reader.read_xlsx gives in one process. Their output is
discarded: a traceback could quote the file.

Starting a Python that imports pandas, Arrow and calamine costs about a second, more than
reading a 100,000-row sheet. So each process that reads workbooks starts one helper once (a
fresh interpreter, not a copy of the worker: no Django, no connections, no request in its
memory) that imports the reader and then forks one child per workbook; the cap, the time limit
and the silenced output are set in that child, which exits after the one file. A Celery
worker starts its helper when it starts (`warm_up`); elsewhere the first workbook starts it.
The standard library's forkserver would do the same, but refuses to start children from a
Celery worker, whose pool processes are daemonic.
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import gc
import json
import os
import pickle
import resource
import select
import signal
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

from .findings import ReadError, error
from .layout import ReadResult
from .xlsx_reader import check_zip, hostile_content, read_sheet
from .xlsx_scan import DEFAULT_LIMITS, XlsxLimits, scan_workbook

ROOT = Path(__file__).resolve().parents[2]
# Beyond the child's own time limit: how long the helper may take to answer at all.
ANSWER_GRACE_SECONDS = 30
READY = "ready"
# How close to the cap the child's peak address space must come to count as having hit it.
CAP_MARGIN = 32 << 20
# Beside the read's result file: the scan's (its verdict on limits and hostile parts).
SCAN_SUFFIX = ".scan"
# Up to this much sheet XML (as the zip directory declares it, shared strings included),
# calamine reads beside the scan: a 100,000-row export holds about 30 MB.
BESIDE_MAX_BYTES = 128 << 20
SHEET_PARTS = ("xl/worksheets/", "xl/sharedStrings")
BESIDE = b"+"


def read_workbook(
    path, *, sheet: str | None = None, limits: XlsxLimits = DEFAULT_LIMITS
) -> ReadResult:
    """The sheet's cells as a ReadResult, or ReadError (a limit, a hostile part, memory)."""
    with tempfile.TemporaryDirectory(prefix="bif-xlsx-") as private:
        out = Path(private) / "result.pickle"
        request = {
            "path": str(Path(path).resolve()),
            "sheet": sheet,
            "out": str(out),
            "limits": dataclasses.asdict(limits),
        }
        answer = _HELPER.run(request, timeout=limits.timeout_seconds + ANSWER_GRACE_SECONDS)
        LAST_READ["peak_rss_mb"] = round(answer.get("peak_kb", 0) / 1024, 1)
        if answer.get("timeout") or -signal.SIGALRM in (answer.get("scan"), answer.get("read")):
            raise ReadError(error("xlsx_timeout", params={"seconds": limits.timeout_seconds}))
        # The scan's verdict first: when it refuses the file, the read was ended unfinished.
        scan = _outcome(Path(f"{out}{SCAN_SUFFIX}"), limits)
        result = _outcome(out, limits)
    result.findings = hostile_content(scan, result.sheet) + result.findings
    return result


def _outcome(out: Path, limits: XlsxLimits):
    if not out.exists():
        # The child died without a word: the allocator's abort at the address-space cap.
        raise ReadError(error("xlsx_memory", params={"limit_mb": limits.memory_mb}))
    # Written by our own child into our private directory; the file only gave values.
    kind, payload = pickle.loads(out.read_bytes())  # noqa: S301
    if kind == "finding":
        raise ReadError(payload)
    return payload


# What the last workbook's children needed at most (benchmarks, diagnostics): their peak
# resident memory in MB, as the helper's wait4 saw it. Never a value of the file.
LAST_READ: dict = {"peak_rss_mb": 0.0}


def warm_up() -> None:
    """Start this process's helper now (a worker at its start), not at the first workbook."""
    _HELPER.ensure()


class _Helper:
    """The pre-warmed interpreter of this process; one request at a time (a lock)."""

    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.owner: int | None = None
        self.lock = threading.Lock()

    def ensure(self) -> None:
        with self.lock:
            self._ensure()

    def run(self, request: dict, *, timeout: float) -> dict:
        with self.lock:
            for attempt in (1, 2):
                self._ensure()
                try:
                    return self._ask(request, timeout)
                except _HelperGone:
                    # It died between two files (killed by hand, OOM killer): once more.
                    self._stop()
                    if attempt == 2:
                        raise RuntimeError("the XLSX reading helper ended unexpectedly")
        raise AssertionError("unreachable")

    def _ensure(self) -> None:
        if self.process is not None and self.owner != os.getpid():
            # Inherited through a fork (a Celery pool process): the parent's, not ours.
            self.process = None
        if self.process is not None and self.process.poll() is None:
            return
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "departments.importing.xlsx_process", "--serve"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        self.owner = os.getpid()
        if self._readline(120) != READY:
            self._stop()
            raise RuntimeError("the XLSX reading helper did not start")

    def _ask(self, request: dict, timeout: float) -> dict:
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise _HelperGone
        line = self._readline(timeout)
        if line is None:  # no answer in time: the helper itself is stuck
            self._stop()
            return {"timeout": True}
        if not line:
            raise _HelperGone
        return json.loads(line)

    def _readline(self, timeout: float) -> str | None:
        ready, _w, _x = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            return None
        return self.process.stdout.readline().strip()

    def _stop(self) -> None:
        process, self.process = self.process, None
        if process is None or self.owner != os.getpid():
            return
        process.kill()
        process.wait()

    def close(self) -> None:
        """At exit: the helper ends when its input closes."""
        if self.process is not None and self.owner == os.getpid():
            try:
                self.process.stdin.close()
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()


class _HelperGone(Exception):
    pass


_HELPER = _Helper()
atexit.register(_HELPER.close)


def _serve() -> None:
    """The helper: import the reader once, then one forked child per request line."""
    import python_calamine  # noqa: F401 - with pandas and Arrow (xlsx_reader): imported once, here

    gc.collect()
    gc.freeze()  # what the helper imported stays shared with its children, page for page
    requests, answers = sys.stdin, sys.stdout
    answers.write(READY + "\n")
    answers.flush()
    for line in requests:
        request = json.loads(line)
        out = request["out"]
        # The scan and calamine side by side, each in a capped child of its own, when the
        # zip directory says the sheets are small (a second core: the read no longer waits
        # for the scan); a file the scan then refuses ends the read at once. A larger
        # workbook is expanded by calamine only after the scan found it within the limits.
        verdict, early = os.pipe()
        scanner = _fork(functools.partial(_scan, early=early), request, out + SCAN_SUFFIX)
        os.close(early)
        with os.fdopen(verdict, "rb") as pipe:
            beside = pipe.read(1) == BESIDE  # nothing if the scan child ended first
        reader = _fork(_read, request, out) if beside else None
        answer = {"peak_kb": 0}
        answer["scan"] = _wait(scanner, answer)
        if reader is None and answer["scan"] == 0:
            reader = _fork(_read, request, out)
        if reader is not None:
            if answer["scan"] != 0:
                os.kill(reader, signal.SIGKILL)
            answer["read"] = _wait(reader, answer)
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def _fork(work, request, out) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 1  # the child: one workbook, then out
    try:
        _silence()
        # A child lives for one file: collecting the cells it builds would only cost.
        gc.disable()
        limits = XlsxLimits(**request["limits"])
        signal.alarm(max(int(limits.timeout_seconds), 1))  # default action: it ends
        code = _child(work, request["path"], request["sheet"], out, limits)
    finally:
        os._exit(code)


def _wait(pid, answer) -> int | None:
    """0 if the child found the file fine, 2 if it refused it, 1 if it broke; a signal
    (the alarm, the cap's abort, our kill) as minus its number. The child's peak resident
    memory goes into the answer (the largest of the two children)."""
    _pid, status, usage = os.wait4(pid, 0)
    answer["peak_kb"] = max(answer["peak_kb"], usage.ru_maxrss)
    return os.waitstatus_to_exitcode(status)


def _silence() -> None:
    """Nothing of the file reaches a log or the helper's pipes: 0, 1 and 2 go nowhere."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def _scan(path, sheet, limits, *, early):
    names = check_zip(path)
    with zipfile.ZipFile(path) as archive:
        declared = sum(
            archive.getinfo(name).file_size for name in names if name.startswith(SHEET_PARTS)
        )
    os.write(early, BESIDE if declared <= BESIDE_MAX_BYTES else b"-")
    os.close(early)
    return scan_workbook(path, limits)


def _read(path, sheet, limits):
    return read_sheet(path, sheet=sheet)


def _child(work, path, sheet, out, limits) -> int:
    cap = limits.memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        result = ("ok", work(Path(path), sheet, limits))
    except ReadError as problem:
        result = ("finding", problem.finding)
        if problem.finding.rule == "xlsx_invalid" and _reached(cap):
            # The reader calls what it could not allocate a broken file.
            result = ("finding", error("xlsx_memory", params={"limit_mb": limits.memory_mb}))
    except MemoryError:
        result = ("finding", error("xlsx_memory", params={"limit_mb": limits.memory_mb}))
    except Exception as problem:  # noqa: BLE001 - the parser's errors quote the file
        if _out_of_address_space(problem) or _reached(cap):
            result = ("finding", error("xlsx_memory", params={"limit_mb": limits.memory_mb}))
        else:
            result = ("finding", error("xlsx_invalid", params={"reason": "corrupt"}))
    payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    partial = Path(f"{out}.part")
    partial.write_bytes(payload)
    partial.rename(out)
    return 0 if result[0] == "ok" else 2


def _reached(cap: int) -> bool:
    """The child's address space came within a few megabytes of the cap: whatever the
    parser then said (a failed allocation surfaces as any error), the cap ended it."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("VmPeak:"):
            return int(line.split()[1]) << 10 >= cap - CAP_MARGIN
    return False


def _out_of_address_space(problem: Exception) -> bool:
    """Under the cap, Arrow may fail to start a worker thread (its stack is address space)
    before any allocation fails: that is the memory limit too. Only looked at, never shown."""
    return "Failed to launch worker thread" in str(problem)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        _serve()
