"""How long uploaded exports stay in the drop location.

An uploaded export is microdata. Once accepted, the sealed database holds it and the upload
is deleted at once (statistics_office/intake/versions.py). A failed, cancelled or
rolled-back run keeps its file for a retry; after IMPORT_UPLOAD_RETENTION_DAYS it is deleted
here, the run row (with its findings, checksum and counts) stays. Files without any run (a
crash between writing the file and creating the row) are deleted after a grace period.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import ImportRun

logger = logging.getLogger(__name__)
Status = ImportRun.Status
# Runs whose file is no longer needed for their work; their uploads may go after retention.
ENDED = (Status.FAILED, Status.CANCELLED, Status.ROLLED_BACK, Status.ACCEPTED, Status.SUPERSEDED)


@dataclass
class PurgeReport:
    run_files: int = 0
    orphan_files: int = 0
    bytes_freed: int = 0

    def as_dict(self):
        return {
            "run_files": self.run_files,
            "orphan_files": self.orphan_files,
            "bytes_freed": self.bytes_freed,
        }


def _unlink(path: Path, report: PurgeReport) -> bool:
    try:
        size = path.stat().st_size
        path.unlink()
    except FileNotFoundError:
        return False
    report.bytes_freed += size
    return True


def purge_uploads(*, now=None, retention_days=None, orphan_grace_hours=24) -> PurgeReport:
    """Delete uploads of runs that ended more than `retention_days` ago and files that no
    run refers to; idempotent. Returns counts (never file names: they may name people)."""
    now = now or timezone.now()
    if retention_days is None:
        retention_days = settings.IMPORT_UPLOAD_RETENTION_DAYS
    root = Path(settings.UPLOAD_ROOT).resolve()
    report = PurgeReport()
    cutoff = now - timedelta(days=retention_days)

    expired = (
        ImportRun.objects.filter(status__in=ENDED)
        .annotate(ended=Coalesce("finished_at", "reviewed_at", "created_at"))
        .filter(ended__lt=cutoff)
        .values_list("stored_path", flat=True)
    )
    for stored in expired.iterator():
        path = Path(stored)
        if stored and path.resolve().is_relative_to(root) and _unlink(path, report):
            report.run_files += 1

    if root.is_dir():
        # Every path a run refers to, whatever its state: those files are not orphans.
        referenced = {
            str(Path(p).resolve())
            for p in ImportRun.objects.exclude(Q(stored_path="")).values_list(
                "stored_path", flat=True
            )
        }
        grace = time.time() - orphan_grace_hours * 3600
        for path in sorted(root.rglob("*"), reverse=True):
            if path.is_dir():
                if path != root and not any(path.iterdir()):
                    path.rmdir()
                continue
            if str(path.resolve()) in referenced or path.stat().st_mtime > grace:
                continue
            if _unlink(path, report):
                report.orphan_files += 1
    logger.info("upload retention: %s", report.as_dict())
    return report
