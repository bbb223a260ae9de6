"""No microdata in logs or error reports: marker values are planted in the sealed database,
failures are provoked where values travel in error texts, and every log line and report is
searched for them (bif/logging.py)."""

import io
import logging
import sys

import pytest
from django.db import DataError, IntegrityError
from django.test import Client
from django.urls import reverse

from bif.celery import app
from bif.logging import (
    MicrodataSafeExceptionReporter,
    RedactMicrodataFilter,
    redact,
    redact_exception,
)
from departments import services, uploads
from statistics_office.intake import tasks as intake_tasks
from statistics_office.intake import versions
from statistics_office.microdata import browser, reports, store
from tests import factories

MARK = "ZZLOGMARK"
SCHEMA = {
    "fields": [
        {"name": "Personen-ID", "type": "string", "constraints": {"unique": True}},
        {"name": "Name", "type": "string"},
        {"name": "Alter", "type": "integer"},
    ],
    "primaryKey": ["Personen-ID"],
}


def pg_unique_violation(value):
    return IntegrityError(
        'duplicate key value violates unique constraint "mikro_pkey"\n'
        f"DETAIL:  Key (personen_id, name)=(0001, {value}) already exists.\n"
    )


def pg_bad_row(value):
    return DataError(
        f'invalid input syntax for type integer: "{value}"\n'
        f'CONTEXT:  COPY mikro_1_2, line 3, column alter: "{value}"\n'
    )


@pytest.mark.parametrize(
    "text",
    [
        f"DETAIL:  Key (name)=({MARK} Müller) already exists.",
        f"DETAIL:  Failing row contains (17, {MARK}, 1980-01-01, null).",
        f"new row violates check constraint\nDETAIL:  Failing row contains ({MARK}, 3).",
        f'CONTEXT:  COPY mikro_1_2, line 3, column name: "{MARK}"',
        f'invalid input syntax for type integer: "{MARK}"',
        f"invalid literal for int() with base 10: '{MARK}'",
        f"KeyError: '{MARK}'",
        f'value "{MARK}" is out of range for type integer',
        f'Unable to parse string "{MARK}" at position 3',
        f'Key (name)=({MARK}) is not present in table "x".',
        # Celery logs the repr of the exception: newlines are a literal backslash-n.
        "Task x[1] raised unexpected: IntegrityError('duplicate key value violates unique "
        f'constraint "k"\\nDETAIL:  Key (name)=({MARK}) already exists.\\n\')',
        f'"GET /statistikstelle/einzeldaten/einwohner/?f0=Name&v0={MARK} HTTP/1.1" 200 512',
    ],
)
def test_redact_removes_the_value_from_every_known_shape(text):
    redacted = redact(text)
    assert MARK not in redacted
    assert "[redacted]" in redacted


def test_redact_leaves_ordinary_messages_alone():
    for text in (
        "import run 17 failed unexpectedly: IntegrityError",
        "table computation 4 failed",
        'duplicate key value violates unique constraint "mikro_pkey"',
    ):
        assert redact(text) == text


def test_a_database_error_keeps_only_its_first_line():
    assert redact_exception(pg_unique_violation(MARK)) == (
        'duplicate key value violates unique constraint "mikro_pkey"'
    )
    assert MARK not in redact_exception(pg_bad_row(MARK))


def test_every_configured_handler_carries_the_filter():
    loggers = [logging.getLogger()] + [
        logging.getLogger(name) for name in ("django", "django.server", "django.request")
    ]
    handlers = [h for logger in loggers for h in logger.handlers]
    assert handlers
    for handler in handlers:
        if type(handler).__module__.startswith("_pytest"):
            continue  # pytest's own capture
        assert any(isinstance(f, RedactMicrodataFilter) for f in handler.filters), handler


# --- Marker values in the sealed database, failures provoked ----------------------------


@pytest.fixture
def all_log_output(caplog, monkeypatch):
    """Everything logged, at DEBUG: caplog's records and text, and what the configured
    handlers (console, mail) actually write."""
    caplog.set_level(logging.DEBUG)
    for name in ("django.db.backends", "celery", "django.request", "django.server"):
        caplog.set_level(logging.DEBUG, logger=name)
    written = io.StringIO()
    console = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    console = [h for h in console if "LogCaptureHandler" not in type(h).__name__]
    for handler in console:
        monkeypatch.setattr(handler, "stream", written)

    def text():
        messages = [r.getMessage() for r in caplog.records]
        return "\n".join([caplog.text, written.getvalue(), *messages])

    return text


