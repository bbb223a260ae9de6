"""Restore of a backup written by bif/backup.py onto a fresh instance, then its proof.

Order matters: every checksum is checked before anything is written; the target must be
empty (unless forced); after restoring, the audit chain is verified and every table's row
count compared with the manifest. Any difference is an error, never a warning.
"""

import hashlib
import json
import os
import sqlite3
import tarfile
from pathlib import Path

from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from bif.backup import (
    ALIASES,
    ARCHIVE,
    FORMAT_VERSION,
    MANIFEST,
    BackupError,
    engine,
    file_roots,
    libpq_env,
    postgres_tool,
    require_both_databases,
    run_tool,
    sha256_of,
    table_counts,
)
from statistics_office.microdata import snapshots

MANIFEST_KEYS = ("created_at", "bif_version", "databases", "audit", "roots", "files", "archive")


def read_manifest(directory):
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{path} fehlt: Das ist keine (vollständige) BIF-Sicherung. Nichts wiederhergestellt."
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{path} ist nicht lesbar ({error}). Nichts wiederhergestellt.")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(
            f"Sicherungsformat {found!r} wird nicht unterstützt "
            f"(erwartet {FORMAT_VERSION}). Nichts wiederhergestellt."
        )
    missing = [key for key in MANIFEST_KEYS if key not in manifest]
    missing += [
        f"databases.{alias}.{key}"
        for alias in ALIASES
        for key in ("file", "engine", "tables")
        if key not in manifest.get("databases", {}).get(alias, {})
    ]
    if missing:
        raise BackupError(
            f"{path} ist unvollständig (es fehlt: {', '.join(missing)}). Nichts wiederhergestellt."
        )
    return manifest


def verify_files(directory, manifest):
    """Every file the manifest lists, with its size and SHA-256; a list of problems."""
    directory = Path(directory)
    problems = []
    listed = {entry["path"] for entry in manifest["files"]}
    required = {info["file"] for info in manifest["databases"].values()} | {ARCHIVE}
    for name in sorted(required - listed):
        problems.append(f"{name}: fehlt im Manifest")
    for entry in manifest["files"]:
        path = directory / entry["path"]
        if Path(entry["path"]).name != entry["path"]:
            problems.append(f"{entry['path']}: unzulässiger Dateiname im Manifest")
        elif not path.is_file():
            problems.append(f"{entry['path']}: Datei fehlt")
        elif path.stat().st_size != entry["size"]:
            problems.append(
                f"{entry['path']}: Größe {path.stat().st_size} statt {entry['size']} Bytes"
            )
        elif sha256_of(path) != entry["sha256"]:
            problems.append(f"{entry['path']}: Prüfsumme (SHA-256) stimmt nicht")
    return problems


def _sqlite_has_tables(path):
    if not path.exists() or path.stat().st_size == 0:
        return False
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return (
            db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0
        )


def _postgres_has_tables(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%%'"
        )
        return cursor.fetchone()[0] > 0


def occupied_targets():
    """What of the target instance already holds data: databases with tables, files."""
    occupied = []
    for alias in ALIASES:
        if engine(alias) == "postgresql":
            has_tables = _postgres_has_tables(alias)
        else:
            has_tables = _sqlite_has_tables(Path(connections[alias].settings_dict["NAME"]))
        if has_tables:
            occupied.append(f"Datenbank „{alias}“ ({connections[alias].settings_dict['NAME']})")
    for prefix, root in file_roots().items():
        if root.is_dir() and any(p.is_file() for p in root.rglob("*")):
            occupied.append(f"Dateien unter {root} ({prefix})")
    return occupied


def _restore_postgres(alias, dump, force):
    if force:
        # Tables the backup does not know (an import loaded after it) must go as well.
        with connections[alias].cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        connections[alias].close()
    run_tool(
        [
            postgres_tool("pg_restore"),
            "--no-owner",
            "--no-acl",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={connections[alias].settings_dict['NAME']}",
            str(dump),
        ],
        env=libpq_env(alias),
        what=f"pg_restore in die Datenbank „{alias}“",
    )


