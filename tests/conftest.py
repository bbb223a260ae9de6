"""Shared fixtures: database access to both databases, users per role, a Celery worker."""

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from . import factories

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_overrides):
    """manage.py in a fresh process: production defaults (no DEBUG) plus `env_overrides`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"}
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(autouse=True)
def test_friendly_settings(settings):
    """Production defaults redirect to HTTPS and need collected static files; tests need neither."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def department(db):
    return factories.DepartmentFactory(name="Einwohnermeldewesen", code="ewo")


@pytest.fixture
def other_department(db):
    return factories.DepartmentFactory(name="Kindertagesbetreuung", code="kita")


@pytest.fixture
def source(department):
    return factories.DataSourceFactory(
        name="Einwohnerbestand", slug="einwohner", department=department
    )


@pytest.fixture
def other_source(other_department):
    return factories.DataSourceFactory(
        name="Kita-Verträge", slug="kita", department=other_department
    )


@pytest.fixture
def staff(db):
    return factories.staff_user(username="mitarbeiterin")


@pytest.fixture
def analyst(department):
    return factories.analyst_of(department, username="analyst-ewo")


@pytest.fixture
def statistician(db):
    return factories.statistician(username="statistikerin")


@pytest.fixture
def administrator(db):
    return factories.administrator(username="admin-bif")


@pytest.fixture
def no_role_user(db):
    return factories.UserFactory(username="ohne-rolle")


@pytest.fixture(autouse=True)
def sealed_snapshot_root(settings, tmp_path_factory):
    """Columnar snapshots of versions go below the session's temporary directory."""
    settings.SEALED_SNAPSHOT_ROOT = tmp_path_factory.getbasetemp() / "sealed-snapshots"
    return settings.SEALED_SNAPSHOT_ROOT


def _worker_env():
    from django.db import connections

    env = dict(os.environ)
    env["SEALED_SNAPSHOT_ROOT"] = str(settings.SEALED_SNAPSHOT_ROOT)
    # The worker must see the test databases the test session created.
    for alias, var in (("default", "DATABASE_URL"), ("sealed", "SEALED_DATABASE_URL")):
        if alias not in connections:
            continue
        conn = connections[alias].settings_dict
        if conn["ENGINE"].endswith("postgresql"):
            user = conn.get("USER") or "postgres"
            host = conn.get("HOST") or "127.0.0.1"
            port = conn.get("PORT") or 5432
            env[var] = f"postgres://{user}@{host}:{port}/{conn['NAME']}"
    return env


def _die_with_pytest():
    """In the worker before exec: the kernel kills it when pytest ends, however it ends, so
    no worker outlives a killed test run and takes the next run's tasks or holds its locks."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


_STALE_WORKERS_CHECKED = []


def _shut_down_stale_workers(app):
    """Test workers an earlier, killed run left on the broker (before `_die_with_pytest`
    they could survive) would take this run's tasks: tell them to stop, once per session."""
    if _STALE_WORKERS_CHECKED:
        return
    _STALE_WORKERS_CHECKED.append(True)
    stale = [name for reply in (app.control.ping(timeout=1.0) or []) for name in reply]
    if stale:
        app.control.shutdown(destination=stale)
        time.sleep(2)


def _maintenance_connection():
    """A connection of its own to the cluster of the test databases (None off PostgreSQL):
    usable from session fixtures, where Django's connections are blocked."""
    from django.db import connections

    conf = connections["default"].settings_dict
    if not conf["ENGINE"].endswith("postgresql"):
        return None
    import psycopg2

    connection = psycopg2.connect(
        dbname="postgres",
        user=conf.get("USER") or "postgres",
        host=conf.get("HOST") or "127.0.0.1",
        port=conf.get("PORT") or 5432,
    )
    connection.autocommit = True
    return connection


def end_worker_backends(log_name, timeout=30):
    """A killed worker's sessions end only when PostgreSQL next talks to the client; one
    waiting for a lock would wait for ever and block the test's teardown flush. End them
    (the worker's connections carry `log_name` as application_name)."""
    connection = _maintenance_connection()
    if connection is None:
        return
    deadline = time.monotonic() + timeout
    try:
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = %s",
                    [log_name],
                )
                if not cursor.fetchall():
                    return
                if time.monotonic() > deadline:
                    pytest.fail(f"the sessions of worker {log_name} did not end in {timeout} s")
                time.sleep(0.1)
    finally:
        connection.close()


def start_worker(queues, log_name):
    """Start a real Celery worker on the test databases; returns the process once it answers."""
    from bif.celery import app

    _shut_down_stale_workers(app)
    env = _worker_env()
    env["PGAPPNAME"] = log_name  # libpq: the worker's sessions are found by this name
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    (ROOT / "var").mkdir(exist_ok=True)
    log = open(ROOT / "var" / log_name, "w")  # noqa: SIM115 - closed by stop_worker
    proc = subprocess.Popen(
        [
            celery,
            "-A",
            "bif",
            "worker",
            "-Q",
            queues,
            "--pool=solo",
            "-l",
            "INFO",
            "-n",
            f"{log_name}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_die_with_pytest,  # noqa: PLW1509 - only prctl, no locks taken
    )
    proc.log = log
    proc.log_name = log_name

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"Celery worker exited with {proc.returncode}; see var/{log_name}")
        replies = app.control.ping(timeout=1.0) or []
        if any(name.startswith(log_name) for reply in replies for name in reply):
            return proc
    stop_worker(proc)
    pytest.fail("Celery worker did not answer within 60 s")


