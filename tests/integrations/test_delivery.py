"""Deliveries to real HTTP servers on loopback (issues 19, 20): the signed JSON event checked the way the
documentation says, retries with exponential back-off, a replay refused by the receiver, the SSRF guard,
rotation, and a destination failing for three days switched off with its admins told."""

import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import OutboundEmail
from cases import services as cases
from cases.models import Case
from integrations import delivery, signing
from integrations.events import emit
from integrations.models import Attempt, Delivery, Destination
from tests.integrations.factories import DestinationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def open_case(world, *, critical=False):
    return cases.case_open(
        account=world.acme,
        actor=world.alice,
        subject="Bounces from Gmail since 9:00",
        description="Every message to gmail.com bounces with 421.",
        severity=Case.Severity.CRITICAL if critical else Case.Severity.NON_CRITICAL,
        category=Case.Category.BUG,
    )


def test_a_case_opened_reaches_the_endpoint_signed_as_documented(world, endpoint, receiver):
    case = open_case(world, critical=True)  # the drain task runs on commit (eager in tests)
    delivery.drain()
    assert len(receiver.requests) == 2  # case.opened and, Severity 1, case.critical
    assert all(r["verified"] for r in receiver.requests)
    event = next(e for e in receiver.events() if e["type"] == "case.opened")
    assert set(event) == {"id", "type", "version", "created", "account", "data"}
    assert event["version"] == 1 and event["id"].startswith("evt_")
    assert event["account"] == {"slug": "acme", "name": "Acme"}
    assert event["data"]["number"] == case.number and event["data"]["subject"] == "Bounces from Gmail since 9:00"
    assert event["data"]["url"].endswith(case.get_absolute_url())
    assert {e["type"] for e in receiver.events()} == {"case.opened", "case.critical"}
    assert len({e["id"] for e in receiver.events()}) == 2  # two events, each with its own id
    header = receiver.requests[0]["headers"]["X-Portal-Signature"]
    assert not signing.verify(header, receiver.requests[0]["body"] + b" ", endpoint.secret, now=int(header[2:12]))


def test_nothing_is_queued_when_the_change_rolls_back(world, endpoint):
    with pytest.raises(RuntimeError), transaction.atomic():
        emit(account=world.acme, type="case.opened", data={"number": "X", "subject": "s"})
        raise RuntimeError
    assert not Delivery.objects.exists()


def test_a_status_change_and_the_resolution_are_events(world, endpoint, receiver):
    case = open_case(world)
    cases.case_start_work(case=case, actor=world.tina)
    cases.case_propose_resolution(case=case, actor=world.tina, summary="Fixed the MX.")
    cases.case_accept_resolution(case=case, actor=world.alice)
    delivery.drain()
    kinds = [(e["type"], e["data"]["status_code"]) for e in sorted(receiver.events(), key=lambda e: e["created"])]
    assert kinds == [
        ("case.opened", "new"),
        ("case.updated", "in_progress"),
        ("case.updated", "resolution_proposed"),
        ("case.resolved", "resolved"),
    ]


def test_only_subscribed_enabled_destinations_of_the_account_receive(world, receiver, settings):
    DestinationFactory(account=world.acme, url=f"{receiver.url}/a", event_types=["blocklist.listed"])
    DestinationFactory(account=world.acme, url=f"{receiver.url}/b", event_types=["case.opened"], enabled=False)
    DestinationFactory(account=world.globex, url=f"{receiver.url}/c", event_types=["case.opened"])
    open_case(world)
    delivery.drain()
    assert receiver.requests == []


def test_500_twice_then_200_with_exponential_back_off(world, endpoint, receiver, frozen):
    start = frozen("2026-05-11 10:00")
    receiver.statuses = [500, 500]
    with transaction.atomic():
        emit(account=world.acme, type="blocklist.listed", data={"target": "192.0.2.7", "list": "Spamhaus SBL"})
    assert delivery.drain() == 0
    row = Delivery.objects.get()
    assert row.status == Delivery.Status.PENDING and row.attempts == 1
    assert start + timedelta(seconds=48) <= row.next_attempt_at <= start + timedelta(seconds=60)
    assert delivery.drain() == 0 and Attempt.objects.count() == 1  # not due yet: nothing sent
    frozen(row.next_attempt_at)
    second = row.next_attempt_at
    assert delivery.drain() == 0
    row.refresh_from_db()
    assert second + timedelta(seconds=96) <= row.next_attempt_at <= second + timedelta(seconds=120)
    frozen(row.next_attempt_at)
    assert delivery.drain() == 1
    row.refresh_from_db()
    assert row.status == Delivery.Status.DELIVERED and row.attempts == 3
    assert [a.status_code for a in Attempt.objects.order_by("at", "pk")] == [500, 500, 200]
    assert Attempt.objects.order_by("at", "pk").first().response == "refused: 500"
    bodies = {r["body"] for r in receiver.requests}
    assert len(bodies) == 1  # every retry sends the same event
    assert all(r["verified"] for r in receiver.requests)


