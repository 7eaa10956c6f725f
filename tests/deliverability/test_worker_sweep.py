"""A blocklist sweep through real Celery workers: the sweep and its chunks travel on the DNS queue (Redis
in CI), the checks ask a real rbldnsd, the alert is queued for the TAM. MISSION: DLV-2."""

import time
import uuid

import pytest

from accounts.models import OutboundEmail
from deliverability import services
from deliverability.models import Blocklist, ListingEvent, ListingStatus, Sweep, SweepChunk
from tests.deliverability.conftest import DBL, ZEN
from tests.worker import celery_worker, routed

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dns_worker(rbldnsd, settings):
    """Two worker threads on a DNS queue of their own (as `-Q dns` on more machines would be)."""
    base = f"test-{uuid.uuid4().hex[:10]}"
    dns_queue, default_queue = f"{base}-dns", f"{base}-default"
    env = {
        "BLOCKLIST_QUEUE": dns_queue,
        "CELERY_DEFAULT_QUEUE": default_queue,
        "BLOCKLIST_NAMESERVERS": f"{rbldnsd.host}:{rbldnsd.port}",
        "BLOCKLIST_CHUNK": "3",
    }
    routes = {
        "deliverability.tasks.run_sweep": {"queue": dns_queue},
        "deliverability.tasks.check_chunk": {"queue": dns_queue},
    }
    settings.BLOCKLIST_NAMESERVERS = [f"{rbldnsd.host}:{rbldnsd.port}"]
    with routed(routes, default_queue), celery_worker(queues=[dns_queue, default_queue], env=env, concurrency=2):
        yield dns_queue


def test_sweep_fans_out_on_the_dns_queue_and_alerts(world, dns_worker):
    Blocklist.objects.all().delete()  # the test zones only
    zen = Blocklist.objects.create(name="ZEN (test)", importance=1, delist_url="https://zen.test/remove", **ZEN)
    Blocklist.objects.create(name="DBL (test)", importance=1, **DBL)
    services.targets_add(
        account=world.acme,
        actor=world.alice,
        text="192.0.2.1 192.0.2.5 198.51.100.3 198.51.100.254 203.0.113.9 2001:db8::1 acme.example",
        stream_name="transactional",
    )
    sweep = services.sweep_request(account=world.acme, actor=world.alice, trigger=Sweep.Trigger.MANUAL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        sweep.refresh_from_db()
        if sweep.is_finished:
            break
        time.sleep(0.25)
    assert sweep.status == Sweep.State.DONE, sweep.failure
    assert sweep.chunks_total == 3 and SweepChunk.objects.filter(sweep=sweep, status="done").count() == 3
    assert sweep.queries_done == sweep.queries_total == 6  # five IPv4 targets on zen.test, acme.example on dbl.test
    status = {s.target.value: s.result for s in ListingStatus.objects.filter(blocklist=zen).select_related("target")}
    assert status == {
        "192.0.2.1": "listed",
        "192.0.2.5": "clear",  # excluded from the /28 with "!"
        "198.51.100.3": "listed",
        "198.51.100.254": "error",  # "public resolver": an error, never a listing
        "203.0.113.9": "clear",
    }
    assert sorted(ListingEvent.objects.filter(sweep=sweep).values_list("target__value", flat=True)) == [
        "192.0.2.1",
        "198.51.100.3",
    ]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not OutboundEmail.objects.filter(kind="blocklist.alert").exists():
        time.sleep(0.25)
    alerts = [mail for mail in OutboundEmail.objects.filter(kind="blocklist.alert") if "tina@tam.test" in mail.to]
    assert len(alerts) == 1
    alert = alerts[0]
    assert "192.0.2.1" in alert.body and "https://zen.test/remove" in alert.body
    assert "198.51.100.254" not in alert.body
