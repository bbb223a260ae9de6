"""An import run from start to end, as its Celery task does it: one attempt at a time, safe to
run again after a crash, a clear end (accepted, awaiting review, failed, cancelled) always.

The work itself is pipeline.execute; this module claims the run, holds its lock in the sealed
database, and turns whatever went wrong into a status the analyst can act on.
"""

import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from bif import jobs
from bif.db_router import SEALED_ALIAS
from departments.importing.findings import ReadError
from departments.models import ImportRun
from statistics_office.microdata import store

from . import pipeline, rows, versions
from .rows import Cancelled

logger = logging.getLogger(__name__)
Status, Stage = ImportRun.Status, ImportRun.Stage

__all__ = ["Cancelled", "DatabaseUnavailable", "execute_run", "fail_stale_runs", "lost_connection"]


class DatabaseUnavailable(Exception):
    """A database connection broke during a run (a restart, a failover). The load was one
    uncommitted transaction, so nothing of it was stored; the task runs the import again."""


# PostgreSQL advisory locks of import runs: (this number, run id). "BIFI" in ASCII.
RUN_LOCK_CLASS = 0x42494649


def execute_run(run_id):
    """The body of the Celery task: safe to re-run after a crash.

    Raises DatabaseUnavailable if a database connection broke on the way; the task retries.
    """
    with jobs.one_attempt(RUN_LOCK_CLASS, run_id, using=SEALED_ALIAS) as mine:
        if not mine:
            # The broker handed the task out twice (a lost worker's message comes back while
            # a retry runs): the attempt that holds the run goes on alone.
            logger.warning("import run %s is already being run; this delivery ends", run_id)
            return ImportRun.objects.get(pk=run_id).status
        return _execute_run(run_id)


def _execute_run(run_id):
    try:
        if not rows.claim(run_id):
            return ImportRun.objects.get(pk=run_id).status
        run = ImportRun.objects.select_related("source", "schema_version").get(pk=run_id)
    except (OperationalError, InterfaceError) as error:
        if lost_connection(error):
            raise DatabaseUnavailable(run_id) from error
        raise
    started = time.monotonic()
    try:
        current = store.current_version(run.source_id)
        if current is not None and current.import_run_id == run.pk:
            # The last attempt died between switching the version and updating this row:
            # the data is in place and current. Finish the activation, load nothing again.
            versions.activate(run.pk)
            return Status.ACCEPTED
        return pipeline.execute(run, started)
    except Cancelled:
        store.drop_version(run.pk)
        rows.finish(run.pk, Status.CANCELLED, message=_("Der Import wurde abgebrochen."))
        return Status.CANCELLED
    except ReadError as error:
        return rows.reject(run.pk, [error.finding])
    except Exception as error:
        # Neither the page nor the log gets the exception text: it may quote a value from
        # the file (microdata). The type and the run id are enough to start looking.
        if lost_connection(error):
            logger.warning("import run %s: database connection lost; retrying", run.pk)
            raise DatabaseUnavailable(run.pk) from error
        if ImportRun.objects.filter(pk=run.pk, status=Status.ACCEPTED).exists():
            # The activation was committed: the import stands. Only a step after it failed,
            # and dropping the now current version would leave the source without data.
            logger.error("import run %s: error after activation: %s", run.pk, type(error).__name__)
            return Status.ACCEPTED
        logger.error("import run %s failed unexpectedly: %s", run.pk, type(error).__name__)
        store.drop_version(run.pk)
        rows.finish(
            run.pk,
            Status.FAILED,
            message=_(
                "Beim Einlesen ist ein unerwarteter Fehler aufgetreten. Es wurde nichts "
                "übernommen. Die Statistikstelle ist informiert; Sie können den Import "
                "später erneut starten."
            ),
        )
        return Status.FAILED


# SQLSTATEs of a session the server ended or refused: connection exceptions (08…), shut
# down by an administrator or a crash (a restart), "cannot connect now" while it starts.
LOST_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")


def lost_connection(error):
    """True if the error came from a database connection that broke (the server restarted
    or went away). Broken connections are closed, so the next attempt connects afresh."""
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    cause = error.__cause__
    # Django may already have reconnected (leaving a transaction does), so the driver's
    # error says it; a PostgreSQL error without SQLSTATE is one the client detected.
    code = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    from_server = hasattr(cause, "pgcode") or hasattr(cause, "sqlstate")
    lost = isinstance(error, InterfaceError) or (
        from_server and (code is None or code.startswith(LOST_CONNECTION_STATES))
    )
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            continue
        if connection.connection is None or not connection.is_usable():
            connection.close()
            lost = True
    return lost


def fail_stale_runs(max_silence_seconds=None):
    """Runs whose worker died (no sign of life for a while) end as failed and can be retried.

    Their load was one uncommitted transaction in the sealed database, so nothing of them
    is there; dropping a version is only a safeguard.
    """
    silence = max_silence_seconds
    if silence is None:
        silence = settings.IMPORT_STALE_SECONDS
    return jobs.fail_stale(
        ImportRun,
        running=Status.RUNNING,
        failed=Status.FAILED,
        silence_seconds=silence,
        cleanup=store.drop_version,
        finished_at=timezone.now(),
        message=_(
            "Die Verarbeitung wurde unterbrochen (der Verarbeitungsprozess ist ausgefallen). "
            "Es wurde nichts übernommen; Sie können den Import erneut starten."
        ),
    )
