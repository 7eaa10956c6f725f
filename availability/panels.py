"""The dashboard's availability panel: this month against the target (MISSION: AV-1)."""

from datetime import UTC

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from core.panels import Panel

from .ledger import incidents as ledger_incidents
from .models import SecondRollup
from .reports import report

OPEN_WITHIN = 300  # an incident whose last unavailable second is this recent is still open


def availability(request, account) -> Panel:
    now = timezone.now().astimezone(UTC)
    return Panel(
        name="availability",
        title=_("Availability"),
        template="availability/panel.html",
        context={"this": report(account, now.year, now.month)},
        refresh_seconds=300,
    )


def incidents(request) -> Panel:
    """Console: the staff member's accounts with incidents in the last 24 hours; open ones (down within
    the last OPEN_WITHIN seconds) first."""
    now = int(timezone.now().timestamp())
    since = now - 86400
    rows = (
        SecondRollup.objects.filter(account__in=Account.objects.staffed_by(request.user), second__gte=since)
        .unavailable()
        .values_list("account_id", "second", "channel")
    )
    per_account: dict[int, list] = {}
    for account_id, second, channel in rows[:200_000]:
        per_account.setdefault(account_id, []).append((second, channel))
    accounts = Account.objects.in_bulk(list(per_account))
    found = []
    for account_id, down in per_account.items():
        runs = ledger_incidents(down)
        last = runs[-1]
        account = accounts[account_id]
        found.append(
            {
                "name": account.name,
                "slug": account.slug,
                "count": len(runs),
                "last": last,
                "open": now - last.end < OPEN_WITHIN,
                "seconds": sum(r.seconds for r in runs),
            }
        )
    found.sort(key=lambda row: (not row["open"], -row["seconds"]))
    return Panel(
        name="incidents",
        title=_("Availability incidents (24 hours)"),
        template="availability/console_panel.html",
        context={"rows": found[:20]},
    )
