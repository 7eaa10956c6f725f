"""The dashboard's planning panel: warm-up progress and the next milestone (MISSION: DLV-1, TAM-3, TAM-5)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.panels import Panel

from .models import MigrationPlan, Milestone, WarmupPlan
from .status import plan_status

SHOWN = 3  # plans on the panel; the rest are counted ("and N more")
CONSIDERED = 100  # running plans ranked (a fixed number of queries: plans, actuals, streams, IPs)


def warmup(request, account) -> Panel | None:
    """The running plans that need attention first (re-warm, step back, hold, cannot be computed), then the
    others; at most ``SHOWN`` of them, with how many more there are. MISSION: DLV-1."""
    plans = WarmupPlan.objects.active_for(account).prefetch_related("actuals")[:CONSIDERED]
    statuses = sorted((plan_status(plan) for plan in plans), key=lambda status: status.urgency)
    milestone = (
        Milestone.objects.filter(plan__account=account, done_at__isnull=True)
        .exclude(plan__status__in=["done", "rolled_back"])
        .select_related("plan")
        .order_by("due_on")
        .first()
    )
    unwarmed = MigrationPlan.objects.filter(account=account).unwarmed().order_by("start_date").first()
    if not statuses and milestone is None and unwarmed is None:
        return None
    return Panel(
        name="warmup",
        title=_("IP warm-up and migration"),
        template="planning/panel.html",
        context={
            "statuses": statuses[:SHOWN],
            "more": max(0, len(statuses) - SHOWN),
            "list_url": reverse("warmup-list", kwargs={"slug": account.slug}),
            "milestone": milestone,
            "unwarmed": unwarmed,  # MISSION: TAM-3, DLV-1
        },
    )
