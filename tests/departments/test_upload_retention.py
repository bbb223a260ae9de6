"""Uploaded exports (microdata) do not linger in the drop location."""

import datetime
import os
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from departments import retention, uploads
from departments.models import ImportRun
from tests import factories

pytestmark = pytest.mark.django_db
Status = ImportRun.Status


@pytest.fixture
def upload_root(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    settings.IMPORT_UPLOAD_RETENTION_DAYS = 30
    return settings.UPLOAD_ROOT


def _run(source, root, n, *, status, ended_days_ago):
    path = Path(root) / "2026" / "10" / f"export-{n}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("Personen-ID;Stadtteil\nMARKER-4711;01\n")
    ended = timezone.now() - datetime.timedelta(days=ended_days_ago)
    return factories.ImportRunFactory(
        source=source,
        file_name=f"export-{n}.csv",
        stored_path=str(path),
        checksum=f"{n:064d}",
        status=status,
        finished_at=ended,
    )


def test_expired_uploads_of_ended_runs_are_deleted_and_the_runs_stay(source, upload_root):
    old_failed = _run(source, upload_root, 1, status=Status.FAILED, ended_days_ago=31)
    old_cancelled = _run(source, upload_root, 2, status=Status.CANCELLED, ended_days_ago=45)
    recent_failed = _run(source, upload_root, 3, status=Status.FAILED, ended_days_ago=3)
    waiting = _run(source, upload_root, 4, status=Status.AWAITING_REVIEW, ended_days_ago=90)

    report = retention.purge_uploads()

    assert report.run_files == 2 and report.bytes_freed > 0
    assert not Path(old_failed.stored_path).exists()
    assert not Path(old_cancelled.stored_path).exists()
    # A recent failure can still be retried; a run under review still needs its file.
    assert Path(recent_failed.stored_path).exists()
    assert Path(waiting.stored_path).exists()
    assert ImportRun.objects.count() == 4
    with pytest.raises(uploads.ImportRejected):
        uploads.retry(old_failed)
    # Idempotent.
    assert retention.purge_uploads().run_files == 0


def test_orphan_files_go_after_the_grace_period_and_empty_folders_with_them(source, upload_root):
    kept = _run(source, upload_root, 1, status=Status.FAILED, ended_days_ago=1)
    orphan = Path(upload_root) / "2026" / "09" / "crash.csv"
    orphan.parent.mkdir(parents=True)
    orphan.write_text("MARKER-4711\n")
    fresh = Path(upload_root) / "2026" / "10" / "being-written.csv"
    fresh.write_text("MARKER-4711\n")
    two_days_ago = time.time() - 48 * 3600
    os.utime(orphan, (two_days_ago, two_days_ago))

    report = retention.purge_uploads()

    assert report.orphan_files == 1
    assert not orphan.exists() and not orphan.parent.exists()
    assert fresh.exists() and Path(kept.stored_path).exists()


def test_files_outside_the_upload_root_are_never_touched(source, upload_root, tmp_path):
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("keep")
    run = _run(source, upload_root, 1, status=Status.FAILED, ended_days_ago=60)
    ImportRun.objects.filter(pk=run.pk).update(stored_path=str(elsewhere))

    retention.purge_uploads()

    assert elsewhere.exists()


def test_purge_command_reports_counts_without_file_names(source, upload_root, capsys, caplog):
    _run(source, upload_root, 1, status=Status.FAILED, ended_days_ago=31)
    with caplog.at_level("INFO"):
        call_command("purge_uploads")
    out = capsys.readouterr().out
    assert "Gelöscht: 1 Dateien beendeter Importläufe" in out
    assert "export-1" not in out + caplog.text and "MARKER" not in out + caplog.text


def test_the_daily_task_purges_and_reports_counts(source, upload_root, settings):
    from departments import tasks

    assert "departments.purge_uploads" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    _run(source, upload_root, 1, status=Status.FAILED, ended_days_ago=31)
    result = tasks.purge_uploads.delay().get()
    assert result["run_files"] == 1
