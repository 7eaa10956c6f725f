"""The dashboard's planning panel: warm-up progress and the next milestone (MISSION: DLV-1, TAM-3, TAM-5)."""

from django.utils.translation import gettext_lazy as _

from core.panels import Panel

from .models import Milestone, WarmupPlan
from .status import plan_status


def warmup(request, account) -> Panel | None:
    plans = list(WarmupPlan.objects.active_for(account)[:3])
    milestone = (
        Milestone.objects.filter(plan__account=account, done_at__isnull=True)
        .exclude(plan__status__in=["done", "rolled_back"])
        .select_related("plan")
        .order_by("due_on")
        .first()
    )
    if not plans and milestone is None:
        return None
    return Panel(
        name="warmup",
        title=_("IP warm-up and migration"),
        template="planning/panel.html",
        context={"statuses": [plan_status(plan) for plan in plans], "milestone": milestone},
    )
