"""A worker started with ``WORKER_METRICS_PORT`` serves its own task durations for Prometheus (issue 18): a worker
on a machine without a web process was counted nowhere. A real worker; the scrape is plain HTTP, as Prometheus's."""

import time
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from portal.models import Heartbeat
from portal.tasks import heartbeat
from tests.helpers import free_port
from tests.worker import celery_worker


def scrape(port: int) -> dict:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()  # noqa: S310
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
    }


@pytest.mark.django_db(transaction=True)
def test_a_worker_serves_the_durations_of_the_tasks_it_ran(tmp_path):
    port = free_port()
    env = {"WORKER_METRICS_PORT": str(port), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    with celery_worker(env=env) as queue:
        heartbeat.apply_async(queue=queue)
        deadline, count = time.monotonic() + 60, None
        key = ("portal_celery_task_duration_seconds_count", (("state", "SUCCESS"), ("task", "portal.tasks.heartbeat")))
        while time.monotonic() < deadline and not count:
            try:
                count = scrape(port).get(key)
            except OSError:  # not listening yet
                pass
            time.sleep(0.25)
    assert Heartbeat.objects.filter(name="worker").exists()
    assert count == 1.0
