"""Warm-up decisions for the account's alert destinations (issues 19, 20): when recorded actuals make a
provider hold or step back (a decision it did not have before), ``integrations.events.emit`` says so, in
the transaction that saved the actuals."""

from django.utils import translation

from accounts.notify import absolute_url
from integrations.events import emit, wanted
from planning.models import WarmupPlan
from planning.status import DECISIONS, plan_status

TYPE = "warmup.decision"
ANNOUNCED = ("hold", "step_back")


def decisions(plan: WarmupPlan) -> dict[str, tuple]:
    """Each provider's latest decision and the day it was made ({} when nobody listens: nothing computed)."""
    if not wanted(plan.account, TYPE):
        return {}
    return {row.provider: (row.decision, row.state.last.day if row.state.last else None) for row in _rows(plan)}


def _rows(plan: WarmupPlan):
    return plan_status(plan).rows


def announce_decisions(plan: WarmupPlan, before: dict[str, tuple]) -> int:
    if not wanted(plan.account, TYPE):
        return 0
    sent = 0
    url = absolute_url(plan.get_absolute_url())
    for row in _rows(plan):
        now = (row.decision, row.state.last.day if row.state.last else None)
        if row.decision not in ANNOUNCED or before.get(row.provider) == now:
            continue
        with translation.override("en"):
            reason = str(row.reason)
        data = {"plan": plan.name, "provider": row.name, "decision": DECISIONS[row.decision],
                "decision_code": row.decision, "day": now[1].isoformat() if now[1] else None, "reason": reason,
                "url": url}  # fmt: skip
        sent += emit(account=plan.account, type=TYPE, data=data)
    return sent
