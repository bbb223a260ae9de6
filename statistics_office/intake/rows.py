"""The import run's job row (departments.ImportRun) as the run updates it, through bif.jobs."""

from django.utils import timezone

from bif import jobs
from departments.importing.findings import to_stored
from departments.models import ImportRun
from statistics_office.microdata import reports

Status = ImportRun.Status
Stage = ImportRun.Stage


class Cancelled(Exception):
    """The analyst cancelled the run; it stops at the next check."""


def claim(run_id):
    """Take a queued run (or one a crashed worker left running). False if someone else has it."""
    return jobs.claim(
        ImportRun,
        run_id,
        claimable=[Status.QUEUED, Status.RUNNING],
        running=Status.RUNNING,
        stage=Stage.READING,
        progress=1,
    )


def progress(run_id, stage, progress, **fields):
    jobs.progress(ImportRun, run_id, progress, stage=stage, **fields)


def check_cancel(run_id):
    if ImportRun.objects.filter(pk=run_id, cancel_requested=True).exists():
        raise Cancelled


def finish(run_id, status, *, message="", **fields):
    jobs.finish(ImportRun, run_id, status, message=message, finished_at=timezone.now(), **fields)


def report(run_id, findings, profile=None):
    """Findings and profile go to the sealed side (they quote values from the file); the
    job row gets their counts by rule. Returns the row's fields."""
    stored = [to_stored(f) for f in findings]
    reports.save(run_id, findings=stored, profile=profile.to_dict() if profile else None)
    return {"finding_counts": reports.counts_by_rule(stored)}


def reject(run_id, findings, *, profile=None, **fields):
    """End a run as failed because of its findings; nothing was loaded."""
    errors = sum(1 for f in findings if f.severity == "error")
    finish(
        run_id,
        Status.FAILED,
        stage=Stage.DONE,
        error_count=errors,
        warning_count=len(findings) - errors,
        **report(run_id, findings, profile),
        **fields,
    )
    return Status.FAILED
