"""Celery tasks of the import pipeline: small, idempotent, ids in, status out.

They run on the statistics office's worker (queue `sealed`): they touch the sealed database.
"""

from celery import shared_task

from . import imports


@shared_task(name="departments.run_import", acks_late=True)
def run_import(run_id):
    return imports.execute_run(run_id)


@shared_task(name="departments.activate_import", acks_late=True)
def activate_import(run_id):
    imports.activate(run_id)
    return run_id


@shared_task(name="departments.discard_import", acks_late=True)
def discard_import(run_id, status):
    imports.discard(run_id, status)
    return run_id


@shared_task(name="departments.rollback_import", acks_late=True)
def rollback_import(run_id, previous_id):
    imports.execute_rollback(run_id, previous_id)
    return run_id


@shared_task(name="departments.fail_stale_runs")
def fail_stale_runs():
    return imports.fail_stale_runs()
