"""Two sealed workers on one queue (two processes, as on two hosts): every import and every
table computation is done exactly once, even when the broker hands each message out twice
(PostgreSQL, a real broker; docs/SCALING.md)."""

import time
from unittest import mock

import pytest

from bif import audit, seeding
from departments import uploads
from departments.demo import generator
from departments.models import DataSource, ImportRun
from statistics_office.intake.tasks import run_import
from statistics_office.microdata.models import MicrodataVersion
from statistics_office.models import AuditEntry
from statistics_office.tables.models import TableComputation, TableDefinition
from statistics_office.tables.tasks import compute_table
from tests.conftest import ROOT, start_worker, stop_worker

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]
QUEUE = "two-sealed-workers"
SOURCES = ("einwohner", "kita", "sgb2", "bauantraege")


def _wait(done, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if done():
            return True
        time.sleep(0.2)
    return False


def _runs(tmp_path):
    """One queued import run per source; their messages are sent by the test, twice each."""
    seeding.create_catalog()
    runs = []
    with mock.patch.object(uploads, "enqueue_run"):
        for slug in SOURCES:
            path = tmp_path / f"{slug}.csv"
            generator.write_source_csv(slug, path, year=2025, residents=4_000)
            source = DataSource.objects.get(slug=slug)
            runs.append(uploads.submit_path(source=source, path=path))
    assert all(r.status == ImportRun.Status.QUEUED for r in runs)
    return runs


def _computations(statistician, count=6):
    definition = TableDefinition.objects.create(
        title="Einwohner nach Stadtteil und Geschlecht",
        slug="einwohner-zwei-worker",
        dimensions=[
            {"field": "Stadtteil", "kind": "code"},
            {"field": "Geschlecht", "kind": "code"},
        ],
        created_by=statistician,
    )
    definition.sources.set([DataSource.objects.get(slug="einwohner")])
    return [
        TableComputation.objects.create(definition=definition, computed_by=statistician)
        for _ in range(count)
    ]


def test_two_workers_on_one_queue_do_each_import_and_computation_exactly_once(
    tmp_path, settings, statistician
):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("needs a broker for real workers")
    from bif.celery import app

    settings.UPLOAD_ROOT = tmp_path / "uploads"
    runs = _runs(tmp_path)
    workers = [start_worker(QUEUE, f"celery-sealed-{n}") for n in ("a", "b")]
    app.conf.task_always_eager = False
    try:
        for run in runs:
            for _delivery in range(2):  # a message handed out twice
                run_import.apply_async(args=[run.pk], queue=QUEUE)
        assert _wait(
            lambda: (
                not ImportRun.objects.filter(
                    pk__in=[r.pk for r in runs],
                    status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING],
                ).exists()
            )
        ), "imports did not end"
        for run in runs:
            run.refresh_from_db()
            assert run.status in (ImportRun.Status.ACCEPTED, ImportRun.Status.AWAITING_REVIEW)
            assert run.row_count > 0
        # One loaded version per run, never two tables for one file.
        assert MicrodataVersion.objects.filter(import_run_id__in=[r.pk for r in runs]).count() == 4

        computations = _computations(statistician)
        for computation in computations:
            for _delivery in range(2):
                compute_table.apply_async(args=[computation.pk], queue=QUEUE)
        ids = [c.pk for c in computations]
        assert _wait(
            lambda: (
                TableComputation.objects.filter(
                    pk__in=ids, status=TableComputation.Status.COMPUTED
                ).count()
                == len(ids)
            )
        ), "computations did not end"
    finally:
        app.conf.task_always_eager = True
        for worker in workers:
            stop_worker(worker)

    # Each computation was computed (and audited) once, not once per delivery.
    entries = AuditEntry.objects.filter(action=audit.Action.AGGREGATION_RUN)
    per_computation = [e.details.get("computation_id") for e in entries]
    assert sorted(c for c in per_computation if c in ids) == sorted(ids)
    # Both processes took work from the queue.
    logs = [(ROOT / "var" / f"celery-sealed-{n}").read_text() for n in ("a", "b")]
    assert all("succeeded" in log for log in logs)
