"""How warm each of the account's sending IPs is, read from its warm-up plans, for the capacity advice
(MISSION: TAM-5, DLV-1). The IPs are the account's monitored sending IPs (deliverability's public read); an IP
is warmed by a completed plan (or one whose every provider reached the target), warming while a plan that
covers it runs, and cold when its plan never got it sending or it sat idle for more than 30 days since (facts:
an IP idle for more than 30 days must be warmed again). An IP no plan covers is of unknown warmth: the portal
has no figures for it, and calling it cold would tell a customer sending on it for years to warm it again."""

from deliverability.models import MonitoredTarget

from . import warmup
from .capacity import COLD, UNKNOWN, WARMED, WARMING, IpWarmth
from .models import WarmupPlan
from .status import PlanStatus, plan_statuses

RANK = {UNKNOWN: -1, COLD: 0, WARMING: 1, WARMED: 2}


def _plan_warmth(status: PlanStatus) -> tuple[str, int | None, int]:
    """(state, stage, per-IP daily volume now) of the IPs one plan warms."""
    plan, forecast = status.plan, status.forecast
    if status.problems or forecast.rewarm:
        return COLD, None, 0
    if plan.status == WarmupPlan.Status.COMPLETED or status.finished_on:
        return WARMED, None, 0
    steps = [step for row in status.rows for step in row.state.steps if step.sent > 0]
    if not steps:
        return COLD, None, 0
    last = max(step.day for step in steps)
    sent = sum(step.sent for step in steps if step.day == last)
    stage = min(row.state.position for row in status.rows) + 1
    return WARMING, min(stage, len(status.base)), -(-sent // plan.ip_count())


def ip_warmth(account) -> list[IpWarmth]:
    """The account's sending IPs, each with the warmest state a plan gives it."""
    plans = WarmupPlan.objects.filter(account=account).select_related("account").with_ips().prefetch_related("actuals")
    best: dict[str, IpWarmth] = {}
    for status in plan_statuses(plans):
        plan = status.plan
        state, stage, daily = _plan_warmth(status)
        for ip in plan.sending_ips():
            found = IpWarmth(ip, state=state, stage=stage, daily=daily, top=warmup.ceiling(plan.template))
            if ip not in best or RANK[state] > RANK[best[ip].state]:
                best[ip] = found
    out = []
    for target in MonitoredTarget.objects.sending_ips(account):
        known = best.get(target.value, IpWarmth(target.value, state=UNKNOWN))
        stream = target.stream.name if target.stream else ""
        out.append(IpWarmth(target.value, stream, known.state, known.stage, known.daily, known.top))
    return out
