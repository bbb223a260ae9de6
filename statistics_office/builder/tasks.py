"""The builder's task in the sealed worker (queue "sealed" by the statistics_office.* route)."""

from celery import shared_task

from . import run


@shared_task(name="statistics_office.builder.run_query", acks_late=True)
def run_query(query_id):
    query = run.execute(query_id)
    return query.status if query else None
