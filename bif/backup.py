"""Backup of a whole BIF instance: both databases and the files, taken while imports pause.

`manage.py backup` calls `create_backup`; `manage.py restore` (bif/restore.py) reads what it
writes. The databases are copied whole (pg_dump, SQLite's online backup), not through the
models: the sealed database holds one table per import that no model describes. The
operator's guide is docs/OPERATIONS.md ("Backup and restore").
"""

import contextlib
import datetime
import getpass
import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connections

from bif import backup_lock
from bif.db_router import SEALED_ALIAS

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ARCHIVE = "files.tar"
ALIASES = ("default", SEALED_ALIAS)
# File names inside a backup, per database alias.
DUMP_NAMES = {"default": "portal", SEALED_ALIAS: "sealed"}
LIBPQ_OPTIONS = (
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslcrl",
    "connect_timeout",
    "application_name",
    "target_session_attrs",
    "options",
    "service",
    "passfile",
)
AUDIT_TABLE = "statistics_office_auditentry"
AUDIT_HEAD_TABLE = "statistics_office_audithead"
WAIT_POLL_SECONDS = 2.0


class BackupError(Exception):
    """Something an operator must act on; the message says what and what to do."""


# --- Shared with restore ----------------------------------------------------------------


def engine(alias):
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Datenbank „{alias}“: {vendor} wird nicht unterstützt.")
    return vendor


def require_both_databases():
    if SEALED_ALIAS not in connections.settings:
        raise BackupError(
            "Die abgeschottete Datenbank ist in diesem Prozess nicht eingerichtet "
            "(SEALED_DATABASE_URL=none). Sicherung und Wiederherstellung laufen auf der Seite "
            "der Statistikstelle, mit den Zugangsdaten beider Datenbanken."
        )


def file_roots():
    """{archive prefix: directory} of the files that belong to an instance."""
    return {
        "uploads": Path(settings.UPLOAD_ROOT).resolve(),
        "media": Path(settings.MEDIA_ROOT).resolve(),
    }


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def libpq_env(alias):
    """pg_dump/pg_restore see the alias's connection through libpq's variables, so the
    password never appears on a command line."""
    conf = connections[alias].settings_dict
    env = dict(os.environ)
    for key, var in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if conf.get(key):
            env[var] = str(conf[key])
        else:
            env.pop(var, None)
    for option in LIBPQ_OPTIONS:
        if conf.get("OPTIONS", {}).get(option) not in (None, ""):
            env[f"PG{option.upper()}"] = str(conf["OPTIONS"][option])
    return env


