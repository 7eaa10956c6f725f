"""What planning tells the best-practice library (settings.RECOMMENDATION_SOURCES): a provider held in a
warm-up recommends the warm-up article. MISSION: TAM-6, DLV-1."""

from django.utils.translation import gettext as _

from .models import WarmupPlan
from .status import plan_statuses


def warmup_topics(account) -> dict[str, str]:
    held = []
    for status in plan_statuses(WarmupPlan.objects.active_for(account)[:3]):
        held += [row.name for row in status.on_hold]
    if not held:
        return {}
    return {"warmup": _("Your warm-up is on hold for %(providers)s.") % {"providers": ", ".join(dict.fromkeys(held))}}


def warmup_precondition(account) -> dict:
    """For mediation requests (settings.MEDIATION_WARMUP_SOURCE): was the warm-up plan followed? Open when a
    provider is held or stepped back, or the IPs sat idle long enough to need re-warming."""
    statuses = plan_statuses(WarmupPlan.objects.active_for(account)[:3])
    if not statuses:
        return {
            "ok": None,
            "detail": _("No active warm-up plan: your TAM confirms how the IPs were warmed."),
            "open": [],
        }
    open_items = []
    for status in statuses:
        open_items += [f"{status.plan.name}: {problem}" for problem in status.problems]
        open_items += [f"{status.plan.name}: {row.name} — {row.reason}" for row in status.on_hold
                       if row.decision != "rewarm"]  # fmt: skip
        if status.forecast.rewarm:
            open_items.append(
                _("%(plan)s: idle for %(n)s days, to be warmed again.")
                % {"plan": status.plan.name, "n": status.forecast.idle_days}
            )
    detail = "" if open_items else _("The warm-up plan is followed: every provider is advancing.")
    return {"ok": not open_items, "detail": detail, "open": open_items}
