"""Celery tasks of the department side. The import run's tasks are the statistics office's
(statistics_office/intake/tasks.py): they touch the sealed database."""

from celery import shared_task

from bif.backup_lock import import_work


@shared_task(name="departments.purge_uploads")
def purge_uploads():
    """Daily: uploads of ended runs after the retention period (departments/retention.py).
    Under the backup lock, so a backup never archives a half-purged drop location."""
    from . import retention

    with import_work():
        return retention.purge_uploads().as_dict()
