"""Send what is due to the destinations, one attempt at a time, and log each attempt.

Like ``accounts/outbox.py``: deliveries are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` (several
workers share the work; one left in "sending" by a worker that died is claimed again after ``STUCK_AFTER``).
Outbound HTTP goes only through ``core.netguard`` (the address is resolved once, checked, and connected to:
no private or loopback address unless ``WEBHOOKS_ALLOW_NETWORKS`` names it; no redirect is followed).

Retries (``backoff``): 1 minute after the first failure, doubling up to 24 hours, each shortened by up to
20% of jitter so many failed deliveries do not return together; after ``MAX_ATTEMPTS`` the delivery is
"failed". A destination whose deliveries have failed for ``DISABLE_AFTER`` (3 days) without one success
is disabled and the account's admins are told by email."""

import logging
import random
import time
import urllib.error
import urllib.request
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import netguard

from . import signing
from .models import Attempt, Delivery, Destination

log = logging.getLogger(__name__)
BATCH = 50
MAX_ATTEMPTS = 13  # 1, 2, 4 … 1024 minutes, then 24 hours: about two days and a half in all
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=24)
DISABLE_AFTER = timedelta(days=3)
STUCK_AFTER = timedelta(minutes=6)
TIMEOUT = 10  # seconds for one request
KEEP_RESPONSE = 1000  # characters of the answer kept in the log


def backoff(attempts: int, *, jitter: float | None = None) -> timedelta:
    """The wait after the ``attempts``-th failure: 1 min × 2^(n-1), at most 24 h, less up to 20% jitter."""
    wait = min(LONGEST_WAIT, FIRST_RETRY * 2 ** (attempts - 1))
    jitter = random.uniform(0, 0.2) if jitter is None else jitter  # noqa: S311 - spreading retries, not a secret
    return wait * (1 - jitter)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is the answer, logged as a failure: the endpoint must be the URL the admin gave


def _opener():
    return netguard.opener(networks=settings.WEBHOOKS_ALLOW_NETWORKS, redirects=_NoRedirect())


def post(destination: Destination, body: str, *, now=None) -> Attempt:
    """One POST of ``body`` to the destination; the attempt (unsaved) says what happened."""
    data = body.encode()
    headers = {"Content-Type": "application/json", "User-Agent": "TAM-portal-webhooks/1"}
    if destination.kind == Destination.Kind.HTTPS:
        stamp = int((now or timezone.now()).timestamp())
        headers[signing.HEADER] = signing.header(destination.signing_secrets(now), stamp, data)
    request = urllib.request.Request(destination.url, data=data, headers=headers, method="POST")  # noqa: S310 - netguard opener: http(s) only
    attempt = Attempt(at=now or timezone.now())
    started = time.monotonic()
    try:
        with _opener().open(request, timeout=TIMEOUT) as response:
            attempt.status_code = response.status
            attempt.response = response.read(KEEP_RESPONSE * 4).decode("utf-8", "replace")[:KEEP_RESPONSE]
    except urllib.error.HTTPError as exc:
        attempt.status_code = exc.code
        attempt.response = exc.read(KEEP_RESPONSE * 4).decode("utf-8", "replace")[:KEEP_RESPONSE]
    except SoftTimeLimitExceeded:
        raise
    except netguard.NotPublic:
        attempt.error = "the address is not on the public internet"
    except Exception as exc:  # noqa: BLE001 - any failure to reach the endpoint is logged and retried
        attempt.error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"[:300]
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    return attempt


def _claim(now) -> list[int]:
    with transaction.atomic():
        stuck = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - STUCK_AFTER)
        stuck.update(status=Delivery.Status.PENDING)
        ids = list(
            Delivery.objects.ready(now)
            .filter(destination__enabled=True)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at")
            .values_list("id", flat=True)[:BATCH]
        )
        Delivery.objects.filter(id__in=ids).update(status=Delivery.Status.SENDING, claimed_at=now)
    return ids


def drain(*, limit_batches: int = 20) -> int:
    """Send what is due; returns how many were delivered. One failure never stops the others."""
    delivered = 0
    for _ in range(limit_batches):
        ids = _claim(timezone.now())
        if not ids:
            break
        try:
            for delivery in Delivery.objects.filter(id__in=ids).select_related("destination__account"):
                delivered += attempt_delivery(delivery)
        finally:
            Delivery.objects.filter(id__in=ids, status=Delivery.Status.SENDING).update(status=Delivery.Status.PENDING)
    return delivered


def due() -> bool:
    """Deliveries due now that no drain has taken yet."""
    return Delivery.objects.ready(timezone.now()).exists()


def attempt_delivery(delivery: Delivery, *, retry: bool = True) -> int:
    """Try one delivery once and record the attempt; 1 when it was delivered. Without ``retry`` (a test
    event) a failure is final."""
    now = timezone.now()
    attempt = post(delivery.destination, delivery.body, now=now)
    attempt.delivery = delivery
    attempt.save()
    delivery.attempts += 1
    if attempt.ok:
        delivery.status, delivery.delivered_at = Delivery.Status.DELIVERED, now
    elif retry and delivery.attempts < MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = Delivery.Status.PENDING, now + backoff(delivery.attempts)
    else:
        delivery.status = Delivery.Status.FAILED
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "delivered_at"])
    if delivery.event_type != "test":
        _destination_health(delivery.destination, ok=attempt.ok, now=now)
    return int(attempt.ok)


def _destination_health(destination: Destination, *, ok: bool, now) -> None:
    from .services import destination_disable_failing

    if ok:
        if destination.failing_since is not None:
            Destination.objects.filter(pk=destination.pk).update(failing_since=None)
            destination.failing_since = None
        return
    if destination.failing_since is None:
        Destination.objects.filter(pk=destination.pk, failing_since__isnull=True).update(failing_since=now)
        destination.failing_since = now
    elif now - destination.failing_since >= DISABLE_AFTER and destination.enabled:
        destination_disable_failing(destination=destination)
