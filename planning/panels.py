"""The dashboard's warm-up panel: progress and the next milestone (MISSION: DLV-1, TAM-5)."""

from django.utils.translation import gettext_lazy as _

from accounts.panels import Panel

from .models import WarmupPlan
from .status import plan_status


def warmup(request, account) -> Panel | None:
    plans = list(WarmupPlan.objects.filter(account=account, status=WarmupPlan.Status.ACTIVE)[:3])
    if not plans:
        return None
    return Panel(
        name="warmup",
        title=_("IP warm-up"),
        template="planning/panel.html",
        context={"statuses": [plan_status(plan) for plan in plans]},
    )
