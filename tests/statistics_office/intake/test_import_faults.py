"""Faults during an import: the worker killed mid-load leaves nothing half-written and the
run can be retried (PostgreSQL, a real Celery worker on the real broker)."""

import signal
import time

import psycopg2
import pytest

from bif import seeding
from departments import uploads
from departments.demo import generator
from departments.models import DataSource, ImportRun
from statistics_office.intake import run as intake_run
from statistics_office.intake.tasks import run_import
from statistics_office.microdata import store
from statistics_office.microdata.models import MicrodataVersion
from tests.conftest import start_worker, stop_worker

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]


def _sealed_connection():
    from django.db import connections

    params = connections["sealed"].settings_dict
    return psycopg2.connect(
        dbname=params["NAME"],
        user=params.get("USER") or "postgres",
        host=params.get("HOST") or "127.0.0.1",
        port=params.get("PORT") or 5432,
    )


def _waits_for_lock(holder):
    """Whether another session waits for the version table, which `holder` has locked."""
    with holder.cursor() as cursor:  # pg_locks is live; pg_stat_activity would be a snapshot
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass",
            [MicrodataVersion._meta.db_table],
        )
        return cursor.fetchone()[0] > 0


def test_worker_killed_while_loading_leaves_no_rows_and_the_run_can_be_retried(
    tmp_path, monkeypatch, settings
):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("needs a broker for a real worker")
    from bif.celery import app

    settings.UPLOAD_ROOT = tmp_path / "uploads"
    path = tmp_path / "einwohner.csv"
    generator.write_source_csv("einwohner", path, year=2025, residents=600_000)
    seeding.create_catalog()
    source = DataSource.objects.get(slug="einwohner")
    # Queue the run ourselves, to a queue only the worker we are going to kill listens on.
    monkeypatch.setattr(uploads, "enqueue_run", lambda run: None)
    run = uploads.submit_path(source=source, path=path)

    # Hold the load at its last step: the version row it inserts waits for our lock, so the
    # worker is killed with every row copied into a table its transaction has not committed.
    holder = _sealed_connection()
    holder.cursor().execute(f'LOCK TABLE "{MicrodataVersion._meta.db_table}" IN SHARE MODE')
    worker = start_worker("faulttest", "celery-fault-worker")
    app.conf.task_always_eager = False
    try:
        run_import.apply_async(args=[run.pk], queue="faulttest")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not _waits_for_lock(holder):
            run.refresh_from_db()
            assert not run.is_finished, (run.status, run.stage, run.message)
            time.sleep(0.05)
        run.refresh_from_db()
        assert _waits_for_lock(holder), (run.status, run.stage)
        assert run.stage in (ImportRun.Stage.LOADING, ImportRun.Stage.PLAUSIBILITY), run.stage
        assert run.row_count > 500_000  # every row read, checked and copied
        # Killed, and its sessions ended: PostgreSQL rolls the load's transaction back.
        stop_worker(worker, signal.SIGKILL)
    finally:
        app.conf.task_always_eager = True
        if worker.poll() is None:
            stop_worker(worker, signal.SIGKILL)
        holder.rollback()
        holder.close()

    run.refresh_from_db()
    assert run.status == ImportRun.Status.RUNNING  # nobody told it yet
    assert MicrodataVersion.objects.filter(import_run_id=run.pk).count() == 0
    assert store.microdata_tables() == []

    assert intake_run.fail_stale_runs(max_silence_seconds=0) == [run.pk]
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "unterbrochen" in run.message

    monkeypatch.undo()
    uploads.retry(run)  # eager in the test process
    run.refresh_from_db()
    assert run.status in (ImportRun.Status.ACCEPTED, ImportRun.Status.AWAITING_REVIEW)
    version = MicrodataVersion.objects.get(import_run_id=run.pk)
    assert store.count_rows(version) == run.row_count > 500_000
    assert settings.CELERY_BROKER_URL
