"""The lock between a backup and the import pipeline: imports pause while a backup runs.

A backup holds the lock exclusively; every step of the pipeline that writes the sealed
database or the drop location holds it shared. New uploads and retries are refused at once
while a backup runs (`import_work(wait=False)`); a worker's task waits until it is over.

PostgreSQL: a session-level advisory lock on the portal database, which the portal, the
statistics office's worker and the backup all reach, and which dies with a crashed
process's connection. SQLite (one machine, the demo): flock() on a file beside the
database file, which the kernel releases with a crashed process too.
"""

import fcntl
import logging
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

# Any constant shared by all processes; "BIFB" in ASCII (the audit log uses "BIFA").
LOCK_KEY = 0x42494642
POLL_SECONDS = 0.5


class BackupInProgress(Exception):
    """A backup holds the lock (for imports) or import work holds it (for a backup)."""


def lock_file_path(using="default"):
    name = str(connections[using].settings_dict["NAME"])
    if name and ":memory:" not in name and "mode=memory" not in name:
        return Path(f"{name}.backup-lock")
    return Path(settings.VAR_DIR) / "backup.lock"


def _postgres(using):
    return connections[using].vendor == "postgresql"


def _pg_try(using, function):
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _pg_release(using, function):
    # If the connection broke meanwhile, the lock went with its session.
    try:
        with connections[using].cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [LOCK_KEY])
    except DatabaseError:
        logger.warning("backup lock: connection lost before release; the lock went with it")


def _open_lock_file(using):
    path = lock_file_path(using)
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "a+b")  # noqa: SIM115 - closed by the callers' finally


def _flock(handle, mode):
    try:
        fcntl.flock(handle, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def backup_lock(*, wait_seconds=0.0, using="default"):
    """Hold the lock exclusively: no import work runs or starts meanwhile.

    Raises BackupInProgress if import work still holds it after `wait_seconds`.
    """
    deadline = time.monotonic() + max(wait_seconds, 0)
    if _postgres(using):
        while not _pg_try(using, "pg_try_advisory_lock"):
            if time.monotonic() >= deadline:
                raise BackupInProgress
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            _pg_release(using, "pg_advisory_unlock")
        return
    handle = _open_lock_file(using)
    try:
        while not _flock(handle, fcntl.LOCK_EX):
            if time.monotonic() >= deadline:
                raise BackupInProgress
            time.sleep(POLL_SECONDS)
        yield
    finally:
        handle.close()


@contextmanager
def import_work(*, wait=True, using="default"):
    """Hold the lock shared for one step of import work.

    With `wait=False` (a person is waiting for an answer) raise BackupInProgress at once
    if a backup runs; with `wait=True` (a worker's task) wait until it is over.
    """
    if _postgres(using):
        if wait:
            with connections[using].cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock_shared(%s)", [LOCK_KEY])
        elif not _pg_try(using, "pg_try_advisory_lock_shared"):
            raise BackupInProgress
        try:
            yield
        finally:
            _pg_release(using, "pg_advisory_unlock_shared")
        return
    handle = _open_lock_file(using)
    try:
        if wait:
            fcntl.flock(handle, fcntl.LOCK_SH)
        elif not _flock(handle, fcntl.LOCK_SH):
            raise BackupInProgress
        yield
    finally:
        handle.close()
