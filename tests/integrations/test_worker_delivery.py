"""End to end (issue 20's "a customer script ... receives its webhook"): a service opens a case, the commit
queues the drain, a real Celery worker process sends the event, and the customer's receiver on loopback
checks the signature the way the documentation says."""

import time
import uuid

import pytest

from cases import services as cases
from cases.models import Case
from integrations.models import Delivery
from portal.celery import app as celery_app
from tests.worker import celery_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    queue = f"test-{uuid.uuid4().hex[:10]}-default"
    env = {"CELERY_DEFAULT_QUEUE": queue, "WEBHOOKS_ALLOW_NETWORKS": "127.0.0.0/8", "WEBHOOKS_ALLOW_HTTP": "true"}
    default = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        with celery_worker(queues=[queue], env=env):
            yield queue
    finally:
        celery_app.conf.task_default_queue = default


def test_a_case_opened_reaches_the_customer_through_a_real_worker(world, endpoint, receiver, worker):
    case = cases.case_open(
        account=world.acme,
        actor=world.alice,
        subject="Outage: every API call times out",
        description="Since 09:00 UTC every call returns 504.",
        severity=Case.Severity.CRITICAL,
        category=Case.Category.BUG,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(receiver.requests) < 2:
        time.sleep(0.25)
    assert {e["type"] for e in receiver.events()} == {"case.opened", "case.critical"}
    assert all(r["verified"] for r in receiver.requests)
    assert {e["data"]["number"] for e in receiver.events()} == {case.number}
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.DELIVERED}
