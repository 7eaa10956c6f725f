"""A task through a real Celery worker process: Redis in CI, the filesystem broker elsewhere."""

import os
import time

import pytest
from django.conf import settings

from portal.models import Heartbeat
from portal.tasks import heartbeat
from tests.worker import celery_worker


@pytest.fixture
def worker_queue(transactional_db):
    with celery_worker() as queue:
        yield queue


@pytest.mark.worker
def test_heartbeat_task_runs_in_a_real_worker_and_healthz_reports_it(worker_queue, client):
    assert settings.CELERY_BROKER_URL.startswith("redis://") or os.environ.get("CI") != "true", "CI runs on Redis"
    heartbeat.apply_async(queue=worker_queue)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Heartbeat.objects.filter(name="worker").exists():
        time.sleep(0.25)
    beat = Heartbeat.objects.get(name="worker")
    assert beat.hostname == f"{worker_queue}@test"

    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"] == "ok" and body["broker"] == "ok"
    assert 0 <= body["worker_last_seen_seconds"] < 60
