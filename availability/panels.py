"""The dashboard's availability panel: this month against the target beside last month, and an incident going
on now with its critical case (MISSION: AV-1, CR-0); the console's incidents of the last 24 hours."""

from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from core.panel_cache import cacheable
from core.panels import Panel

from . import alerts, ledger
from .ledger import CLOCK_SKEW, OPEN_WITHIN, month_bounds
from .models import PANEL_TOPIC, AvailabilityProfile, SecondRollup
from .reports import attempted_by_account, months, read, target_in


def _last_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


@cacheable(topics=(PANEL_TOPIC,))
def availability(request, account) -> Panel:
    """This UTC month and the last (the ledger's months) and the incident going on now, from one read of the
    unavailable seconds and one of the profile (issue 18). Kept in the cache under the account's version and
    ``PANEL_TOPIC``'s, which ``ingest.upsert`` moves only when a write changes what this shows (and the incident
    alerts move); the clock changes it when the month turns and when the incident going on is over."""
    moment = timezone.now().astimezone(UTC)
    now = int(moment.timestamp())
    wanted = [(moment.year, moment.month), _last_month(moment.year, moment.month)]
    month_end = month_bounds(*wanted[0])[1]
    known = read(account, min(month_bounds(*wanted[1])[0], now - alerts.LOOKBACK), max(month_end, now + CLOCK_SKEW + 1))
    profile = AvailabilityProfile.objects.filter(account=account).first()
    this, last = months(account, wanted, known, target_in(profile))
    ongoing = alerts.ongoing(account, now, known, alerts.threshold_in(profile))
    return Panel(
        name="availability",
        title=_("Availability"),
        template="availability/panel.html",
        context={"this": this, "last": last, "ongoing": ongoing},
        refresh_seconds=60,
        changes_at=_changes_at(now, month_end, ongoing),
    )


def _changes_at(now: int, month_end: int, ongoing: dict | None) -> datetime:
    """When the text changes by the clock alone: the UTC month turns, or the incident going on is over (when
    its last unavailable second is old enough). An incident found back to the watcher's furthest look is not
    kept (its first second moves with the clock)."""
    at = month_end
    if ongoing is not None:
        merge = settings.INCIDENT_MERGE_SECONDS
        incident = ongoing["incident"]
        at = min(at, incident.end - 1 + max(OPEN_WITHIN, merge))
        if incident.start - (now - alerts.FURTHEST) <= merge:
            at = now
    return datetime.fromtimestamp(at, UTC)


@cacheable(topics=(PANEL_TOPIC,))
def incidents(request) -> Panel:
    """Console: the staff member's accounts with incidents in the last 24 hours (up to now: nothing dated
    ahead counts); open ones (down within the last OPEN_WITHIN seconds) first. Kept under every reached account's
    availability topic (moved by a write that changes what is unavailable, issue 18) until the clock changes it:
    the oldest second leaves the 24 hours, an open incident is no longer open, a second dated ahead comes due."""
    now = int(timezone.now().timestamp())
    rows = (
        SecondRollup.objects.filter(account__in=Account.objects.staffed_by(request.user))
        .between(now - 86400, now + CLOCK_SKEW + 1)
        .unavailable()
        .values_list("account_id", "second", "channel")
    )
    per_account: dict[int, list] = {}
    edges = [now + 86400]
    for account_id, second, channel in rows[:200_000]:
        if second > now:
            edges.append(second)
            continue
        per_account.setdefault(account_id, []).append((second, channel))
    accounts = Account.objects.in_bulk(list(per_account))
    merge = settings.INCIDENT_MERGE_SECONDS
    attempted = attempted_by_account({pk: ledger.gaps(down, merge) for pk, down in per_account.items()})
    found = []
    for account_id, down in per_account.items():
        runs = ledger.incidents(down, merge, attempted.get(account_id, []))
        last = runs[-1]
        account = accounts[account_id]
        found.append(
            {
                "name": account.name,
                "slug": account.slug,
                "count": len(runs),
                "last": last,
                "open": now - last.end < OPEN_WITHIN,
                "seconds": sum(r.unavailable for r in runs),
            }
        )
        edges.append(min(second for second, _channel in down) + 86401)  # counted while >= now - 86400
        if now - last.end < OPEN_WITHIN:
            edges.append(last.end + OPEN_WITHIN)
    found.sort(key=lambda row: (not row["open"], -row["seconds"]))
    return Panel(
        name="incidents",
        title=_("Availability incidents (24 hours)"),
        template="availability/console_panel.html",
        context={"rows": found[:20]},
        changes_at=datetime.fromtimestamp(min(edges), UTC),
    )
