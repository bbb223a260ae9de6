"""Faults around an import end in a clear state, with nothing half-written, and recover by
the product's own means: the disk full on upload, a database connection lost mid-load, the
broker unreachable when a task is sent, an error after the activation was committed.

tests/bench/faults.py injects the real faults (PostgreSQL and Redis restarted, the worker
killed, a full tmpfs); these are their regression tests, runnable on SQLite."""

import errno
import io
import os
import time

import pytest
from django.db import OperationalError, close_old_connections, connections
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerUnavailable

from departments import uploads
from departments.models import ImportRun
from statistics_office.intake import run as intake_run
from statistics_office.intake import tasks as intake_tasks
from statistics_office.intake import versions
from statistics_office.microdata import store
from statistics_office.microdata.models import MicrodataVersion
from statistics_office.tables import tasks as table_tasks
from tests.factories import GOOD, MANY, csv_file, upload

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]


@pytest.fixture
def drop_location(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return settings.UPLOAD_ROOT


def files_in(directory):
    return [p for p in directory.rglob("*") if p.is_file()] if directory.exists() else []


@pytest.fixture
def disk_full(monkeypatch):
    """Writing an upload fails with ENOSPC once 10 bytes are on disk, as on a full disk."""
    real_open = open

    class FullDisk:
        def __init__(self, handle):
            self.handle, self.written = handle, 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            if self.written + len(data) > 10:
                self.handle.write(data[: 10 - self.written])
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            self.written += len(data)
            return self.handle.write(data)

    def full_open(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        return FullDisk(handle) if "w" in mode else handle

    monkeypatch.setattr(uploads, "open", full_open, raising=False)


# --- The disk full on upload ---------------------------------------------------------------


def test_disk_full_on_upload_is_refused_naming_the_file_and_leaves_nothing(
    resident_source, drop_location, disk_full
):
    with pytest.raises(uploads.ImportRejected) as refused:
        upload(resident_source, csv_file(GOOD), name="Einwohner_2025.csv")
    message = str(refused.value)
    assert "„Einwohner_2025.csv“" in message and "Speicherplatz" in message
    assert "nichts übernommen" in message
    assert files_in(drop_location) == []  # the partly written file is gone
    assert ImportRun.objects.count() == 0


def test_disk_full_upload_through_the_page_shows_the_message_and_can_be_repeated(
    client, resident_source, analyst, drop_location, disk_full, monkeypatch
):
    client.force_login(analyst)
    data = io.BytesIO(csv_file(GOOD))
    data.name = "Einwohner_2025.csv"
    response = client.post(
        reverse("departments:upload"), {"source": resident_source.pk, "file": data}
    )
    assert response.status_code == 200
    assert "Einwohner_2025.csv" in response.content.decode() and "Speicherplatz" in (
        response.content.decode()
    )
    assert ImportRun.objects.count() == 0 and files_in(drop_location) == []

    monkeypatch.undo()  # space was freed
    run = upload(resident_source, csv_file(GOOD), name="Einwohner_2025.csv")
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED


# --- A database connection lost mid-load ---------------------------------------------------


def break_sealed_connection_mid_load(monkeypatch):
    """The sealed database goes away right after rows were copied (not yet committed)."""
    sealed = connections["sealed"]
    original_append = store.VersionWriter.append
    calls = {"append": 0, "unusable": 0}
    original_usable = sealed.is_usable

    def usable_after_restart():
        # The broken connection fails its check once; Django's next one is a new session.
        calls["unusable"] += 1
        return calls["unusable"] > 1 and original_usable()

    def append(self, frame, record_keys):
        calls["append"] += 1
        original_append(self, frame, record_keys)
        if calls["append"] == 1:
            monkeypatch.setattr(sealed, "is_usable", usable_after_restart)
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(store.VersionWriter, "append", append)
    return calls


def test_a_lost_database_connection_mid_load_reruns_the_import_and_loads_it_once(
    resident_source, drop_location, chunked, monkeypatch
):
    calls = break_sealed_connection_mid_load(monkeypatch)
    monkeypatch.setattr(uploads, "enqueue_run", lambda run: None)
    run = upload(resident_source, csv_file(MANY))
    # As a worker runs it: the task's retry runs it again (eagerly here, without the wait).
    intake_tasks.run_import.apply(args=[run.pk], throw=False)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED, (run.status, run.message)
    assert calls["append"] == 2  # the rows, the break, the whole load again
    version = MicrodataVersion.objects.get(import_run_id=run.pk)
    assert version.is_current and version.row_count == 40 == store.count_rows(version)
    assert store.microdata_tables() == [version.table_name]


def test_a_crash_between_switching_the_version_and_updating_the_run_finishes_the_switch(
    resident_source, drop_location, chunked, monkeypatch
):
    """The sealed side made the new version current, then the connection broke before the
    run's row said so: the next attempt completes the activation and loads nothing again."""
    sealed = connections["sealed"]
    original_make_current = store.make_current
    original_usable = sealed.is_usable
    calls = {"switch": 0, "unusable": 0}

    def usable_after_restart():
        calls["unusable"] += 1
        return calls["unusable"] > 1 and original_usable()

    def make_current(run_id):
        calls["switch"] += 1
        version = original_make_current(run_id)
        if calls["switch"] == 1:
            monkeypatch.setattr(sealed, "is_usable", usable_after_restart)
            raise OperationalError("server closed the connection unexpectedly")
        return version

    monkeypatch.setattr(store, "make_current", make_current)
    monkeypatch.setattr(uploads, "enqueue_run", lambda run: None)
    run = upload(resident_source, csv_file(MANY))
    intake_tasks.run_import.apply(args=[run.pk], throw=False)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED, (run.status, run.message)
    version = store.current_version(resident_source.pk)
    assert version.import_run_id == run.pk and store.count_rows(version) == 40
    assert store.microdata_tables() == [version.table_name]


class Retried(Exception):
    pass


def test_a_lost_connection_is_retried_by_the_task_not_failed(
    resident_source, drop_location, chunked, monkeypatch
):
    retried = []

    def retry(**options):
        retried.append(options)
        return Retried()

    monkeypatch.setattr(intake_tasks.run_import, "retry", retry)
    monkeypatch.setattr(uploads, "enqueue_run", lambda run: None)
    break_sealed_connection_mid_load(monkeypatch)
    run = upload(resident_source, csv_file(MANY))
    with pytest.raises(Retried):
        intake_tasks.run_import.apply(args=[run.pk], throw=True)
    run.refresh_from_db()
    # Not failed: the run waits for the task's next attempt; nothing of it was stored.
    assert run.status == ImportRun.Status.RUNNING
    assert isinstance(retried[0]["exc"], intake_run.DatabaseUnavailable)
    assert retried[0]["countdown"] == 5
    assert not MicrodataVersion.objects.filter(import_run_id=run.pk).exists()
    assert store.microdata_tables() == []


@pytest.mark.postgres
def test_on_postgres_a_terminated_session_mid_load_is_retried_and_loads_once(
    resident_source, drop_location, chunked, monkeypatch
):
    sealed = connections["sealed"]
    original_append = store.VersionWriter.append
    calls = {"append": 0}

    def append(self, frame, record_keys):
        calls["append"] += 1
        original_append(self, frame, record_keys)
        if calls["append"] == 1:  # the rows are copied, not committed: the session ends
            pid = sealed.connection.get_backend_pid()
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    monkeypatch.setattr(store.VersionWriter, "append", append)
    monkeypatch.setattr(uploads, "enqueue_run", lambda run: None)
    run = upload(resident_source, csv_file(MANY))
    intake_tasks.run_import.apply(args=[run.pk], throw=False)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED, (run.status, run.message)
    assert calls["append"] == 2
    version = MicrodataVersion.objects.get(import_run_id=run.pk)
    assert store.count_rows(version) == 40
    assert store.microdata_tables() == [version.table_name]


@pytest.mark.postgres
def test_on_postgres_a_connection_the_server_closed_is_replaced_at_the_next_request():
    """After a database restart the first request of a process gets a working connection
    (CONN_HEALTH_CHECKS), not an error from the connection the server closed."""
    default = connections["default"]
    with default.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with connections["sealed"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    close_old_connections()  # what Django does when a request starts
    with default.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.postgres
def test_on_postgres_a_second_delivery_of_a_running_import_leaves_it_alone(
    resident_source, drop_location, monkeypatch
):
    """A lost worker's message can come back while a retry of the same run is running; the
    second attempt must not load alongside it (nor drop what the first one loaded)."""
    monkeypatch.setattr(uploads, "enqueue_run", lambda run: None)
    run = upload(resident_source, csv_file(GOOD))
    other = connections.create_connection("sealed")  # the worker running the first attempt
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", [intake_run.RUN_LOCK_CLASS, run.pk]
            )
            assert cursor.fetchone()[0]
            first_worker = other.connection.get_backend_pid()
        assert intake_run.execute_run(run.pk) == ImportRun.Status.QUEUED
        run.refresh_from_db()
        assert run.status == ImportRun.Status.QUEUED and run.started_at is None
        assert store.microdata_tables() == []
    finally:
        other.close()  # the first attempt's worker is gone: its lock goes with it
    wait_until_locks_released(first_worker)
    assert intake_run.execute_run(run.pk) == ImportRun.Status.ACCEPTED


def wait_until_locks_released(backend_pid, timeout=30):
    """A closed connection's backend ends a moment later (longer on a busy machine); until
    then it still holds its locks."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections["sealed"].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s", [backend_pid])
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"backend {backend_pid} still holds locks after {timeout} s")


# --- The broker unreachable ----------------------------------------------------------------


def test_broker_unreachable_at_upload_ends_the_run_failed_ready_to_retry(
    resident_source, drop_location, monkeypatch
):
    def unreachable(*args, **kwargs):
        raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(intake_tasks.run_import, "delay", unreachable)
    run = upload(resident_source, csv_file(GOOD))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED  # not "queued" for a task never sent
    assert "nicht erreichbar" in run.message and "6379" not in run.message
    assert len(files_in(drop_location)) == 1  # the file stays for the retry
    assert store.microdata_tables() == []

    monkeypatch.undo()
    uploads.retry(run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED


def test_broker_unreachable_after_activation_keeps_the_accepted_import(
    resident_source, drop_location, monkeypatch
):
    def unreachable(*args, **kwargs):
        raise BrokerUnavailable("Connection refused.")

    monkeypatch.setattr(table_tasks.recompute_dependents, "delay", unreachable)
    run = upload(resident_source, csv_file(GOOD))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED
    version = store.current_version(resident_source.pk)
    assert version.import_run_id == run.pk and store.count_rows(version) == 4


def test_an_error_after_the_activation_never_drops_the_current_version(
    resident_source, drop_location, monkeypatch
):
    def cannot_delete(run):
        raise PermissionError("drop location is read-only")

    monkeypatch.setattr(versions, "discard_upload", cannot_delete)
    run = upload(resident_source, csv_file(GOOD))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED
    version = store.current_version(resident_source.pk)
    assert version.import_run_id == run.pk and store.count_rows(version) == 4
