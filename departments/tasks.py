"""Celery tasks of the department side. The import run's tasks are the statistics office's
(statistics_office/intake/tasks.py): they touch the sealed database."""

from celery import shared_task
from celery.signals import worker_process_init

from bif.backup_lock import import_work


@worker_process_init.connect
def start_xlsx_helper(**_kwargs):
    """Each pool process starts its workbook reader when it starts, not at the first upload
    (departments/importing/xlsx_process.py: about a second of imports)."""
    from .importing import xlsx_process

    xlsx_process.warm_up()


@shared_task(name="departments.purge_uploads")
def purge_uploads():
    """Daily: uploads of ended runs after the retention period (departments/retention.py).
    Under the backup lock, so a backup never archives a half-purged drop location."""
    from . import retention

    with import_work():
        return retention.purge_uploads().as_dict()
