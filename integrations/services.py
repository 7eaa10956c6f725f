"""Every change to an account's alert destinations (issues 19, 20): keyword-only, atomic, audited; the
pages and the admin call these and nothing else."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.access import can
from accounts.audit import audit
from accounts.models import AuditEvent
from accounts.notify import absolute_url, notify

from .delivery import attempt_delivery
from .events import deliveries_for
from .models import Attempt, Delivery, Destination, EventType

ROTATION_OVERLAP = timedelta(hours=24)  # the previous secret stays valid this long after a rotation
FIELDS = ("kind", "name", "url", "event_types", "language", "timezone", "enabled")


def _check(actor, account) -> None:
    if not can(actor, "webhooks.manage", account):
        raise PermissionDenied


def _audit(actor, destination: Destination, action: str, **details) -> None:
    audit(
        actor=actor,
        account=destination.account,
        kind=AuditEvent.Kind.WEBHOOK_CHANGED,
        target=destination,
        action=action,
        **details,
    )


@transaction.atomic
def destination_create(*, account, actor, **fields) -> tuple[Destination, str]:
    """A new destination and its secret: the one time the secret is returned whole (the page shows it once)."""
    _check(actor, account)
    destination = Destination(account=account, created_by=actor, secret=Destination.new_secret())
    for name in FIELDS:
        if name in fields:
            setattr(destination, name, fields[name])
    destination.full_clean()
    destination.save()
    _audit(actor, destination, "created", destination_kind=destination.kind, url=destination.url,
           events=destination.event_types)  # fmt: skip
    return destination, destination.secret


@transaction.atomic
def destination_update(*, destination: Destination, actor, **fields) -> Destination:
    _check(actor, destination.account)
    changed = [name for name in FIELDS if name in fields and getattr(destination, name) != fields[name]]
    for name in changed:
        setattr(destination, name, fields[name])
    if "enabled" in changed and destination.enabled:
        destination.failing_since = None  # switched on again: the three days start afresh
        changed.append("failing_since")
    if changed:
        destination.full_clean()
        destination.save(update_fields=changed)
        _audit(actor, destination, "changed", fields=[n for n in changed if n != "failing_since"])
    return destination


@transaction.atomic
def destination_delete(*, destination: Destination, actor) -> None:
    _check(actor, destination.account)
    _audit(actor, destination, "deleted", url=destination.url)
    destination.delete()


@transaction.atomic
def destination_rotate_secret(*, destination: Destination, actor) -> str:
    """A new secret, returned once; the previous one stays valid for 24 hours (deliveries carry both)."""
    _check(actor, destination.account)
    destination.previous_secret, destination.secret = destination.secret, Destination.new_secret()
    destination.previous_secret_until = timezone.now() + ROTATION_OVERLAP
    destination.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    _audit(actor, destination, "secret_rotated", until=destination.previous_secret_until)
    return destination.secret


@dataclass(frozen=True)
class TestResult:
    attempt: Attempt
    delivered: bool


def destination_send_test(*, destination: Destination, actor) -> TestResult:
    """Send a test event now, once, and say what the endpoint answered (logged like any delivery)."""
    _check(actor, destination.account)
    account = destination.account
    data = {"at": timezone.now(), "url": absolute_url(reverse("webhooks", kwargs={"slug": account.slug}))}
    (delivery,) = deliveries_for([destination], account=account, type=EventType.TEST, data=data)
    delivery.status, delivery.claimed_at = Delivery.Status.SENDING, timezone.now()  # never the drain's
    delivery.save()
    delivered = attempt_delivery(delivery, retry=False)
    return TestResult(attempt=delivery.log.first(), delivered=bool(delivered))


@transaction.atomic
def destination_disable_failing(*, destination: Destination) -> None:
    """Failing for three days: switched off, and the account's admins are told (by email, in their language)."""
    updated = Destination.objects.filter(pk=destination.pk, enabled=True).update(enabled=False)
    destination.enabled = False
    if not updated:
        return
    _audit(None, destination, "disabled_failing", failing_since=destination.failing_since)
    account = destination.account
    notify(
        kind="webhook_disabled",
        recipients=account.admin_users(),
        template="integrations/email/disabled",
        context={"account": account, "destination": destination, "since": destination.failing_since},
        link=reverse("webhook", kwargs={"slug": account.slug, "pk": destination.pk}),
        account=account,
        reference=f"destination-{destination.pk}",
    )
