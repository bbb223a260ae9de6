"""Backup and restore: `manage.py backup` on a seeded instance, `manage.py restore` on a
fresh one, as an operator runs them (subprocesses with their own databases and files).

The instances use the engine of the test run: SQLite files in tmp_path on the SQLite pass,
databases bif_backup_<random>_* on the PostgreSQL pass (dropped afterwards). The lock
between backups and the import pipeline is tested in-process at the end.
"""

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from bif import backup_lock
from departments import services, uploads
from departments.demo import generator
from departments.models import ImportRun

ROOT = Path(__file__).resolve().parents[2]
SESSION_ENGINE = (
    "postgresql" if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "sqlite"
)
ENV_DROPPED = (
    "DATABASE_URL",
    "SEALED_DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "MEDIA_ROOT",
    "UPLOAD_ROOT",
    "STATIC_ROOT",
)


class Instance:
    """One BIF instance: its own var directory and its two databases."""

    def __init__(self, var_dir, pg=None, pg_names=None):
        self.var_dir = Path(var_dir)
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.pg, self.pg_names = pg, pg_names

    @property
    def uploads(self):
        return self.var_dir / "media" / "uploads"

    @property
    def media(self):
        return self.var_dir / "media"

    def env(self):
        env = {k: v for k, v in os.environ.items() if k not in ENV_DROPPED}
        env.update(BIF_VAR_DIR=str(self.var_dir), LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
        if self.pg:
            env["DATABASE_URL"] = self.pg.url(self.pg_names["default"])
            env["SEALED_DATABASE_URL"] = self.pg.url(self.pg_names["sealed"])
        return env

    def manage(self, *args, expect_ok=True, **env):
        result = subprocess.run(
            [sys.executable, "manage.py", *map(str, args)],
            cwd=ROOT,
            env={**self.env(), **env},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if expect_ok:
            assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
        return result

    def sqlite_file(self, alias):
        return self.var_dir / ("bif.sqlite3" if alias == "default" else "sealed.sqlite3")

    def connect(self, alias):
        if self.pg:
            return self.pg.connect(self.pg_names[alias])
        return sqlite3.connect(self.sqlite_file(alias))

    def query(self, alias, sql):
        conn = self.connect(alias)
        try:
            cursor = conn.cursor()
            cursor.execute(sql)
            rows = cursor.fetchall() if cursor.description else None
            conn.commit()
            return rows
        finally:
            conn.close()

    def tables(self, alias):
        if self.pg:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        elif self.sqlite_file(alias).exists():
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1"
        else:
            return []
        return [row[0] for row in self.query(alias, sql) if not row[0].startswith("sqlite_")]

    def digest(self, alias, table, where=""):
        """(rows, SHA-256 of all rows in a fixed order) of a table."""
        conn = self.connect(alias)
        try:
            cursor = conn.cursor()
            cursor.execute(f'SELECT * FROM "{table}" LIMIT 0')
            width = len(cursor.description)
            order = ", ".join(str(i) for i in range(1, width + 1))
            cursor.execute(f'SELECT * FROM "{table}" {where} ORDER BY {order}')
            rows = cursor.fetchall()
        finally:
            conn.close()
        return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


class PostgresServer:
    """The PostgreSQL server of the test run; databases named bif_backup_<random>_*."""

    def __init__(self):
        conf = settings.DATABASES["default"]
        self.user = conf.get("USER") or "postgres"
        self.password = conf.get("PASSWORD") or ""
        self.host = conf.get("HOST") or "127.0.0.1"
        self.port = conf.get("PORT") or 5432
        self.created = []

    def url(self, name):
        auth = f"{self.user}:{self.password}" if self.password else self.user
        return f"postgres://{auth}@{self.host}:{self.port}/{name}"

    def connect(self, name):
        import psycopg2

        return psycopg2.connect(
            dbname=name, user=self.user, password=self.password, host=self.host, port=self.port
        )

    def _admin(self, sql):
        conn = self.connect("postgres")
        conn.autocommit = True
        try:
            conn.cursor().execute(sql)
        finally:
            conn.close()

    def create(self, name):
        assert name.startswith("bif_backup_")
        self._admin(f'CREATE DATABASE "{name}"')
        self.created.append(name)

    def drop_all(self):
        for name in self.created:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def make_instance(request, tmp_path_factory):
    """Creates fresh instances (empty databases, no files) of the test run's engine."""
    if request.param != SESSION_ENGINE:
        pytest.skip(f"the {request.param} variant runs in the {request.param} pass of CI")
    pg = PostgresServer() if request.param == "postgresql" else None
    token = secrets.token_hex(4)

    def make(label):
        var_dir = tmp_path_factory.mktemp(f"instance-{label}")
        if pg is None:
            return Instance(var_dir)
        names = {
            "default": f"bif_backup_{token}_{label}",
            "sealed": f"bif_backup_{token}_{label}_sealed",
        }
        for name in names.values():
            pg.create(name)
        return Instance(var_dir, pg, names)

    yield make
    if pg is not None:
        pg.drop_all()


@pytest.fixture(scope="module")
def origin(make_instance):
    """A small demo city: imports through the pipeline (sealed tables), grants and
    published tables (audit entries), a failed upload kept for retry, an evidence file."""
    instance = make_instance("src")
    instance.manage("migrate", "--noinput")
    instance.manage("migrate", "--database", "sealed", "--noinput")
    instance.manage("seed_demo", "--residents", "1000", "--years", "2025")
    bad = instance.var_dir / "falsch.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    result = instance.manage("import_file", "einwohner", bad, expect_ok=False)
    assert result.returncode != 0 and "abgelehnt" in result.stderr
    evidence = instance.media / "rollout" / "protokoll-ewo.pdf"
    evidence.parent.mkdir(parents=True, exist_ok=True)
    evidence.write_bytes(b"%PDF-1.4 Protokoll der Abnahme\n" + bytes(range(256)))
    return instance


@pytest.fixture(scope="module")
def backup(origin, tmp_path_factory):
    target = tmp_path_factory.mktemp("backups") / "bif-2026-11-25"
    result = origin.manage("backup", target)
    assert "Einzeldaten" in result.stdout
    return target


def manifest_of(backup_dir):
    return json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))


