"""dashboard_load: the "Stadtteil-Profil" dashboard page under 20 concurrent logged-in staff
sessions against gunicorn (2 workers, DEBUG=0) on the demo city (98,800 residents, 2021-2025).

Two phases, one JSON line each: "cold" right after a fresh gunicorn start (each worker's
LocMemCache is empty, so the first request per widget and filter builds the figures), then
"warm" after a warm-up. Each client cycles through the page without a filter and with each
value of the dashboard's first filter (a Stadtteil), as staff clicking through it would.

BENCH_SECONDS (default 30) is each phase's length, BENCH_CLIENTS (20) the number of clients.
Requests go to 127.0.0.1 only; the standard library is the HTTP client.
"""

import http.cookiejar
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
YEARS = (2021, 2022, 2023, 2024, 2025)
TITLE = "Stadtteil-Profil"
HOST = "127.0.0.1"
TRIVIAL = "/konto/password_change/"


# --- The demo city in the bench databases -------------------------------------------------


def ensure_demo_city():
    """Seed the demo city unless its users exist (the import benchmark leaves only a catalog
    and its own runs behind: those are discarded first, as import_csv_1m does)."""
    from django.contrib.auth import get_user_model

    from bif import seeding
    from departments.models import ImportRun
    from statistics_office.intake import versions

    if get_user_model().objects.filter(username="mitarbeiter").exists():
        return False
    for run in ImportRun.objects.all():
        versions.discard(run.pk, ImportRun.Status.ROLLED_BACK)
    ImportRun.objects.all().delete()
    started = time.perf_counter()
    seeding.seed(residents=98_800, years=YEARS)
    print(f"seeded the demo city in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return True


def find_dashboard():
    """The dashboard, created from the demo if the city was seeded before dashboards existed;
    None if there is no dashboards app (model) or no such dashboard."""
    try:
        from dashboards.models import Dashboard
    except ImportError:
        return None
    dashboard = Dashboard.objects.filter(title=TITLE).first()
    if dashboard is None:
        try:
            from dashboards.demo import create_demo_dashboards
        except ImportError:
            return None
        from django.contrib.auth import get_user_model

        create_demo_dashboards(get_user_model().objects.get(username="statistik"))
        dashboard = Dashboard.objects.filter(title=TITLE).first()
    return dashboard


# --- gunicorn ------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env():
    var = Path(os.environ["BIF_VAR_DIR"])
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bif.settings",
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
        BIF_RECORD_KEY_SECRET=os.environ.get("BIF_RECORD_KEY_SECRET", "bench-only-record-keys"),
        ALLOWED_HOSTS=HOST,
        STATIC_ROOT=str(var / "staticfiles"),
        LOG_LEVEL="WARNING",
    )
    env.pop("CELERY_BROKER_URL", None)
    return env


def collectstatic(env):
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


class Gunicorn:
    def __init__(self, env):
        self.env = env
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.log = open(Path(env["BIF_VAR_DIR"]) / "dashboard_load-gunicorn.log", "a")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                str(gunicorn),
                "bif.wsgi:application",
                "--config",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--workers",
                str(WORKERS),
                "--bind",
                f"{HOST}:{self.port}",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see its log")
            try:
                with urllib.request.urlopen(self.base + "/health/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /health/ within 60 s")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


# --- Clients -------------------------------------------------------------------------------


