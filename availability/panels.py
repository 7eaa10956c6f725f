"""The dashboard's availability panel: this month against the target beside last month, and an incident going
on now with its critical case (MISSION: AV-1, CR-0); the console's incidents of the last 24 hours."""

from datetime import UTC

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from core.panels import Panel

from . import alerts, ledger
from .ledger import OPEN_WITHIN
from .models import SecondRollup
from .reports import merged, months


def _last_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def availability(request, account) -> Panel:
    now = timezone.now().astimezone(UTC)
    this, last = months(account, [(now.year, now.month), _last_month(now.year, now.month)])
    return Panel(
        name="availability",
        title=_("Availability"),
        template="availability/panel.html",
        context={"this": this, "last": last, "ongoing": alerts.ongoing(account)},
        refresh_seconds=60,
    )


def incidents(request) -> Panel:
    """Console: the staff member's accounts with incidents in the last 24 hours (up to now: nothing dated
    ahead counts); open ones (down within the last OPEN_WITHIN seconds) first."""
    now = int(timezone.now().timestamp())
    rows = (
        SecondRollup.objects.filter(account__in=Account.objects.staffed_by(request.user))
        .between(now - 86400, now + 1)
        .unavailable()
        .values_list("account_id", "second", "channel")
    )
    per_account: dict[int, list] = {}
    for account_id, second, channel in rows[:200_000]:
        per_account.setdefault(account_id, []).append((second, channel))
    accounts = Account.objects.in_bulk(list(per_account))
    found = []
    for account_id, down in per_account.items():
        runs = ledger.incidents(down, *merged(account_id, down))
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
    found.sort(key=lambda row: (not row["open"], -row["seconds"]))
    return Panel(
        name="incidents",
        title=_("Availability incidents (24 hours)"),
        template="availability/console_panel.html",
        context={"rows": found[:20]},
    )
