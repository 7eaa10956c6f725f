"""Which clock a case shows (the badge on lists and the countdown on the case page): display only; the rules are
``cases.sla``, the stored deadlines ``cases.services.clocks``."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from . import sla
from .models import Case


@dataclass(frozen=True)
class ClockBadge:
    label: str
    due: datetime | None
    level: str  # ok | warn | bad | neutral

    @property
    def overdue(self) -> bool:
        return self.level == "bad"


def badge(case: Case, now: datetime) -> ClockBadge:
    if case.status == Case.Status.RESOLVED:
        return ClockBadge(_("Resolved"), None, "neutral")
    if case.status == Case.Status.RESOLUTION_PROPOSED:
        return ClockBadge(_("Awaiting the customer's answer"), None, "neutral")
    if case.status == Case.Status.WAITING_ON_CUSTOMER and not case.callback_pending:
        return ClockBadge(_("Paused: waiting on the customer"), None, "neutral")
    candidates = [
        (case.callback_due_at if case.callback_pending else None, _("Callback due"), "callback"),
        (case.response_due_at, _("Response due"), "response"),
        (case.next_update_due_at, _("Next update due"), "update"),
    ]
    running = [(due, label, clock) for due, label, clock in candidates if due is not None]
    if not running:
        return ClockBadge(_("In progress"), None, "neutral")
    due, label, clock = min(running, key=lambda item: item[0])
    if now >= due:
        level = "bad"
    elif now >= due - sla.WARN_BEFORE[clock]:
        level = "warn"
    else:
        level = "ok"
    return ClockBadge(label, due, level)
