"""Celery tasks of the statistics office: small, idempotent, ids in, counts out."""

from celery import shared_task

from . import grants
from .intake import tasks as intake_tasks  # noqa: F401 - registers the import run's tasks


@shared_task(name="statistics_office.expire_grants")
def expire_grants():
    """Daily (and after midnight): drop permissions of grants no longer in effect."""
    return grants.expire_grants()
