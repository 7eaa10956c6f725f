"""Celery tasks of the availability ledger: thin; probes run on the ``dns`` queue beside other network
work (MISSION: AV-1)."""

from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from . import probes
from .models import AvailabilityProfile


@shared_task(time_limit=60, soft_time_limit=50)
def probe_all() -> int:
    """Beat, every 15 seconds: the accounts whose probe interval has passed (claimed with a conditional
    UPDATE, so overlapping beats and workers probe each account once per interval)."""
    now = timezone.now()
    started = 0
    for profile in AvailabilityProfile.objects.filter(probe_enabled=True):
        due = now - timedelta(seconds=max(5, profile.probe_seconds) - 1)
        claimed = (
            AvailabilityProfile.objects.filter(pk=profile.pk)
            .filter(Q(last_probe_at__isnull=True) | Q(last_probe_at__lte=due))
            .update(last_probe_at=now)
        )
        if claimed:
            probe_account.delay(profile.pk)
            started += 1
    return started


@shared_task(time_limit=45, soft_time_limit=40)
def probe_account(profile_id: int) -> dict:
    profile = AvailabilityProfile.objects.filter(pk=profile_id, probe_enabled=True).first()
    return probes.run(profile) if profile else {}


@shared_task(time_limit=60, soft_time_limit=50)
def watch() -> int:
    """Beat, every 30 seconds: sustained incidents of the accounts with attempts in the last hour."""
    import time

    from accounts.models import Account

    from . import alerts
    from .models import SecondRollup

    since = int(time.time()) - alerts.LOOKBACK
    ids = SecondRollup.objects.filter(second__gte=since).values_list("account_id", flat=True).distinct()
    return sum(alerts.alert(account) for account in Account.objects.filter(pk__in=list(ids)))
