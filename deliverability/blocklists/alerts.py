"""Blocklist alerts: one email per sweep and language to the account's alert recipients (contacts, TAMs).

MISSION: DLV-2. Events are claimed with ``SKIP LOCKED`` and marked in the same transaction as the
outbox rows, so a redelivered task sends nothing twice (and the outbox dedupe key guards the rest).
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.notify import notify
from deliverability.models import ListingEvent, Sweep


@transaction.atomic
def send_alerts(sweep_id: int) -> int:
    """Queue the sweep's alert emails; returns how many events they reported."""
    sweep = Sweep.objects.select_related("account__primary_tam", "account__backup_tam").get(pk=sweep_id)
    events = list(
        ListingEvent.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(sweep=sweep, alerted_at__isnull=True)
        .select_related("target__stream", "blocklist")
        .order_by("kind", "blocklist__importance", "target__value")
    )
    if not events:
        return 0
    account = sweep.account
    listed = [e for e in events if e.kind == ListingEvent.Kind.LISTED]
    delisted = [e for e in events if e.kind == ListingEvent.Kind.DELISTED]
    notify(
        kind="blocklist.alert",
        recipients=account.alert_recipients(),
        template="deliverability/email/alert",
        context={"account": account, "listed": listed, "delisted": delisted, "sweep": sweep},
        link=reverse("deliverability", kwargs={"slug": account.slug}),
        account=account,
        reference=f"sweep-{sweep.pk}",
        html=True,
        dedupe=f"blocklist-alert:{sweep.pk}",
    )
    ListingEvent.objects.filter(pk__in=[e.pk for e in events]).update(alerted_at=timezone.now())
    return len(events)