@pytest.fixture
def planted(source, analyst):
    services.set_schema(source, SCHEMA)
    rows = [f"{i:04d};{MARK}{i:03d};{20 + i}" for i in range(1, 21)]
    data = "Personen-ID;Name;Alter\n" + "\n".join(rows) + "\n"
    run = uploads.submit_upload(
        source=source, uploaded_by=analyst, file_name="m.csv", chunks=[data.encode()]
    )
    run.refresh_from_db()
    if run.status == "review":
        versions.activate(run.pk)
    run.refresh_from_db()
    assert run.status == "accepted", reports.findings_of(run.pk)
    return run


def a_value(source):
    """A real microdata value of the source, read from the sealed database."""
    version = store.current_version(source.pk)
    _fields, rows, _total = browser.page(version, number=1, size=1)
    value = next(v for v in rows[0] if isinstance(v, str) and v.startswith(MARK))
    assert value.startswith(MARK)
    return value


@pytest.mark.django_db(databases=["default", "sealed"], transaction=True)
@pytest.mark.usefixtures("clean_sealed_tables")
@pytest.mark.parametrize("make_error", [pg_unique_violation, pg_bad_row])
def test_an_import_failing_at_load_logs_no_value(
    source, analyst, planted, all_log_output, monkeypatch, make_error
):
    value = a_value(source)

    def fail(self, frame, record_keys):
        raise make_error(value)

    monkeypatch.setattr(store.VersionWriter, "append", fail)
    data = f"Personen-ID;Name;Alter\n0001;{value};30\n0002;{value}x;31\n"
    run = uploads.submit_upload(
        source=source, uploaded_by=analyst, file_name="n.csv", chunks=[data.encode()]
    )
    run.refresh_from_db()
    assert run.status == "failed"
    assert "failed unexpectedly" in all_log_output()
    assert MARK not in all_log_output()
    assert MARK not in run.message


@pytest.mark.django_db(databases=["default", "sealed"], transaction=True)
@pytest.mark.usefixtures("clean_sealed_tables")
@pytest.mark.parametrize("kind", ["database", "key"])
def test_an_error_in_the_microdata_browser_shows_and_logs_no_value(
    source, statistician, planted, all_log_output, monkeypatch, settings, kind
):
    settings.DEBUG = False
    value = a_value(source)

    def broken(version, **kwargs):
        if kind == "database":
            raise pg_unique_violation(value) from pg_bad_row(value)
        raise KeyError(value)

    monkeypatch.setattr(browser, "page", broken)
    factories.grant(statistician, source, "view_microdata")
    client = Client(raise_request_exception=False)
    client.force_login(statistician)
    url = reverse("statistics_office:microdata-browser", args=[source.slug])
    response = client.get(url, {"f0": "Name", "o0": "eq", "v0": value})
    assert response.status_code == 500
    assert MARK not in response.content.decode()
    assert "Internal Server Error" in all_log_output()
    assert MARK not in all_log_output()

    # The report an administrator would get by mail (and the DEBUG page) shows no value.
    reporter = MicrodataSafeExceptionReporter(response.wsgi_request, *_EXC["info"])
    assert MARK not in reporter.get_traceback_text()
    assert MARK not in reporter.get_traceback_html()


_EXC = {}


@pytest.fixture(autouse=True)
def _remember_request_exceptions():
    """Keep the exc_info of the last request exception for the reporter test."""
    from django.core.signals import got_request_exception

    def remember(sender, request=None, **kwargs):
        _EXC["info"] = sys.exc_info()

    got_request_exception.connect(remember, dispatch_uid="test-remember-exc")
    yield
    got_request_exception.disconnect(dispatch_uid="test-remember-exc")
    _EXC.clear()


@pytest.mark.django_db(databases=["default", "sealed"], transaction=True)
@pytest.mark.usefixtures("clean_sealed_tables")
def test_a_failing_celery_task_logs_no_value(source, planted, all_log_output, monkeypatch):
    value = a_value(source)

    def broken(run_id):
        raise pg_bad_row(value)

    monkeypatch.setattr(versions, "activate", broken)
    # As on a worker: the failure is logged by Celery's tracer instead of raised here.
    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    try:
        result = intake_tasks.activate_import.apply(args=[planted.pk])
    finally:
        app.conf.task_eager_propagates = propagates
    assert result.state == "FAILURE"
    assert "raised unexpected: DataError" in all_log_output()
    assert MARK not in all_log_output()


def test_a_report_hides_local_variables_post_data_and_the_query_string(rf):
    secret = f"{MARK}-lokal"
    request = rf.post(f"/statistikstelle/einzeldaten/x/?v0={MARK}", {"name": MARK})
    request.user = None
    try:
        local_value = secret  # noqa: F841 - the reporter must not show it
        raise pg_unique_violation(MARK)
    except IntegrityError:
        reporter = MicrodataSafeExceptionReporter(request, *sys.exc_info())
    for text in (reporter.get_traceback_text(), reporter.get_traceback_html()):
        assert MARK not in text
    assert "local_value" in reporter.get_traceback_html()  # the name, not the value
