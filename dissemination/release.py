"""Releasing embargoed tables: the office's own publication, run by its worker (beat).

Publishing checks joint protection against the sealed data inside statistics_office, so this
module runs only where the sealed database is configured, never in the open-data process.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from statistics_office.tables import publication
from statistics_office.tables.checks import TableError
from statistics_office.tables.models import TableComputation

from .models import TableMetadata

logger = logging.getLogger(__name__)
Status = TableComputation.Status


def release_due(now=None):
    """Publish every reviewed, scheduled computation whose time has come (idempotent)."""
    now = now or timezone.now()
    due = TableMetadata.objects.filter(
        release_at__lte=now, computation__status=Status.REVIEWED
    ).select_related("computation__definition", "release_by")
    published = []
    for metadata in due:
        try:
            with transaction.atomic():
                published.append(publication.publish(metadata.computation, metadata.release_by))
        except (TableError, PermissionDenied) as error:
            logger.warning("release of computation %s failed: %s", metadata.computation_id, error)
    return published
