"""Jobs: long work done by a Celery task and followed on a job row (an import run, a table
computation). One way for all of them: the row is created when the work is queued, claimed
with a conditional UPDATE, touched on every progress step (its heartbeat), finished with a
status and a message; a row that stopped beating (its worker died, its message was lost)
ends failed, ready to retry.

`enqueue` sends a task by its name, so a service never imports the module of its tasks (and
the tasks module, which imports the service, never closes a circle).
"""

import contextlib
import datetime
import logging

from django.db import DatabaseError, connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerUnavailable

from .celery import app

logger = logging.getLogger(__name__)

__all__ = [
    "BrokerUnavailable",
    "Job",
    "claim",
    "enqueue",
    "fail_stale",
    "finish",
    "one_attempt",
    "progress",
]


class Job(models.Model):
    """The fields every job row has. Each job keeps its own `status` (and `stage`) choices."""

    progress = models.PositiveSmallIntegerField(_("Fortschritt in %"), default=0)
    message = models.TextField(_("Meldung"), blank=True)
    started_at = models.DateTimeField(_("gestartet am"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("letztes Lebenszeichen"), null=True, blank=True)

    class Meta:
        abstract = True


def claim(model, pk, *, claimable, running, **fields):
    """Take the job if its status is one of `claimable` (queued, or running when a crashed
    worker's message comes back). False if someone else took it or it has ended."""
    now = timezone.now()
    return bool(
        model.objects.filter(pk=pk, status__in=list(claimable)).update(
            status=running, started_at=now, heartbeat_at=now, **fields
        )
    )


@contextlib.contextmanager
def one_attempt(lock_class, pk, *, using="default"):
    """One attempt at a job at a time, across every worker process and host: yields True to
    the attempt that holds the job, False to any other (a message the broker handed out
    twice, a crashed worker's message coming back while a retry runs).

    A PostgreSQL session lock (`lock_class`, `pk`) on the connection `using`; it ends with
    the connection, so a dead worker never blocks the next attempt. `claim` accepts a
    running job (so a crashed worker's job can be taken up again); this lock is what keeps
    a live attempt alone. SQLite has one writer at a time anyway."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [lock_class, int(pk)])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            # A broken connection took the lock with it.
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [lock_class, int(pk)])


def progress(model, pk, percent, **fields):
    """Report progress; it is also the job's sign of life."""
    model.objects.filter(pk=pk).update(progress=percent, heartbeat_at=timezone.now(), **fields)


def finish(model, pk, status, *, message="", **fields):
    model.objects.filter(pk=pk).update(status=status, message=message, **fields)


def fail_stale(model, *, running, failed, silence_seconds, message, cleanup=None, **fields):
    """Jobs `running` without a sign of life for `silence_seconds` end `failed` with
    `message`; `cleanup(pk)` then removes what an attempt may have left. Returns their ids.

    Each row is ended with a conditional UPDATE, so a job that beat again meanwhile goes on.
    """
    cutoff = timezone.now() - datetime.timedelta(seconds=silence_seconds)
    silent = model.objects.filter(status=running, heartbeat_at__lte=cutoff)
    ended = []
    for pk in list(silent.values_list("pk", flat=True)):
        if silent.filter(pk=pk).update(status=failed, message=message, **fields):
            logger.warning("%s %s ended as failed: no sign of life", model.__name__, pk)
            if cleanup:
                cleanup(pk)
            ended.append(pk)
    return ended


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
