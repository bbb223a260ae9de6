"""A busy database (SQLite with several clients) neither loses a denial from the audit log
nor turns a refused request into a 500; SQLite writers wait for each other."""

import logging
import sqlite3
import threading

import pytest
from django.conf import settings
from django.db import OperationalError
from django.urls import reverse

from bif import audit
from statistics_office.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


def busy(times, real=audit._append):
    """audit._append that finds the database locked `times` times, then writes."""
    calls = []

    def append(entry):
        calls.append(entry)
        if len(calls) <= times:
            raise OperationalError("database is locked")
        return real(entry)

    return append


def test_a_locked_database_is_retried_and_the_denial_is_written(client, staff, source, monkeypatch):
    monkeypatch.setattr(audit, "_append", busy(2))
    monkeypatch.setattr(audit.clock, "sleep", lambda seconds: None)
    client.force_login(staff)
    response = client.get(reverse("statistics_office:microdata-browser", args=[source.slug]))
    assert response.status_code == 404
    (entry,) = AuditEntry.objects.filter(action="access_denied")
    assert entry.username == staff.username and entry.outcome == "denied"


def test_a_denial_whose_entry_cannot_be_written_stays_a_404_and_is_logged(
    client, staff, source, monkeypatch, caplog
):
    monkeypatch.setattr(audit, "_append", busy(99))
    monkeypatch.setattr(audit.clock, "sleep", lambda seconds: None)
    client.force_login(staff)
    with caplog.at_level(logging.ERROR, logger="bif.audit"):
        response = client.get(reverse("statistics_office:microdata-browser", args=[source.slug]))
    assert response.status_code == 404
    assert "access_denied (denied)" in caplog.text and staff.username in caplog.text
    assert f"after {audit.WRITE_ATTEMPTS} tries" in caplog.text


def test_an_access_whose_entry_cannot_be_written_fails_closed(staff, monkeypatch):
    monkeypatch.setattr(audit, "_append", busy(99))
    monkeypatch.setattr(audit.clock, "sleep", lambda seconds: None)
    with pytest.raises(OperationalError):
        audit.record(action=audit.Action.MICRODATA_VIEW, user=staff)


def test_sqlite_uses_wal_a_busy_timeout_and_immediate_transactions():
    for alias in ("default", "sealed"):
        options = settings.DATABASES[alias].get("OPTIONS", {})
        if not settings.DATABASES[alias]["ENGINE"].endswith("sqlite3"):
            pytest.skip("SQLite settings only")
        assert "journal_mode=WAL" in options["init_command"]
        assert options["timeout"] >= 10
        assert options["transaction_mode"] == "IMMEDIATE"


def test_three_sqlite_clients_reading_then_writing_wait_instead_of_failing(tmp_path):
    """What the audit log does (read the head, write the next entry), by three clients at
    once on a file database opened as the settings open it: no 'database is locked'."""
    options = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
    }
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        options = settings.DATABASES["default"]["OPTIONS"]
    path = tmp_path / "busy.sqlite3"
    setup = sqlite3.connect(path)
    setup.executescript(
        "PRAGMA journal_mode=WAL; CREATE TABLE head (n INTEGER); INSERT INTO head VALUES (0);"
    )
    setup.close()
    errors = []

    def client():
        db = sqlite3.connect(path, timeout=options["timeout"], isolation_level=None)
        db.execute(options["init_command"])
        try:
            for _ in range(40):
                db.execute(f"BEGIN {options['transaction_mode']}")
                (n,) = db.execute("SELECT n FROM head").fetchone()
                db.execute("UPDATE head SET n = ?", (n + 1,))
                db.execute("COMMIT")
        except sqlite3.OperationalError as error:
            errors.append(str(error))
        finally:
            db.close()

    threads = [threading.Thread(target=client) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    check = sqlite3.connect(path)
    assert check.execute("SELECT n FROM head").fetchone() == (120,)
    assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    check.close()
