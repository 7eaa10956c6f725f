"""What Microsoft SNDS contributes to the customer dashboard and the staff console (issue 19; fixed query
counts). MISSION: DLV-1, DLV-2."""

from datetime import UTC

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from core.panel_cache import cacheable, next_midnight
from core.panels import Panel

from ..models import SndsConnection
from . import snds_reads


@cacheable
def microsoft_reputation(request, account) -> Panel | None:
    """ "Microsoft: N of M IPs green" on the newest SNDS day; nothing when SNDS is not connected."""
    connection = SndsConnection.objects.filter(account=account).first()
    if connection is None:
        return None
    rows = snds_reads.latest(account)
    return Panel(
        name="microsoft-reputation",
        title=_("Microsoft reputation (SNDS)"),
        template="deliverability/reputation/snds_panel.html",
        context={
            "account": account,
            "connection": connection,
            "day": rows[0].day if rows else None,
            "total": len(rows),
            "green": sum(1 for r in rows if r.filter_result == r.Filter.GREEN),
            "troubled": [r for r in rows if r.troubled][:3],
        },
        refresh_seconds=3600,
    )


@cacheable
def snds_trouble(request) -> Panel | None:
    """The staff console: accounts whose IPs SNDS judged RED or caught in spam traps on its newest days. Kept
    until the UTC day changes (the days it counts move then)."""
    rows = snds_reads.troubled_recent(Account.objects.visible_to(request.user))
    if not rows:
        return None
    accounts: dict[int, dict] = {}
    for row in rows:
        entry = accounts.setdefault(row.account_id, {"account": row.account, "day": row.day, "red": 0, "traps": 0})
        entry["red"] += row.filter_result == row.Filter.RED
        entry["traps"] += row.trap_hits or 0
    return Panel(
        name="snds-trouble",
        title=_("Microsoft SNDS: red or trap hits"),
        template="deliverability/reputation/snds_console_panel.html",
        context={"accounts": list(accounts.values())[:20], "total": len(accounts)},
        changes_at=next_midnight(timezone.now(), UTC),
    )
