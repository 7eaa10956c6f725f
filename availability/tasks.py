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
    """Beat, every 30 seconds: the accounts with attempts in the last hour or an incident not yet over; each
    incident is alerted when it becomes sustained and when it is over, once (MISSION: CR-0)."""
    import time

    from accounts.models import Account

    from . import alerts
    from .ledger import CLOCK_SKEW
    from .models import IncidentAlert, SecondRollup

    now = int(time.time())
    recent = SecondRollup.objects.between(now - alerts.LOOKBACK, now + CLOCK_SKEW + 1).values("account_id")
    open_ = IncidentAlert.objects.filter(ended_at__isnull=True).values("account_id")
    accounts = Account.objects.filter(Q(pk__in=recent) | Q(pk__in=open_))
    return sum(alerts.alert(account, now) for account in accounts)
