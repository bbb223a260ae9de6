"""One job runner (bif/jobs.py): claim, heartbeat, finish and stale recovery, the same for
import runs and table computations."""

import pytest
from kombu.exceptions import OperationalError as BrokerUnavailable

from bif import jobs
from statistics_office.tables import services, tasks
from statistics_office.tables.models import TableComputation
from tests import factories

pytestmark = pytest.mark.django_db(databases=["default", "sealed"])
Status = TableComputation.Status


@pytest.fixture
def definition(source, statistician):
    return factories.TableDefinitionFactory(
        title="Einwohner nach Stadtteil",
        slug="einwohner-stadtteil",
        created_by=statistician,
        sources=[source],
    )


@pytest.fixture
def unsent(monkeypatch):
    """The task message is lost on its way: the row stays as the service left it."""
    monkeypatch.setattr(services, "_send", lambda computation_id: None)


def test_a_computation_whose_worker_died_ends_failed_and_is_not_taken_up_again(
    definition, statistician, unsent
):
    computation = services.request_computation(definition, statistician, automatic=True)
    assert services.claim(computation.pk)  # a worker took it, then died
    computation.refresh_from_db()
    assert computation.status == Status.RUNNING and computation.heartbeat_at is not None

    assert services.fail_stale_computations(max_silence_seconds=0) == [computation.pk]
    computation.refresh_from_db()
    assert computation.status == Status.FAILED and "unterbrochen" in computation.message
    # The lost worker's message comes back later: an ended job is not claimed again.
    assert services.execute_computation(computation.pk) is None
    computation.refresh_from_db()
    assert computation.status == Status.FAILED


def test_a_computation_that_reports_progress_is_not_stale(definition, statistician, unsent):
    computation = services.request_computation(definition, statistician, automatic=True)
    services.claim(computation.pk)
    services._progress(computation.pk, 40)
    assert services.fail_stale_computations(max_silence_seconds=600) == []
    computation.refresh_from_db()
    assert computation.status == Status.RUNNING and computation.progress == 40


def test_a_queued_computation_is_not_stale(definition, statistician, unsent):
    computation = services.request_computation(definition, statistician, automatic=True)
    assert services.fail_stale_computations(max_silence_seconds=0) == []
    computation.refresh_from_db()
    assert computation.status == Status.QUEUED


def test_a_computation_that_cannot_be_queued_ends_failed(
    definition, statistician, monkeypatch, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise BrokerUnavailable("broker away")

    monkeypatch.setattr(tasks.compute_table, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        computation = services.request_computation(definition, statistician, automatic=True)
    computation.refresh_from_db()
    assert computation.status == Status.FAILED
    assert "nicht erreichbar" in computation.message


def test_enqueue_finds_a_task_by_its_name_and_runs_it_without_a_broker():
    assert jobs.enqueue("bif.ping", "hallo") is True


def test_every_task_has_soft_and_hard_time_limits(settings):
    from bif.celery import app

    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "statistics_office.tables.fail_stale_computations" in scheduled
    assert "departments.fail_stale_runs" in scheduled