def _restore_sqlite(alias, dump):
    target = Path(connections[alias].settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (target, *(Path(f"{target}{s}") for s in ("-wal", "-shm", "-journal"))):
        leftover.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    os.chmod(target, 0o600)


def extract_files(directory, manifest):
    """Put every archived file back under this instance's roots, checking each on the way."""
    roots = file_roots()
    expected = {member["path"]: member for member in manifest["archive"]["members"]}
    seen = set()
    with tarfile.open(Path(directory) / manifest["archive"]["file"], mode="r:") as tar:
        for member in tar:
            entry = expected.get(member.name)
            prefix, _, relative = member.name.partition("/")
            if entry is None or not member.isfile() or prefix not in roots or not relative:
                raise BackupError(f"{member.name}: unerwarteter Eintrag im Dateiarchiv.")
            root = roots[prefix]
            target = (root / relative).resolve()
            if root not in target.parents:
                raise BackupError(f"{member.name}: Pfad zeigt aus {root} heraus.")
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            source = tar.extractfile(member)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                while block := source.read(1 << 20):
                    digest.update(block)
                    out.write(block)
            if digest.hexdigest() != entry["sha256"]:
                raise BackupError(f"{member.name}: Prüfsumme (SHA-256) stimmt nicht.")
            seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError("Im Dateiarchiv fehlen: " + ", ".join(missing))
    return len(seen)


def relocate_uploads(manifest):
    """Runs that still have their upload (failed, awaiting review) point into the old drop
    location; point them at the same file in this instance's."""
    from departments.models import ImportRun

    new = str(file_roots()["uploads"]).rstrip("/") + "/"
    olds = {manifest["roots"]["uploads"], manifest.get("upload_root_setting", "")} - {""}
    moved = 0
    for old in sorted({root.rstrip("/") + "/" for root in olds} - {new}):
        runs = ImportRun.objects.filter(stored_path__startswith=old).only("pk", "stored_path")
        for run in runs:
            relative = run.stored_path[len(old) :]
            ImportRun.objects.filter(pk=run.pk).update(stored_path=new + relative)
            moved += 1
    return moved


def check_restored(manifest):
    """Compare the restored databases with the manifest and verify the audit chain."""
    from bif.audit import verify_chain
    from statistics_office.models import AuditHead

    problems = []
    for alias in ALIASES:
        with connections[alias].cursor() as cursor:
            counts = table_counts(cursor, engine(alias))
        expected = manifest["databases"][alias]["tables"]
        for table in sorted(set(expected) | set(counts)):
            if expected.get(table) != counts.get(table):
                problems.append(
                    f"Datenbank „{alias}“, Tabelle {table}: {counts.get(table, 'fehlt')} Zeilen, "
                    f"laut Sicherung {expected.get(table, 'keine Tabelle')}"
                )
    result = verify_chain()
    problems.extend(f"Audit-Log: {problem}" for problem in result.problems)
    audit = manifest["audit"]
    if result.checked != audit["entries"]:
        problems.append(f"Audit-Log: {result.checked} Einträge, laut Sicherung {audit['entries']}")
    head = AuditHead.objects.filter(pk=1).first()
    if (head.sequence if head else 0, head.entry_hash if head else "") != (
        audit["head_sequence"],
        audit["head_hash"],
    ):
        problems.append("Audit-Log: Der Stand (letzter Eintrag) weicht von der Sicherung ab.")
    return result.checked, problems


def pending_migrations():
    pending = []
    for alias in ALIASES:
        executor = MigrationExecutor(connections[alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        pending.extend(f"{alias}: {migration.app_label}.{migration.name}" for migration, _ in plan)
    return pending


def _restore_everything(directory, manifest, force, say):
    connections.close_all()
    for alias in ALIASES:
        dump = directory / manifest["databases"][alias]["file"]
        say(f"Stelle die Datenbank „{alias}“ wieder her …")
        if engine(alias) == "postgresql":
            _restore_postgres(alias, dump, force)
        else:
            _restore_sqlite(alias, dump)
    connections.close_all()
    # Columnar snapshots are derived from the versions; the restored versions may be others.
    snapshots.remove_all()
    say("Stelle Uploads und Nachweisdateien wieder her …")
    return extract_files(directory, manifest)


def restore_backup(directory, *, force=False, say=lambda message: None):
    """Restore the backup in `directory` into this instance; returns a short report dict."""
    from bif import audit

    require_both_databases()
    directory = Path(directory).absolute()
    manifest = read_manifest(directory)
    say("Prüfe die Prüfsummen aller Dateien der Sicherung …")
    problems = verify_files(directory, manifest)
    if problems:
        raise BackupError(
            "Die Sicherung ist beschädigt oder wurde verändert; nichts wiederhergestellt:\n  "
            + "\n  ".join(problems)
        )
    for alias in ALIASES:
        saved = manifest["databases"][alias]["engine"]
        if saved != engine(alias):
            raise BackupError(
                f"Datenbank „{alias}“: Die Sicherung ist von {saved}, diese Instanz nutzt "
                f"{engine(alias)}. Nichts wiederhergestellt."
            )
    occupied = occupied_targets()
    if occupied and not force:
        raise BackupError(
            "Das Ziel ist nicht leer; nichts wiederhergestellt:\n  "
            + "\n  ".join(occupied)
            + "\nWiederherstellen nur in eine frische Instanz, oder mit --force alles dort "
            "Vorhandene ersetzen."
        )
    try:
        files = _restore_everything(directory, manifest, force, say)
        say("Prüfe Audit-Log und Zeilenzahlen gegen die Sicherung …")
        checked, problems = check_restored(manifest)
        if problems:
            raise BackupError(
                "Die Wiederherstellung stimmt nicht mit der Sicherung überein:\n  "
                + "\n  ".join(problems)
            )
    except Exception as error:
        if not isinstance(error, BackupError):
            error = f"{type(error).__name__}: {error}"
        raise BackupError(
            f"{error}\nDiese Instanz ist jetzt unvollständig und darf so nicht in Betrieb "
            "gehen. Nach Behebung der Ursache mit --force erneut wiederherstellen."
        )
    # After the comparison: the restore itself is one entry more in the log.
    relocated = relocate_uploads(manifest)
    audit.record(
        action=audit.Action.BACKUP_RESTORED,
        details={
            "backup_created_at": manifest["created_at"],
            "bif_version": manifest["bif_version"],
            "entries_verified": checked,
            "forced": bool(force),
        },
    )
    return {
        "audit_entries": checked,
        "audit_head": f"Nr. {manifest['audit']['head_sequence']} {manifest['audit']['head_hash']}",
        "files": files,
        "relocated_uploads": relocated,
        "tables": {alias: len(manifest["databases"][alias]["tables"]) for alias in ALIASES},
        "pending_migrations": pending_migrations(),
    }
