"""What Postmaster Tools adds to the dashboard and the staff console (issue 19), fixed query counts:
the customer sees Gmail's spam rate per domain (newest day, against 0.10% / 0.30%); the TAM sees
"reputation dropped for N accounts today". MISSION: DLV-1, TAM-4."""

from datetime import UTC

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from core.panel_cache import cacheable, next_midnight
from core.panels import Panel

from ..models import PostmasterConnection
from . import postmaster_signals as signals


@cacheable
def spam_rate(request, account) -> Panel | None:
    """The newest spam rate of each domain (last 30 days); nothing when Postmaster Tools is not connected."""
    connection = PostmasterConnection.objects.filter(account=account).only("status", "error").first()
    if connection is None:
        return None
    today = timezone.now().date()
    measures = sorted(signals.spam_measures(account, today).values(), key=lambda m: (-m.percent, m.domain))
    return Panel(
        name="spam-rate",
        title=_("Gmail spam rate"),
        template="deliverability/reputation/postmaster_panel.html",
        context={"account": account, "measures": measures[:5], "connection": connection},
        changes_at=next_midnight(timezone.now()),  # "the last 30 days" moves at midnight
    )


@cacheable
def reputation_drops(request) -> Panel | None:
    """Accounts this person reaches whose Gmail domain reputation dropped in an import today (UTC). Kept until
    the UTC day changes."""
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    count = signals.dropped_accounts(Account.objects.visible_to(request.user), start)
    return Panel(
        name="reputation-drops",
        title=_("Mailbox-provider reputation"),
        template="deliverability/reputation/postmaster_console.html",
        context={"count": count},
        changes_at=next_midnight(timezone.now(), UTC),
    )
