"""The account's monthly forecast and peak events, behind the capacity advice (MISSION: TAM-5)."""

from datetime import date

from django.db import transaction

from accounts.models import Account, User
from planning.models import MonthlyForecast, PeakEvent

from .records import record
from .tell_tams import tell_tams


@transaction.atomic
def forecast_save(*, account: Account, actor: User, month: date, volume: int) -> MonthlyForecast:
    """The month's expected volume: a new month, or a new figure for one already forecast."""
    forecast, created = MonthlyForecast.objects.update_or_create(
        account=account, month=month, defaults={"volume": volume}
    )
    record(forecast, actor=actor, action="created" if created else "changed", month=month, volume=volume)
    return forecast


@transaction.atomic
def peak_add(*, account: Account, actor: User, peak: PeakEvent) -> PeakEvent:
    """A peak event (validated by its form) for the account."""
    peak.account = account
    peak.save()
    record(peak, actor=actor, action="created", name=peak.name, day=peak.day, daily_volume=peak.daily_volume)
    tell_tams(account=account, actor=actor, item=peak)  # MISSION: TAM-5
    return peak


@transaction.atomic
def capacity_remove(*, item: MonthlyForecast | PeakEvent, actor: User) -> None:
    record(item, actor=actor, action="removed")
    item.delete()