def postgres_tool(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if candidates:
        return str(candidates[0])
    raise BackupError(
        f"{name} wurde nicht gefunden. Bitte die PostgreSQL-Clientprogramme in der Version "
        "des Servers installieren (Debian: postgresql-client)."
    )


def run_tool(command, *, env, what):
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = "\n".join(result.stderr.strip().splitlines()[-8:])
        raise BackupError(f"{what} ist fehlgeschlagen (Exit-Code {result.returncode}):\n{detail}")
    return result


def table_counts(cursor, vendor):
    """{table: rows} of every table, through a DB-API cursor (sqlite3, psycopg2 or Django)."""
    if vendor == "postgresql":
        cursor.execute(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') "
            "ORDER BY schemaname, tablename"
        )
        names = [
            (f'"{schema}"."{table}"', table if schema == "public" else f"{schema}.{table}")
            for schema, table in cursor.fetchall()
        ]
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
        names = [(f'"{table}"', table) for (table,) in cursor.fetchall()]
    counts = {}
    for quoted, label in names:
        cursor.execute(f"SELECT count(*) FROM {quoted}")  # noqa: S608 - names from the catalog
        counts[label] = int(cursor.fetchone()[0])
    return counts


def audit_facts(cursor):
    """Entry count and the head (sequence, hash) of the audit log, as the cursor sees them."""
    cursor.execute(f"SELECT count(*) FROM {AUDIT_TABLE}")  # noqa: S608 - constant
    entries = int(cursor.fetchone()[0])
    cursor.execute(f"SELECT sequence, entry_hash FROM {AUDIT_HEAD_TABLE} WHERE id = 1")  # noqa: S608
    head = cursor.fetchone()
    return {
        "entries": entries,
        "head_sequence": int(head[0]) if head else 0,
        "head_hash": head[1] if head else "",
    }


def bif_version():
    try:
        result = subprocess.run(
            ["git", "describe", "--tags", "--always", "--dirty"],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return importlib.metadata.version("bif")
    except importlib.metadata.PackageNotFoundError:
        return "unbekannt"


def private_file(path):
    os.chmod(path, 0o600)
    return path


# --- Backup ---------------------------------------------------------------------------


def busy_runs():
    """Import runs queued or running: a copy would leave them stuck in the restored instance."""
    from departments.models import ImportRun

    active = (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)
    return [
        f"Importlauf {run.pk} ({run.source.slug}, {run.get_status_display()})"
        for run in ImportRun.objects.filter(status__in=active).select_related("source")
    ]


def pause_imports(wait_seconds=0.0):
    """Take the backup lock once no import is queued or running; returns an ExitStack that
    holds it. Raises BackupError if that is not so within `wait_seconds`."""
    deadline = time.monotonic() + max(wait_seconds, 0)
    while True:
        stack = contextlib.ExitStack()
        try:
            stack.enter_context(
                backup_lock.backup_lock(wait_seconds=max(deadline - time.monotonic(), 0))
            )
        except backup_lock.BackupInProgress:
            raise BackupError(
                "Gerade verarbeitet der Worker einen Import (oder eine andere Sicherung läuft). "
                "Bitte später erneut versuchen oder mit --wait SEKUNDEN warten."
            )
        busy = busy_runs()
        if not busy:
            return stack
        # Their tasks need the lock to finish: let go while waiting.
        stack.close()
        if time.monotonic() >= deadline:
            raise BackupError(
                "Keine Sicherung, solange Importe eingereiht sind oder laufen: "
                + ", ".join(busy)
                + ". Bitte abwarten (--wait SEKUNDEN) oder hängende Läufe abbrechen."
            )
        time.sleep(WAIT_POLL_SECONDS)


def _dump_postgres(alias, target):
    """pg_dump of the alias in one exported snapshot; the counts come from the same one."""
    wrapper = connections[alias]
    raw = wrapper.Database.connect(**wrapper.get_connection_params())
    try:
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            run_tool(
                [
                    postgres_tool("pg_dump"),
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                ],
                env=libpq_env(alias),
                what=f"pg_dump der Datenbank „{alias}“",
            )
            counts = table_counts(cursor, "postgresql")
            audit = audit_facts(cursor) if alias == "default" else None
        raw.rollback()
    finally:
        raw.close()
    return counts, audit


def _dump_sqlite(alias, target):
    """SQLite's online backup: a consistent copy even while the portal writes."""
    source = sqlite3.connect(connections[alias].settings_dict["NAME"], timeout=60)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # A copy in rollback-journal mode can later be opened read-only without side files.
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        counts = table_counts(cursor, "sqlite")
        audit = audit_facts(cursor) if alias == "default" else None
    finally:
        copy.close()
        source.close()
    return counts, audit


def dump_database(alias, directory):
    vendor = engine(alias)
    suffix = ".dump" if vendor == "postgresql" else ".sqlite3"
    target = directory / f"{DUMP_NAMES[alias]}{suffix}"
    dump = _dump_postgres if vendor == "postgresql" else _dump_sqlite
    counts, audit = dump(alias, target)
    private_file(target)
    conf = connections[alias].settings_dict
    info = {"file": target.name, "engine": vendor, "name": str(conf["NAME"]), "tables": counts}
    return info, audit


def _instance_files():
    """(archive name, path) of every regular file under the file roots, each once."""
    roots = file_roots()
    for prefix, root in roots.items():
        if not root.is_dir():
            continue
        nested = [other for other in roots.values() if other != root and root in other.parents]
        for directory, subdirs, names in os.walk(root):
            here = Path(directory)
            subdirs[:] = sorted(d for d in subdirs if here / d not in nested)
            for name in sorted(names):
                path = here / name
                if path.is_file() and not path.is_symlink():
                    yield f"{prefix}/{path.relative_to(root).as_posix()}", path


class _HashingReader:
    """Hashes what tarfile reads, so the checksum is of exactly the archived bytes."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size=-1):
        block = self.handle.read(size)
        self.digest.update(block)
        return block


def archive_files(directory):
    target = directory / ARCHIVE
    members = []
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with (
        os.fdopen(fd, "wb") as out,
        tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name, path in _instance_files():
            try:
                handle = open(path, "rb")  # noqa: SIM115 - closed just below
            except FileNotFoundError:
                continue  # deleted meanwhile by the upload retention (departments.retention)
            with handle:
                info = tar.gettarinfo(arcname=name, fileobj=handle)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mode = 0o600
                reader = _HashingReader(handle)
                tar.addfile(info, reader)
            members.append({"path": name, "sha256": reader.digest.hexdigest(), "size": info.size})
    return target, members


def create_backup(target, *, wait_seconds=0.0, say=lambda message: None):
    """Write a backup of this instance into the new directory `target`; returns the manifest."""
    from bif import audit

    require_both_databases()
    for alias in ALIASES:
        engine(alias)
    target = Path(target).absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(
            f"{target} gibt es schon und ist nicht leer; bitte ein neues Verzeichnis."
        )
    partial = target.with_name(f"{target.name}.partial")
    if partial.exists():
        raise BackupError(
            f"{partial} ist von einer abgebrochenen Sicherung übrig; bitte prüfen und löschen."
        )
    partial.mkdir(parents=True, mode=0o700)
    os.chmod(partial, 0o700)
    try:
        manifest = _write_backup(partial, target.name, wait_seconds, say, audit)
        if target.exists():
            target.rmdir()
        partial.rename(target)
    except BaseException as error:
        shutil.rmtree(partial, ignore_errors=True)
        if not isinstance(error, BackupError | KeyboardInterrupt):
            raise BackupError(f"Die Sicherung ist fehlgeschlagen: {type(error).__name__}: {error}")
        raise
    return manifest


def _write_backup(directory, label, wait_seconds, say, audit):
    say("Warte, bis keine Importe laufen, und halte neue an …")
    with pause_imports(wait_seconds):
        created_at = datetime.datetime.now(datetime.UTC)
        # First into the log, so the copy of the log contains its own backup.
        audit.record(
            action=audit.Action.BACKUP_CREATED,
            details={"backup": label, "os_user": _os_user()},
        )
        try:
            databases, audit_state = {}, None
            for alias in ALIASES:
                say(f"Sichere die Datenbank „{alias}“ ({engine(alias)}) …")
                databases[alias], facts = dump_database(alias, directory)
                audit_state = facts or audit_state
            say("Sichere Uploads und Nachweisdateien …")
            archive, members = archive_files(directory)
        except BaseException:
            audit.record(
                action=audit.Action.BACKUP_CREATED,
                outcome=audit.Outcome.FAILED,
                details={"backup": label, "os_user": _os_user()},
            )
            raise
    files = [
        {
            "path": name,
            "sha256": sha256_of(directory / name),
            "size": (directory / name).stat().st_size,
        }
        for name in [info["file"] for info in databases.values()] + [archive.name]
    ]
    sealed_tables = databases[SEALED_ALIAS]["tables"]
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": created_at.isoformat(timespec="seconds"),
        "bif_version": bif_version(),
        "databases": databases,
        "audit": audit_state,
        "summary": {
            "audit_entries": audit_state["entries"],
            "import_runs": databases["default"]["tables"].get("departments_importrun", 0),
            "users": databases["default"]["tables"].get("auth_user", 0),
            "microdata_tables": sum(1 for name in sealed_tables if name.startswith("md_")),
            "microdata_rows": sum(n for name, n in sealed_tables.items() if name.startswith("md_")),
            "files": len(members),
        },
        "roots": {prefix: str(path) for prefix, path in file_roots().items()},
        # As configured (runs store this form), in case it differs from the resolved path.
        "upload_root_setting": str(settings.UPLOAD_ROOT),
        "files": files,
        "archive": {"file": archive.name, "members": members},
    }
    path = directory / MANIFEST
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(manifest, out, indent=2, ensure_ascii=False)
        out.write("\n")
    manifest["manifest_sha256"] = sha256_of(path)
    return manifest


def _os_user():
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
