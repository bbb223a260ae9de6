"""Celery tasks of the intake: small, idempotent, ids in, status out.

They run on the statistics office's worker (queue `sealed`): they touch the sealed database.
Each waits while a backup runs (bif.backup_lock), so a backup sees both databases and the
drop location in step. The task names are the wire format and predate the move to the
sealed side ("departments.…"): messages queued before an upgrade still find their task.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from bif.backup_lock import import_work

from . import run, versions

# A database restarted under a run: nothing of it was stored, so the run starts over once
# the database answers again (after 5, 10, 20, 40, 60 s). After the last attempt the run is
# left to the stale-run check (IMPORT_STALE_SECONDS), which ends it failed, ready to retry.
LOST_CONNECTION_RETRIES = 5


@shared_task(
    bind=True, name="departments.run_import", acks_late=True, max_retries=LOST_CONNECTION_RETRIES
)
def run_import(self, run_id):
    try:
        with import_work():
            return run.execute_run(run_id)
    except (run.DatabaseUnavailable, OperationalError, InterfaceError) as error:
        if not isinstance(error, run.DatabaseUnavailable) and not run.lost_connection(error):
            raise
        raise self.retry(exc=error, countdown=min(60, 5 * 2**self.request.retries)) from error


@shared_task(name="departments.activate_import", acks_late=True)
def activate_import(run_id):
    with import_work():
        versions.activate(run_id)
    return run_id


@shared_task(name="departments.discard_import", acks_late=True)
def discard_import(run_id, status):
    with import_work():
        versions.discard(run_id, status)
    return run_id


@shared_task(name="departments.rollback_import", acks_late=True)
def rollback_import(run_id, previous_id):
    with import_work():
        versions.execute_rollback(run_id, previous_id)
    return run_id


@shared_task(name="departments.fail_stale_runs")
def fail_stale_runs():
    with import_work():
        return run.fail_stale_runs()
