"""A warm-up provider held, or released, by the mailbox provider's own data (issue 19): after an import of
Microsoft SNDS or Google Postmaster Tools stored new days (``deliverability.reputation.signals``'s
``reputation_changed``), each running plan of the account is read again for that provider, and when its
state changed since the account's alert destinations were last told, ``warmup.decision`` goes out once
(hold, with the reasons; or released). The state told is kept per plan and provider (``ReputationHold``),
so an import that finds nothing new says nothing. MISSION: DLV-1."""

from django.db import transaction
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy

from accounts.notify import absolute_url
from core.text import _
from deliverability.reputation import signals as reputation
from integrations.events import emit
from planning import warmup
from planning.models import ReputationHold, WarmupPlan
from planning.status import DECISIONS, reason_text

from .announce import TYPE

SOURCES = {"microsoft": "Microsoft SNDS", "gmail": "Google Postmaster Tools"}
RELEASED = gettext_lazy("Hold released")


def reputation_holds_update(*, account_id: int, provider: str) -> int:
    """Tell the account's destinations each running plan whose ``provider`` turned held or clear; the events
    queued. A plan whose source has no current day (``current_holds``) keeps its state."""
    plans = list(WarmupPlan.objects.filter(account_id=account_id, status=WarmupPlan.Status.ACTIVE).with_ips()
                 .select_related("account"))  # fmt: skip
    sent = 0
    for plan in plans:
        if provider not in {share.provider for share in plan.shares()}:
            continue
        now = reputation.current_holds([plan], provider).get(plan.pk)
        if now is not None:
            sent += _tell(plan=plan, provider=provider, day=now[0], reasons=now[1])
    return sent


@transaction.atomic
def _tell(*, plan: WarmupPlan, provider: str, day, reasons: list) -> int:
    state, _created = ReputationHold.objects.select_for_update().get_or_create(plan=plan, provider=provider)
    held = bool(reasons)
    if state.held == held:
        return 0
    state.held, state.day = held, day
    state.save(update_fields=["held", "day", "changed_at"])
    source = SOURCES.get(provider, provider)
    if held:
        reason = lazy(reason_text, str)(reasons)  # in each destination's language when sent
    else:
        reason = _("%(source)s reports no reason to hold on %(day)s: the provider may climb again.") % {
            "source": source,
            "day": day.isoformat(),
        }
    data = {
        "plan": plan.name,
        "provider": str(warmup.PROVIDER_NAMES.get(provider, provider)),
        "decision": DECISIONS["hold"] if held else RELEASED,
        "decision_code": "hold" if held else "released",
        "day": day.isoformat(),
        "reason": reason,
        "source": source,
        "url": absolute_url(plan.get_absolute_url()),
    }
    return emit(account=plan.account, type=TYPE, data=data)
