"""Real-browser tests: Debian's headless Chromium driven by Selenium against a live server.

Skipped, not failed, when Chromium, its driver or the selenium package is missing, so that
`make test` stays green on a machine without them. BIF_CHROMIUM / BIF_CHROMEDRIVER point
elsewhere (BIF_CHROMIUM=/nonexistent shows the skip).

The demo city is seeded once per module (about 10 s) and one live server runs over it. The
tests therefore carry no `django_db` marker: a transactional test flushes the databases after
itself, which would empty the demo city after the first step. Instead the module fixture holds
database access open for its whole module and empties both databases itself at the end (as a
transactional test would), dropping the microdata tables of the sealed database too.
"""

import json
import os
import shutil
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
E2E = Path(__file__).resolve().parent
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = os.environ.get("BIF_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("BIF_CHROMEDRIVER", "/usr/bin/chromedriver")
AXE = E2E / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1280,1024",
    "--lang=de-DE",
]

STEPS = {"passed": 0}


def _missing():
    for path, what in ((CHROMIUM, "Chromium"), (CHROMEDRIVER, "chromedriver")):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            return f"{what} not found at {path} (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the selenium package is not installed (pip install -e '.[dev]')"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=f"browser tests: {reason}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    """The counts CI prints: every browser step, and the full journey's (test_full_journey)."""
    if STEPS["passed"]:
        terminalreporter.write_line(f"browser steps passed: {STEPS['passed']}")
    if "journey" in STEPS:
        terminalreporter.write_line(f"browser journey: {STEPS['journey']} steps passed")


class Browser:
    """One Chromium with its own profile, plus the helpers the journeys need."""

    def __init__(self, base_url, name):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.base_url = base_url.rstrip("/")
        self.profile = tempfile.mkdtemp(prefix=f"bif-chromium-{name}-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROME_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self.profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        # Accept-Language as the city's staff send it: the portal answers in German.
        options.add_experimental_option("prefs", {"intl.accept_languages": "de-DE,de"})
        # An explicit driver path: Selenium Manager (which downloads drivers) never runs.
        service = Service(executable_path=CHROMEDRIVER)
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(60)
        self.driver.set_script_timeout(60)

    def quit(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    def url(self, path):
        return self.base_url + path

    def get(self, path):
        self.driver.get(self.url(path))

    @property
    def path(self):
        current = self.driver.current_url
        return current[len(self.base_url) :] if current.startswith(self.base_url) else current

    def css(self, selector):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def wait_for(self, condition, timeout=20, message=""):
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout).until(condition, message)

    def login(self, username, password):
        from selenium.webdriver.common.by import By

        self.get("/konto/login/")
        self.driver.find_element(By.ID, "id_username").send_keys(username)
        self.driver.find_element(By.ID, "id_password").send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
        self.wait_for(lambda d: "/konto/login/" not in d.current_url, message="login")

    def js_errors(self):
        """SEVERE entries of the browser log since the last call (errors and failed loads)."""
        return [e for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]

    def screenshot(self, step):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(ARTIFACTS / f"{step}.png"))

    def axe(self):
        """axe-core over the current page with the WCAG 2.0/2.1 A and AA rules."""
        source = AXE.read_text(encoding="utf-8")
        self.driver.execute_script(source)
        result = self.driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: "tag", values: arguments[0]}})
              .then(r => done({violations: r.violations.map(v => ({
                  id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))
              }))}))
              .catch(e => done({error: String(e)}));
            """,
            AXE_TAGS,
        )
        if "error" in result:
            raise AssertionError(f"axe failed: {result['error']}")
        return result["violations"]


def serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def describe(violations):
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:5])
        lines.append(f"  {v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']} – {targets}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo city (3,000 residents, 2024–2025) behind a live server, for one module."""
    from django.core.cache import cache
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    from bif.celery import app

    var = tmp_path_factory.mktemp("e2e-var")
    overrides = override_settings(
        VAR_DIR=var,
        MEDIA_ROOT=var / "media",
        UPLOAD_ROOT=var / "media" / "uploads",
        # As tests/conftest.py's test_friendly_settings, for the whole module.
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    )
    eager = app.conf.task_always_eager
    with django_db_blocker.unblock(), overrides, _test_databases():
        app.conf.task_always_eager = True
        try:
            from bif import seeding

            cache.clear()
            seeding.seed(residents=3000, years=(2024, 2025))
            server = LiveServer("localhost")
            try:
                yield server
            finally:
                server.stop()
        finally:
            app.conf.task_always_eager = eager
            _empty_databases()
            cache.clear()


