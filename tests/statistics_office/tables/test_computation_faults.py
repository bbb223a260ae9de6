"""A table computation whose worker is killed ends failed and can be computed again, like an
import (PostgreSQL, a real Celery worker on the real broker)."""

import signal
import time

import pytest

from bif import seeding
from departments import uploads
from departments.demo import generator
from departments.models import DataSource, ImportRun
from statistics_office.tables import services
from statistics_office.tables.models import TableComputation
from statistics_office.tables.tasks import compute_table
from tests import factories
from tests.conftest import start_worker, stop_worker

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]
Status = TableComputation.Status


def test_worker_killed_while_computing_ends_failed_and_the_table_can_be_computed_again(
    tmp_path, settings, statistician
):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("needs a broker for a real worker")
    from bif.celery import app

    settings.UPLOAD_ROOT = tmp_path / "uploads"
    path = tmp_path / "einwohner.csv"
    generator.write_source_csv("einwohner", path, year=2025, residents=300_000)
    seeding.create_catalog()
    source = DataSource.objects.get(slug="einwohner")
    app.conf.task_always_eager = True  # the import runs here, in the test process
    run = uploads.submit_path(source=source, path=path)
    run.refresh_from_db()
    assert run.status in (ImportRun.Status.ACCEPTED, ImportRun.Status.AWAITING_REVIEW)
    if run.status == ImportRun.Status.AWAITING_REVIEW:
        from statistics_office.intake import versions

        versions.activate(run.pk)
    definition = factories.TableDefinitionFactory(
        title="Einwohner nach Stadtteil, Alter und Geschlecht",
        slug="einwohner-alter",
        dimensions=[
            {"field": "Stadtteil", "kind": "code"},
            {"field": "Geburtsdatum", "kind": "age_band", "bands": "5y"},
            {"field": "Geschlecht", "kind": "code"},
        ],
        created_by=statistician,
        sources=[source],
    )
    # The task goes to a queue only the worker we are going to kill listens on.
    computation = factories.TableComputationFactory(definition=definition, automatic=True)
    worker = start_worker("faulttest", "celery-table-fault-worker")
    app.conf.task_always_eager = False
    try:
        compute_table.apply_async(args=[computation.pk], queue="faulttest")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            computation.refresh_from_db()
            if computation.status != Status.QUEUED:
                break
            time.sleep(0.01)
        assert computation.status == Status.RUNNING, computation.status
        stop_worker(worker, signal.SIGKILL)
    finally:
        app.conf.task_always_eager = True
        if worker.poll() is None:
            stop_worker(worker, signal.SIGKILL)

    computation.refresh_from_db()
    assert computation.status == Status.RUNNING  # nobody told it yet: "läuft" for ever
    assert computation.cells == []

    assert services.fail_stale_computations(max_silence_seconds=0) == [computation.pk]
    computation.refresh_from_db()
    assert computation.status == Status.FAILED and "unterbrochen" in computation.message

    again = services.request_computation(definition, statistician, automatic=True)
    again.refresh_from_db()
    assert again.status == Status.COMPUTED, again.message
    assert again.cells
