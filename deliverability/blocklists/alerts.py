"""Blocklist alerts: one email per sweep and language to the account's alert recipients (contacts, TAMs).

MISSION: DLV-2. Events are claimed with ``SKIP LOCKED`` and marked in the same transaction as the
outbox rows, so a redelivered task sends nothing twice (and the outbox dedupe key guards the rest).
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.notify import absolute_url, notify
from deliverability.models import Blocklist, ListingEvent, Sweep
from integrations.events import emit

INFORMATIONAL = Blocklist.Importance.INFORMATIONAL


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
    # MISSION: DLV-2 — an informational list (few mailbox providers use it) is shown on the page and in the
    # history, never emailed like a key list's listing
    quiet = [e for e in events if e.blocklist.importance == INFORMATIONAL]
    events = [e for e in events if e.blocklist.importance != INFORMATIONAL]
    ListingEvent.objects.filter(pk__in=[e.pk for e in quiet]).update(alerted_at=timezone.now())
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
    _announce(account, events)
    return len(events)


def _announce(account, events: list[ListingEvent]) -> None:
    """Issues 19, 20: each listing and delisting to the account's alert destinations (Slack, Teams, webhooks),
    in this transaction (the events are claimed once, so a redelivered task announces nothing twice)."""
    url = absolute_url(reverse("deliverability", kwargs={"slug": account.slug}))
    for e in events:
        listed = e.kind == ListingEvent.Kind.LISTED
        data = {"target": e.target.value, "list": e.blocklist.name, "zone": e.blocklist.zone, "codes": e.codes}
        emit(
            account=account,
            type="blocklist.listed" if listed else "blocklist.delisted",
            data=data | {"at": e.at, "url": url},
        )


@transaction.atomic
def send_health_alerts(sweep_id: int) -> list[str]:
    """MISSION: DLV-2 — the account's TAMs hear when a key list (used by major mailbox providers) starts
    failing its health check: once per failure episode, i.e. only when the account's previous finished
    sweep did not see it fail. Returns the zones reported."""
    sweep = Sweep.objects.select_related("account__primary_tam", "account__backup_tam").get(pk=sweep_id)
    failed = sweep.failed_zones
    if sweep.status != Sweep.State.DONE or not failed:
        return []
    previous = (
        Sweep.objects.filter(account=sweep.account_id, status=Sweep.State.DONE, finished_at__lt=sweep.finished_at)
        .exclude(pk=sweep.pk)
        .order_by("-finished_at")
        .first()
    )
    before = set(previous.failed_zones) if previous else set()
    lists = [
        bl
        for bl in Blocklist.objects.filter(importance=Blocklist.Importance.MAJOR).order_by("name")
        if bl.zone in failed and bl.zone not in before
    ]
    account = sweep.account
    if not lists or not account.active_tams():
        return []
    notify(
        kind="blocklist.health",
        recipients=account.active_tams(),
        template="deliverability/email/health_alert",
        context={"account": account, "failed": [(bl, failed[bl.zone]) for bl in lists], "sweep": sweep},
        link=reverse("deliverability", kwargs={"slug": account.slug}),
        account=account,
        reference=f"sweep-{sweep.pk}",
        dedupe=f"blocklist-health:{sweep.pk}",
    )
    return [bl.zone for bl in lists]