class Client:
    """One browser-like session: its own cookie jar, logged in through the login form."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def get(self, path, timeout=60):
        with self.opener.open(self.base + path, timeout=timeout) as response:
            return response.status, response.read()

    def login(self, username, password):
        self.get("/konto/login/")
        data = urllib.parse.urlencode(
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.cookie("csrftoken"),
                "next": "/",
            }
        ).encode()
        request = urllib.request.Request(
            self.base + "/konto/login/", data=data, headers={"Referer": self.base + "/"}
        )
        with self.opener.open(request, timeout=60) as response:
            response.read()
        if not self.cookie("sessionid"):
            raise RuntimeError(f"login as {username} failed")


def logged_in_clients(base, count):
    from bif import seeding

    clients = [Client(base) for _ in range(count)]
    for client in clients:
        client.login("mitarbeiter", seeding.DEMO_PASSWORD)
    return clients


def page_urls(dashboard):
    """The page, and the page with each value of its first filter (as its form offers them)."""
    from dashboards import services

    path = dashboard.get_absolute_url()
    urls = [path]
    options = services.filter_options(dashboard)
    if options:
        name, values = options[0]
        urls += [f"{path}?{urllib.parse.urlencode({name: code})}" for code, _label in values]
    return urls


def run_phase(clients, urls, seconds):
    latencies, errors, first = [], [], []
    causes = Counter()
    lock = threading.Lock()
    start = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def work(client, offset):
        mine, failed, why = [], 0, Counter()
        start.wait()
        i = offset
        while time.perf_counter() < deadline[0]:
            url = urls[i % len(urls)]
            i += 1
            began = time.perf_counter()
            try:
                status, _body = client.get(url)
                ok = status == 200
                cause = f"status {status}"
            except urllib.error.HTTPError as error:
                ok, cause = False, f"status {error.code}"
            except (urllib.error.URLError, OSError) as error:
                reason = getattr(error, "reason", error)
                ok, cause = False, type(reason).__name__
            if ok:
                mine.append(time.perf_counter() - began)
            else:
                failed += 1
                why[cause] += 1
        with lock:
            latencies.extend(mine)
            errors.append(failed)
            causes.update(why)
            first.extend(mine[:1])

    threads = [
        threading.Thread(target=work, args=(c, random.randrange(len(urls))), daemon=True)
        for c in clients
    ]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if causes:
        # Every failure by its cause (HTTP status or exception class), so an error is found,
        # not only counted.
        print(f"errors: {dict(causes)}", file=sys.stderr)
    return latencies, sum(errors), elapsed, first


def percentile(sorted_values, fraction):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return round(sorted_values[index] * 1000, 1)


def figures(latencies, errors, elapsed, first, cache, urls):
    values = sorted(latencies)
    return {
        "rps": round(len(values) / elapsed, 1),
        "p50_ms": percentile(values, 0.50),
        "p95_ms": percentile(values, 0.95),
        "p99_ms": percentile(values, 0.99),
        "errors": errors,
        "requests": len(values) + errors,
        "cache": cache,
        # The first request of each client: all at once, on a cold start into empty caches.
        "first_wave_p50_ms": percentile(sorted(first), 0.50),
        "clients": CLIENTS,
        "workers": WORKERS,
        "seconds": round(elapsed, 1),
        "urls": len(urls),
    }


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bif.settings")
    django.setup()
    from .common import report

    ensure_demo_city()
    dashboard = find_dashboard()
    if dashboard is None:
        report("dashboard_load", skipped="no dashboard")
        return
    if dashboard.status != "published":
        report("dashboard_load", skipped=f"dashboard {TITLE!r} is not published")
        return
    urls = page_urls(dashboard)
    env = server_env()
    collectstatic(env)

    # Cold: a fresh gunicorn, so every worker starts with an empty cache.
    server = Gunicorn(env)
    try:
        clients = logged_in_clients(server.base, CLIENTS)
        report("dashboard_load", **figures(*run_phase(clients, urls, SECONDS), "cold", urls))

        # Warm: every URL a few times from several clients, so both workers have it.
        warm_up = run_phase(clients[: min(8, CLIENTS)], urls, max(3.0, SECONDS / 6))
        if not warm_up[0]:
            raise RuntimeError("warm-up got no answer")
        warm = figures(*run_phase(clients, urls, SECONDS), "warm", urls)
        # The yardstick, measured in the same run under the same load: a logged-in page
        # that only renders the layout and one form (session, user, CSRF; no data).
        trivial = figures(*run_phase(clients, [TRIVIAL], SECONDS), "warm", [TRIVIAL])
        report(
            "dashboard_load",
            **warm,
            trivial_p95_ms=trivial["p95_ms"],
            trivial_rps=trivial["rps"],
            ratio_to_trivial=round(warm["p95_ms"] / trivial["p95_ms"], 2),
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
