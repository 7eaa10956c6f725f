"""Which clock a case shows (the badge on lists and the countdown on the case page): display only; the rules are
``cases.sla``, the stored deadlines ``cases.services.clocks``."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from .models import Case
from .services.clocks import shown_deadlines


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
    d = shown_deadlines(case)  # never earlier than the case itself: no absurd "overdue" from a bad row
    labels = {"callback": _("Callback due"), "response": _("Response due"), "update": _("Next update due")}
    running = sorted(((due, clock) for clock, due in d.items()), key=lambda item: item[0])
    if not running:
        return ClockBadge(_("In progress"), None, "neutral")
    due, clock = running[0]
    if now >= due:
        level = "bad"
    elif now >= d.warn_at(clock):
        level = "warn"
    else:
        level = "ok"
    return ClockBadge(labels[clock], due, level)


def badge_changes(case: Case) -> list[datetime]:
    """Every moment at which ``badge(case, now)`` can change by itself as ``now`` moves on (a warning, a breach)."""
    d = shown_deadlines(case)
    return [moment for clock, due in d.items() for moment in (d.warn_at(clock), due)]