# The database names as configured, before pytest-django switches them to test databases.
CONFIGURED_DATABASE_NAMES = {
    alias: str(config.get("NAME")) for alias, config in settings.DATABASES.items()
}


@contextmanager
def _test_databases():
    """pytest-django creates the test databases that the session's `django_db` markers name;
    when only these unmarked tests run, create (and at the end drop) the missing ones here."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    # An alias still on its configured database has no test database yet. (Comparing with
    # `_get_test_db_name()` is wrong once it exists: it gives "test_test_bif" then, and a new
    # database would leave a running test worker on the old one.)
    missing = [
        alias
        for alias in connections
        if connections[alias].settings_dict["NAME"] == CONFIGURED_DATABASE_NAMES.get(alias)
    ]
    # A database that is set up already (e.g. `default`, by an earlier test) is no dependency
    # to wait for: without this, Django reports a circular dependency for `sealed` alone.
    for alias in missing:
        connections[alias].settings_dict.setdefault("TEST", {})["DEPENDENCIES"] = [
            other for other in missing if other != alias and other == "default"
        ]
    config = setup_databases(verbosity=0, interactive=False, aliases=missing) if missing else []
    try:
        yield
    finally:
        if missing:
            teardown_databases(config, verbosity=0)


def _empty_databases():
    """What a transactional test does after itself: flush both databases."""
    import importlib

    from django.core.management import call_command
    from django.db import connections

    from statistics_office.microdata import store

    if "sealed" in connections:
        sealed = connections["sealed"]
        with sealed.cursor() as cursor:
            for name in store.microdata_tables():
                cursor.execute(f"DROP TABLE IF EXISTS {sealed.ops.quote_name(name)}")
    triggers = importlib.import_module("statistics_office.migrations.0002_audit_append_only")
    sqlite = connections["default"].vendor == "sqlite"
    if sqlite:  # SQLite's flush deletes row by row, which the append-only triggers refuse.
        with connections["default"].cursor() as cursor:
            for statement in triggers.SQLITE_BACKWARD:
                cursor.execute(statement)
    for alias in connections:
        call_command("flush", database=alias, interactive=False, verbosity=0)
    if sqlite:
        with connections["default"].cursor() as cursor:
            for statement in triggers.SQLITE_FORWARD:
                cursor.execute(statement)


@pytest.fixture(scope="module")
def browsers(demo_site):
    """Browsers by user name, started (and logged in) on first use, all quit at the end."""
    from bif import seeding

    started = {}

    def get(username=None):
        key = username or "anonymous"
        if key not in started:
            browser = Browser(demo_site.url, key)
            started[key] = browser
            if username:
                browser.login(username, seeding.DEMO_PASSWORD)
                browser.js_errors()
        return started[key]

    yield get
    for browser in started.values():
        browser.quit()


@contextmanager
def step(browser, name):
    """A named journey step: a screenshot afterwards (…-failed.png if it failed), counted."""
    try:
        yield
    except (pytest.skip.Exception, pytest.xfail.Exception):
        browser.screenshot(name)
        raise
    except BaseException:
        with suppress(Exception):  # a screenshot must not hide the real failure
            browser.screenshot(f"{name}-failed")
        raise
    browser.screenshot(name)
    STEPS["passed"] += 1


# Browser-log errors that are reported to the owners of the page but not fixed yet:
# {substring of the message: reason}. A page with only such errors ends as xfail.
# Substrings of browser errors that are known and tracked; empty when all is fixed.
KNOWN_JS_ERRORS: dict[str, str] = {}


def assert_no_js_errors(browser):
    """No SEVERE browser-log entry (uncaught errors, failed loads) since the last check."""
    errors = browser.js_errors()
    # A Content-Security-Policy violation (an inline script, eval, a foreign source) is
    # never a known error: it fails the step.
    blocked = [e for e in errors if "Content Security Policy" in e["message"]]
    assert not blocked, f"CSP violations on {browser.path}:\n" + json.dumps(blocked, indent=1)
    unknown = [e for e in errors if not any(k in e["message"] for k in KNOWN_JS_ERRORS)]
    assert not unknown, f"JavaScript errors on {browser.path}:\n" + json.dumps(errors, indent=1)
    if errors:
        reasons = {r for k, r in KNOWN_JS_ERRORS.items() if any(k in e["message"] for e in errors)}
        pytest.xfail(f"known JavaScript errors on {browser.path}: " + "; ".join(sorted(reasons)))
