"""Jobs: long work done by a Celery task, followed on a job row.

`enqueue` sends a task by its name, so a service never imports the module of its tasks (and
the tasks module, which imports the service, never closes a circle).
"""

import logging

from kombu.exceptions import OperationalError as BrokerUnavailable

from .celery import app

logger = logging.getLogger(__name__)

__all__ = ["BrokerUnavailable", "enqueue"]


def _task(name):
    if name not in app.tasks:
        # Tasks register when their module is imported: a process that is no worker finds
        # the apps' `tasks` modules on the first look-up.
        app.autodiscover_tasks(force=True)
    return app.tasks[name]


def enqueue(task_name, *args, on_unavailable=None):
    """Send the task `task_name` with `args` (ids, never objects). Without a broker
    (CELERY_TASK_ALWAYS_EAGER) it runs here and now.

    If the broker cannot be reached beyond the publish retries, `on_unavailable(error)` is
    called (the job row ends failed, ready to retry) and False returned; without it the
    error propagates.
    """
    try:
        _task(task_name).delay(*args)
    except BrokerUnavailable as error:
        if on_unavailable is None:
            raise
        logger.error("task %s could not be queued: %s", task_name, type(error).__name__)
        on_unavailable(error)
        return False
    return True