def stop_worker(proc, sig=signal.SIGTERM):
    """Stop a test worker and end its database sessions (a SIGKILL leaves them behind)."""
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    proc.log.close()
    end_worker_backends(proc.log_name)


# The session's real worker, restarted when the test databases it must use have changed
# (a module that sets up a database later, e.g. the browser tests' `sealed`).
_WORKER = {"proc": None, "target": None}


def _worker_target():
    env = _worker_env()
    return env.get("DATABASE_URL"), env.get("SEALED_DATABASE_URL")


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real Celery worker on the real broker, for tests marked `celery_worker`."""
    if not settings.CELERY_BROKER_URL:
        pytest.skip("CELERY_BROKER_URL is not set: no broker, no real worker")
    yield _WORKER
    if _WORKER["proc"] is not None:
        stop_worker(_WORKER["proc"])
        _WORKER.update(proc=None, target=None)


def _ensure_worker(django_db_blocker):
    proc, target = _WORKER["proc"], _worker_target()
    if proc is not None and proc.poll() is None and _WORKER["target"] == target:
        return proc
    if proc is not None:
        stop_worker(proc)
    with django_db_blocker.unblock():
        _WORKER.update(proc=start_worker("portal,sealed", "celery-test-worker"), target=target)
    return _WORKER["proc"]


@pytest.fixture(autouse=True)
def celery_mode(request):
    """Tasks run eagerly in tests, except those marked `celery_worker`, which use the broker."""
    from bif.celery import app

    real = request.node.get_closest_marker("celery_worker") is not None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = not real
    if real:
        request.getfixturevalue("celery_worker_process")
        _ensure_worker(request.getfixturevalue("django_db_blocker"))
    yield
    app.conf.task_always_eager = previous


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)


# --- Import runs: a source with the residents' schema ---------------------------------------


@pytest.fixture
def resident_source(source):
    from departments import services as catalog_services

    catalog_services.set_schema(source, factories.RESIDENT_SCHEMA)
    return source


@pytest.fixture
def chunked(settings):
    """Every CSV is read in chunks of 7 records, as a file larger than memory would be."""
    settings.IMPORT_CHUNK_BYTES = 0
    settings.IMPORT_CHUNK_ROWS = 7


# --- Published tables and dashboards over them (no sealed database) -------------------------


@pytest.fixture
def empty_cache():
    """The figure cache empty before and after (dashboards and their downloads)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def publish(statistician):
    """publish(slug, cells, dimensions, reference_date=…) → a new PublishedTable version."""

    def make(slug, cells, dimensions, *, reference_date=dt.date(2025, 12, 31), title=None):
        return factories.published_table(
            slug, cells, dimensions, by=statistician, reference_date=reference_date, title=title
        )

    return make


@pytest.fixture
def make_dashboard(statistician):
    from dashboards import services as dashboard_services

    def make(slug="profil", *, widgets=(), filters=("Stadtteil", "Geschlecht"), **fields):
        dashboard = dashboard_services.create_dashboard(
            statistician,
            title=fields.pop("title", slug.title()),
            slug=slug,
            filters=list(filters),
            **fields,
        )
        for spec in widgets:
            dashboard_services.add_widget(dashboard, statistician, **spec)
        if dashboard.widgets.exists():
            dashboard_services.publish_dashboard(dashboard, statistician)
        dashboard.refresh_from_db()
        return dashboard

    return make


@pytest.fixture
def clean_sealed_tables():
    """Dynamic microdata tables outlive a transactional test's flush; drop them after it."""
    yield
    from django.db import connections

    from statistics_office.microdata import store

    if "sealed" in connections:
        with connections["sealed"].cursor() as cursor:
            for name in store.microdata_tables():
                cursor.execute(f"DROP TABLE IF EXISTS {connections['sealed'].ops.quote_name(name)}")


def _audit_trigger_sql():
    import importlib

    return importlib.import_module("statistics_office.migrations.0002_audit_append_only")


@pytest.fixture(autouse=True)
def sqlite_audit_triggers(request):
    """SQLite's test flush after a transactional test deletes rows one by one, which the
    audit log's append-only triggers refuse. Drop them just before that flush and put them
    back before the next test that uses the database."""
    marker = request.node.get_closest_marker("django_db")
    from django.db import connections

    if marker is None or connections["default"].vendor != "sqlite":
        yield
        return
    request.getfixturevalue("_django_db_helper")
    sql = _audit_trigger_sql()
    with connections["default"].cursor() as cursor:
        for statement in sql.SQLITE_FORWARD:
            cursor.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))
    yield
    if marker.kwargs.get("transaction"):
        with connections["default"].cursor() as cursor:
            for statement in sql.SQLITE_BACKWARD:
                cursor.execute(statement)


def pytest_terminal_summary(terminalreporter, config):
    """Trust counts: tests/bif/test_security_headers.py counts the security headers it
    checked, tests/statistics_office/test_portal_db_scan.py the values it searched for."""
    tally = getattr(config, "bif_security_headers", None)
    if tally and tally["headers"]:
        terminalreporter.write_line(
            f"security headers checked: {tally['headers']} on {len(tally['pages'])} pages"
        )
    scan = getattr(config, "bif_portal_scan", None)
    if scan and scan["values"]:
        terminalreporter.write_line(
            f"portal database microdata scan: {scan['values']} values checked, "
            f"{scan['found']} found"
        )


@pytest.fixture
def demo_areas(db):
    """The demo city's Gebietsstand and classifications, loaded as seed_demo loads them."""
    from bif import seeding

    seeding.load_areas_and_classifications()