def test_the_back_off_grows_to_a_day_then_the_delivery_fails():
    waits = [delivery.backoff(n, jitter=0) for n in range(1, delivery.MAX_ATTEMPTS)]
    assert waits[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert waits[-2:] == [timedelta(minutes=1024), timedelta(hours=24)]
    assert delivery.backoff(30, jitter=0.2) == timedelta(hours=24) * 0.8


def test_the_last_attempt_fails_the_delivery(world, endpoint, receiver):
    receiver.statuses = [500]
    with transaction.atomic():
        emit(account=world.acme, type="incident.started", data={"summary": "API unavailable"})
    Delivery.objects.update(attempts=delivery.MAX_ATTEMPTS - 1, next_attempt_at=timezone.now())
    receiver.statuses = [500]
    delivery.drain()
    assert Delivery.objects.get().status == Delivery.Status.FAILED


def test_a_replayed_delivery_is_refused_by_the_receiver(world, endpoint, receiver, frozen):
    frozen("2026-05-11 10:00", tick=True)
    open_case(world)
    delivery.drain()
    first = receiver.requests[0]
    assert first["verified"]
    frozen("2026-05-11 10:06", tick=True)  # an attacker sends the captured request again, 6 minutes on
    signature = {"X-Portal-Signature": first["headers"]["X-Portal-Signature"]}
    request = urllib.request.Request(f"{receiver.url}/hook", data=first["body"], method="POST", headers=signature)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 - the test's own loopback server
    assert refused.value.code == 400
    assert not receiver.requests[-1]["verified"]


def test_during_a_rotation_both_secrets_verify(world, endpoint, receiver):
    from integrations.services import destination_rotate_secret

    old = endpoint.secret
    destination_rotate_secret(destination=endpoint, actor=world.alice)
    receiver.secret = old  # a receiver not yet given the new secret
    open_case(world)
    delivery.drain()
    assert receiver.requests[0]["verified"]
    receiver.secret = Destination.objects.get(pk=endpoint.pk).secret
    header = receiver.requests[0]["headers"]["X-Portal-Signature"]
    assert header.count("v1=") == 2


def test_loopback_is_refused_without_the_setting(world, endpoint, receiver, settings):
    settings.WEBHOOKS_ALLOW_NETWORKS = []
    open_case(world)
    delivery.drain()
    assert receiver.requests == []
    assert Attempt.objects.first().error == "the address is not on the public internet"


def test_a_redirect_is_not_followed(world, receiver):
    receiver.statuses = [302]
    d = DestinationFactory(account=world.acme, url=f"{receiver.url}/hook", event_types=["case.opened"])
    receiver.secret = d.secret
    open_case(world)
    delivery.drain()
    assert len(receiver.requests) == 1
    assert Attempt.objects.get().status_code == 302
    assert Delivery.objects.get().status == Delivery.Status.PENDING


def test_failing_for_three_days_switches_the_destination_off_and_tells_the_admins(world, endpoint, receiver, frozen):
    frozen("2026-05-11 10:00")
    receiver.statuses = [500] * 3
    with transaction.atomic():
        emit(account=world.acme, type="incident.started", data={"summary": "API unavailable"})
    delivery.drain()
    endpoint.refresh_from_db()
    assert endpoint.failing_since == timezone.now() and endpoint.enabled
    frozen("2026-05-14 09:59")
    delivery.drain()
    endpoint.refresh_from_db()
    assert endpoint.enabled
    frozen("2026-05-14 10:00")
    Delivery.objects.update(next_attempt_at=timezone.now())
    delivery.drain()
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    (mail,) = OutboundEmail.objects.filter(kind="webhook_disabled")
    assert mail.to == ["alice@acme.test"] and "Ops endpoint" in mail.subject
    assert "three days" in mail.body


def test_a_success_clears_the_failing_mark(world, endpoint, receiver):
    Destination.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(days=2))
    open_case(world)
    delivery.drain()
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_a_second_drain_sends_nothing_twice(world, endpoint, receiver):
    open_case(world)  # drained on commit
    assert delivery.drain() == 0
    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0]["body"])["type"] == "case.opened"
