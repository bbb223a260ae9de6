"""Throwaway PostgreSQL and Redis instances for the fault benchmarks, and a real Celery worker.

A fault benchmark restarts its database and broker; it must never touch the machine's shared
ones. These live in a temporary directory on their own ports and are removed afterwards.
PostgreSQL refuses to run as root, so as root its commands run as the `postgres` user.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(command):
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    """A PostgreSQL cluster of its own: initdb, start, restart (fast), stop, remove."""

    def __init__(self, port):
        self.port = port
        self.directory = Path(tempfile.mkdtemp(prefix="bif-bench-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self._pg_ctl("start")

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _pg_ctl(self, action, *extra):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory}"
        subprocess.run(
            _as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    action,
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.log),
                    "-o",
                    options,
                    "-w",
                    *extra,
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def restart(self):
        """`pg_ctl restart -m fast`: every session is disconnected, open transactions abort."""
        self._pg_ctl("restart", "-m", "fast")

    def close(self):
        with contextlib.suppress(subprocess.CalledProcessError):
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


class PrivateRedis:
    """A Redis of its own without persistence (a restart loses what it held)."""

    def __init__(self, port):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
            )
            if ping.stdout.strip() == "PONG":
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)

    def restart(self, down_seconds=0.0):
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def close(self):
        self.stop()


class CeleryWorker:
    """A real Celery worker (prefork, as deployed) in its own process group."""

    def __init__(self, env, *, queues="portal,sealed", name="bench-worker", concurrency=1, log):
        self.env, self.queues, self.name = env, queues, name
        self.concurrency, self.log_path = concurrency, Path(log)
        self.proc = None

    def start(self, timeout=60):
        from bif.celery import app

        celery = Path(os.sys.executable).parent / "celery"
        self.log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                str(celery),
                "-A",
                "bif",
                "worker",
                "-Q",
                self.queues,
                "--concurrency",
                str(self.concurrency),
                "-n",
                f"{self.name}@%h",
                "-l",
                "INFO",
            ],
            cwd=Path(__file__).resolve().parents[2],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Celery worker exited with {self.proc.returncode}")
            try:
                replies = app.control.ping(timeout=1.0) or []
            except Exception:  # noqa: BLE001 - the broker itself may just have restarted
                replies = []
                time.sleep(0.2)
            if any(n.startswith(self.name) for reply in replies for n in reply):
                return self
        self.stop()
        raise RuntimeError(f"Celery worker did not answer within {timeout} s")

    def kill(self, sig):
        os.killpg(self.proc.pid, sig)
        self.proc.wait(timeout=30)
        self.log.close()

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        import signal

        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()
