"""Beat task: publish embargoed tables whose release time has come (idempotent)."""

from celery import shared_task


@shared_task(name="dissemination.release_due")
def release_due():
    from .release import release_due as run

    return [table.pk for table in run()]
