"""Celery: eager without a broker, a real round trip through the broker when there is one."""

import pytest
from django.conf import settings

from bif.tasks import ping


def test_tasks_run_eagerly_without_a_broker():
    assert ping.delay("hallo").get(timeout=5) == {"reply": "hallo"}


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_round_trip_through_a_real_worker():
    assert settings.CELERY_BROKER_URL
    result = ping.apply_async(args=["Flensburg"])
    assert result.get(timeout=30) == {"reply": "Flensburg"}
