"""Celery tasks of table computation: ids in, job row out. Queue "sealed" (see settings)."""

from celery import shared_task

from . import services


@shared_task(name="statistics_office.tables.compute_table", acks_late=True)
def compute_table(computation_id):
    computation = services.execute_computation(computation_id)
    return computation.status if computation else None


@shared_task(name="statistics_office.tables.recompute_dependents")
def recompute_dependents(source_id):
    return [c.pk for c in services.recompute_dependents(source_id)]


@shared_task(name="statistics_office.tables.fail_stale_computations")
def fail_stale_computations():
    """Every few minutes: computations whose worker died end failed, ready to compute again."""
    return services.fail_stale_computations()
