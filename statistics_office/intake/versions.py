"""What happens to a loaded version: it becomes current, is discarded, or is rolled back."""

import logging
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bif import jobs
from departments.models import ImportRun
from statistics_office.microdata import store

from . import rows

logger = logging.getLogger(__name__)
Status, Stage = ImportRun.Status, ImportRun.Stage


def activate(run_id):
    """Make the run's loaded version current; the previous accepted run is superseded."""
    run = ImportRun.objects.select_related("source").get(pk=run_id)
    store.make_current(run.pk)
    with transaction.atomic():
        ImportRun.objects.filter(source=run.source, status=Status.ACCEPTED).exclude(
            pk=run.pk
        ).update(status=Status.SUPERSEDED)
        ImportRun.objects.filter(pk=run.pk).update(
            status=Status.ACCEPTED, finished_at=timezone.now(), stage=Stage.DONE, progress=100
        )
    discard_upload(run)
    # Tables over this source are recomputed (and, where so marked, republished).
    transaction.on_commit(lambda: _recompute_dependents(run.source_id))
    return run


def _recompute_dependents(source_id):
    def not_queued(error):
        # The import is accepted and stays so; only the follow-up task could not be sent.
        logger.error("tables over source %s not queued for recomputation", source_id)

    jobs.enqueue(
        "statistics_office.tables.recompute_dependents", source_id, on_unavailable=not_queued
    )


def discard_upload(run):
    # The sealed side has the data now; the drop location keeps no copy.
    Path(run.stored_path).unlink(missing_ok=True)


def discard(run_id, status):
    run = ImportRun.objects.get(pk=run_id)
    store.drop_version(run.pk)
    rows.finish(run.pk, status, message=run.message)
    discard_upload(run)


def execute_rollback(run_id, previous_id):
    if previous_id:
        store.make_current(previous_id)
        ImportRun.objects.filter(pk=previous_id).update(status=Status.ACCEPTED)
    store.drop_version(run_id)
    rows.finish(run_id, Status.ROLLED_BACK, message=_("Der Import wurde zurückgenommen."))