def files_under(root):
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(Path(root).rglob("*"))
        if path.is_file()
    }


def test_backup_is_private_complete_and_contains_its_own_audit_entry(origin, backup):
    assert (backup.stat().st_mode & 0o777) == 0o700
    assert not backup.with_name(backup.name + ".partial").exists()
    manifest = manifest_of(backup)
    on_disk = {p.name for p in backup.iterdir()}
    listed = {entry["path"] for entry in manifest["files"]} | {"manifest.json"}
    assert on_disk == listed
    for path in backup.iterdir():
        assert (path.stat().st_mode & 0o777) == 0o600, path.name
    for entry in manifest["files"]:
        content = (backup / entry["path"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"]
        assert len(content) == entry["size"]
    # The sealed database is its own file: the office keeps it.
    assert manifest["databases"]["sealed"]["file"].startswith("sealed.")
    assert manifest["databases"]["default"]["file"].startswith("portal.")

    members = {m["path"] for m in manifest["archive"]["members"]}
    assert "media/rollout/protokoll-ewo.pdf" in members
    assert any(m.startswith("uploads/") and m.endswith(".csv") for m in members)
    assert not any(m.startswith("media/uploads/") for m in members)  # each file once

    # The log in the backup ends with the backup itself.
    head = manifest["audit"]
    last = origin.query(
        "default",
        "SELECT sequence, action, entry_hash FROM statistics_office_auditentry "
        f"WHERE sequence = {head['head_sequence']}",
    )
    assert last == [(head["head_sequence"], "backup_created", head["head_hash"])]
    assert head["entries"] == head["head_sequence"] > 10
    sealed = manifest["databases"]["sealed"]["tables"]
    microdata = {name: n for name, n in sealed.items() if name.startswith("md_")}
    assert len(microdata) == 6 and all(n > 0 for n in microdata.values())
    assert manifest["summary"]["microdata_rows"] == sum(microdata.values())


def test_restore_on_a_fresh_instance_reproduces_databases_files_and_audit_chain(
    origin, backup, make_instance
):
    target = make_instance("dst")
    result = target.manage("restore", backup)
    assert "Audit-Log geprüft" in result.stdout

    # The sealed database: every table (each import's microdata table and the version
    # pointers) has the same rows.
    sealed_tables = origin.tables("sealed")
    assert sum(name.startswith("md_") for name in sealed_tables) == 6
    assert target.tables("sealed") == sealed_tables
    for table in sealed_tables:
        assert target.digest("sealed", table) == origin.digest("sealed", table), table

    # The portal database: the same rows, except the restore's own audit entry and the
    # upload paths, which now point into this instance's drop location.
    entries = manifest_of(backup)["audit"]["entries"]
    assert target.tables("default") == origin.tables("default")
    for table in origin.tables("default"):
        if table in {
            "statistics_office_auditentry",
            "statistics_office_audithead",
            "departments_importrun",
        }:
            continue
        assert target.digest("default", table) == origin.digest("default", table), table
    first_entries = f"WHERE sequence <= {entries}"
    assert target.digest("default", "statistics_office_auditentry", first_entries) == (
        origin.digest("default", "statistics_office_auditentry", first_entries)
    )
    newest = target.query(
        "default", "SELECT action FROM statistics_office_auditentry ORDER BY sequence DESC LIMIT 1"
    )
    assert newest == [("backup_restored",)]

    # Uploads and evidence files, byte for byte; the failed run finds its upload again.
    assert files_under(target.media) == files_under(origin.media)
    (stored_path,) = target.query(
        "default", "SELECT stored_path FROM departments_importrun WHERE status = 'failed'"
    )[0]
    assert stored_path.startswith(str(target.uploads.resolve()))
    assert Path(stored_path).is_file()

    # The restored instance goes on working: a new import gets new ids and a new table.
    new_file = target.var_dir / "kfz-2026.csv"
    generator.write_source_csv("kfz", new_file, year=2026, residents=1000)
    target.manage("import_file", "kfz", new_file)
    assert sum(name.startswith("md_") for name in target.tables("sealed")) == 7
    assert target.manage("verify_audit_log").returncode == 0


def test_a_tampered_backup_is_refused_before_anything_is_written(backup, make_instance, tmp_path):
    tampered = tmp_path / "tampered"
    shutil.copytree(backup, tampered)
    sealed_dump = tampered / manifest_of(backup)["databases"]["sealed"]["file"]
    data = bytearray(sealed_dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    sealed_dump.write_bytes(bytes(data))

    target = make_instance("tampered")
    result = target.manage("restore", tampered, expect_ok=False)
    assert result.returncode != 0
    assert sealed_dump.name in result.stderr and "Prüfsumme" in result.stderr
    assert "nichts wiederhergestellt" in result.stderr
    assert target.tables("default") == [] and target.tables("sealed") == []
    assert not target.uploads.exists()

    (tampered / "files.tar").unlink()
    result = target.manage("restore", tampered, expect_ok=False)
    assert result.returncode != 0 and "files.tar: Datei fehlt" in result.stderr


def test_a_restore_that_differs_from_the_manifest_fails_loudly(backup, make_instance, tmp_path):
    """The comparison after restoring is real: a manifest that promises other row counts
    and another audit head (files intact) ends in an error, not in a running instance."""
    edited = tmp_path / "edited"
    shutil.copytree(backup, edited)
    manifest = manifest_of(edited)
    sealed = manifest["databases"]["sealed"]["tables"]
    table = next(name for name in sorted(sealed) if name.startswith("md_"))
    sealed[table] += 1
    manifest["audit"]["head_hash"] = "0" * 64
    (edited / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    target = make_instance("edited")
    result = target.manage("restore", edited, expect_ok=False)
    assert result.returncode != 0
    assert f"Tabelle {table}: {sealed[table] - 1} Zeilen, laut Sicherung {sealed[table]}" in (
        result.stderr
    )
    assert "Audit-Log: Der Stand" in result.stderr
    assert "unvollständig" in result.stderr and "--force" in result.stderr
    # No restore entry: the log ends where the backup's did.
    assert target.query(
        "default", "SELECT action FROM statistics_office_auditentry ORDER BY sequence DESC LIMIT 1"
    ) == [("backup_created",)]


def test_restore_into_an_instance_with_data_needs_force(backup, make_instance):
    target = make_instance("busy")
    target.manage("restore", backup)
    # Say an import was loaded here after the backup was taken.
    target.query("sealed", "CREATE TABLE md_s99_r99 (x INTEGER)")
    result = target.manage("restore", backup, expect_ok=False)
    assert result.returncode != 0
    assert "nicht leer" in result.stderr and "--force" in result.stderr
    assert "md_s99_r99" in target.tables("sealed")

    target.manage("restore", backup, "--force")
    assert "md_s99_r99" not in target.tables("sealed")
    assert target.manage("verify_audit_log").returncode == 0
    expected = manifest_of(backup)["audit"]["entries"] + 1  # the backup's log and this restore
    assert target.query("default", "SELECT count(*) FROM statistics_office_auditentry") == [
        (expected,)
    ]


def test_backup_is_refused_while_an_import_is_queued_or_running(origin, tmp_path):
    entries = origin.query("default", "SELECT count(*) FROM statistics_office_auditentry")
    (run_id,) = origin.query(
        "default", "SELECT id FROM departments_importrun WHERE status = 'failed'"
    )[0]
    try:
        for status in ("queued", "running"):
            origin.query(
                "default",
                f"UPDATE departments_importrun SET status = '{status}' WHERE id = {run_id}",
            )
            target = tmp_path / f"backup-{status}"
            started = time.monotonic()
            result = origin.manage("backup", target, "--wait", "1", expect_ok=False)
            assert result.returncode != 0
            assert f"Importlauf {run_id}" in result.stderr
            assert time.monotonic() - started >= 1  # it waited before giving up
            assert not target.exists()
            assert not target.with_name(target.name + ".partial").exists()
    finally:
        origin.query(
            "default", f"UPDATE departments_importrun SET status = 'failed' WHERE id = {run_id}"
        )
    # Refused before it began: no "backup taken" entry.
    assert origin.query("default", "SELECT count(*) FROM statistics_office_auditentry") == entries


def test_the_portal_side_without_sealed_credentials_cannot_take_a_backup(origin, tmp_path):
    target = tmp_path / "portal-only"
    result = origin.manage("backup", target, expect_ok=False, SEALED_DATABASE_URL="none")
    assert result.returncode != 0
    assert "SEALED_DATABASE_URL=none" in result.stderr
    assert not target.exists()


# --- The lock between a backup and the import pipeline (in-process) -------------------


SCHEMA = {
    "fields": [
        {"name": "ID", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "Stadtteil", "type": "string"},
    ],
    "primaryKey": ["ID"],
}
CSV = b"ID;Stadtteil\n1;01\n2;02\n3;03\n"


class HeldInThread:
    """Holds a lock in another thread (its own database session) until released."""

    def __init__(self, lock):
        self.lock, self.held, self.release = lock, threading.Event(), threading.Event()
        self.error = self.released_at = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        from django.db import connections

        try:
            with self.lock():
                self.held.set()
                self.release.wait(30)
                self.released_at = time.monotonic()
        except Exception as error:  # noqa: BLE001 - reported to the test
            self.error = error
            self.held.set()
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        assert self.held.wait(30)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(30)


@pytest.fixture
def lock_settings(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # SQLite's lock file, away from other test runs
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return settings


@pytest.mark.django_db(databases=["default", "sealed"], transaction=True)
@pytest.mark.usefixtures("clean_sealed_tables")
def test_uploads_and_retries_are_refused_while_a_backup_runs(lock_settings, source_with_schema):
    failed = uploads.submit_upload(
        source=source_with_schema, uploaded_by=None, file_name="a.csv", chunks=[b"x;y\n1;2\n"]
    )
    failed.refresh_from_db()
    assert failed.status == ImportRun.Status.FAILED
    runs = ImportRun.objects.count()

    with HeldInThread(backup_lock.backup_lock) as backup:
        assert backup.error is None
        with pytest.raises(uploads.ImportRejected, match="Datensicherung"):
            uploads.submit_upload(
                source=source_with_schema, uploaded_by=None, file_name="b.csv", chunks=[CSV]
            )
        with pytest.raises(uploads.ImportRejected, match="Datensicherung"):
            uploads.retry(failed)
        assert ImportRun.objects.count() == runs
        failed.refresh_from_db()
        assert failed.status == ImportRun.Status.FAILED
        # Nothing half-stored in the drop location either.
        assert {p.name for p in lock_settings.UPLOAD_ROOT.rglob("*.csv")} == {
            Path(failed.stored_path).name
        }

    run = uploads.submit_upload(
        source=source_with_schema, uploaded_by=None, file_name="b.csv", chunks=[CSV]
    )
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ACCEPTED


@pytest.fixture
def source_with_schema(source):
    services.set_schema(source, SCHEMA)
    return source


@pytest.mark.django_db(transaction=True)
def test_an_import_task_waits_until_the_backup_is_over(lock_settings):
    with HeldInThread(backup_lock.backup_lock) as backup:
        assert backup.error is None
        threading.Timer(1.0, backup.release.set).start()
        started = time.monotonic()
        with backup_lock.import_work():
            got_it = time.monotonic()
    assert got_it - started >= 0.9
    assert backup.released_at is not None and got_it >= backup.released_at


@pytest.mark.django_db(transaction=True)
def test_a_backup_does_not_start_while_import_work_holds_the_lock(lock_settings):
    with backup_lock.import_work():
        attempt = HeldInThread(lambda: backup_lock.backup_lock(wait_seconds=0.5))
        with attempt:
            assert isinstance(attempt.error, backup_lock.BackupInProgress)
    with HeldInThread(backup_lock.backup_lock) as free:
        assert free.error is None
