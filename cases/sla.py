"""SLA clock rules (MISSION NC-2, NC-3, CR-2, CR-4, TAM-4). Pure: no ORM.

What a clock is, for each kind of case:
- Non-critical: the **response** clock, measured in business hours of the account's support calendar
  (default target 4 business hours). It starts when the case opens and again whenever the customer writes
  while no response is owed. It **pauses** while the case waits on the customer (NC-3): the business time
  left is kept and given back when the case resumes.
- Critical: the **callback** clock — 15 minutes, 24/7 — when the customer asks for a call or calls the
  Severity 1 line (CR-2). It is met only by a logged callback in which the agent reached the person or left
  a voicemail; a call nobody answered does not stop it. A critical case with no call requested has a
  response clock of 15 minutes on the 24/7 calendar instead.
- Critical, after the callback or first response: the **update** cadence — an interval agreed per case
  (default 60 minutes). Each structured update (nature of the problem + expected time to resolution, CR-4)
  sets the next update due.

What counts as a response: a public reply by staff, a logged callback that reached the customer (or a
voicemail), a structured update. Not an internal note, not an automatic acknowledgement, not anything the
customer writes.

Alerts: a **warning** to the assigned agent (or the on-duty agents) before a deadline, then at the deadline a
**breach**, escalated to the account's TAM (TAM-4). Each alert is recorded once per deadline. The warning goes
out ``WARN_BEFORE`` the deadline, or half-way through a clock shorter than twice that (a 15-minute critical
response, a 10-minute update interval, a clock resumed with minutes left): a moment every clock has, after it
starts and before it ends.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

CALLBACK_TARGET = timedelta(minutes=15)
CRITICAL_RESPONSE_TARGET = timedelta(minutes=15)
DEFAULT_RESPONSE_TARGET = timedelta(hours=4)
DEFAULT_UPDATE_INTERVAL = timedelta(minutes=60)
RESOLUTION_REMINDER_AFTER = timedelta(days=3)

# How long before each deadline the warning goes out.
WARN_BEFORE = {
    "callback": timedelta(minutes=5),
    "response": timedelta(minutes=30),
    "update": timedelta(minutes=10),
}
CLOCKS = ("callback", "response", "update")
RESPONSE_KINDS = frozenset({"reply", "callback_logged", "update_posted"})
CALLBACK_MET_OUTCOMES = frozenset({"reached", "voicemail"})


@dataclass(frozen=True)
class Deadlines:
    callback: datetime | None = None
    response: datetime | None = None
    update: datetime | None = None
    # When each clock started (None: not known, e.g. a row stored before clocks kept it).
    callback_start: datetime | None = None
    response_start: datetime | None = None
    update_start: datetime | None = None

    def items(self):
        return ((name, getattr(self, name)) for name in CLOCKS if getattr(self, name) is not None)

    def warn_at(self, clock: str) -> datetime:
        return warn_at(clock, getattr(self, clock), getattr(self, f"{clock}_start"))

    @property
    def next(self) -> datetime | None:
        """The earliest running deadline: what the queue sorts by."""
        return min((due for _, due in self.items()), default=None)


def counts_as_response(*, kind: str, public: bool, by_staff: bool, outcome: str | None = None) -> bool:
    if not (by_staff and public and kind in RESPONSE_KINDS):
        return False
    if kind == "callback_logged":
        return outcome in CALLBACK_MET_OUTCOMES
    return True


def warn_at(clock: str, due: datetime, start: datetime | None = None) -> datetime:
    """The moment of a deadline's warning: ``WARN_BEFORE`` it, or half-way through a shorter clock, so that
    every clock warns once before it breaches (MISSION: CR-2, CR-4, TAM-4)."""
    before = WARN_BEFORE[clock]
    if start is not None and start < due:
        before = min(before, (due - start) / 2)
    return due - before


def alerts_due(
    deadlines: Deadlines, now: datetime, sent: set[tuple[str, str, datetime]]
) -> list[tuple[str, str, datetime]]:
    """The (clock, level, due) alerts that are due at ``now`` and not yet sent. A breach implies its warning:
    a deadline first seen already breached gets only the breach."""
    due_alerts = []
    for clock, due in deadlines.items():
        if now >= due:
            if (clock, "breach", due) not in sent:
                due_alerts.append((clock, "breach", due))
        elif now >= deadlines.warn_at(clock) and (clock, "warning", due) not in sent:
            due_alerts.append((clock, "warning", due))
    return due_alerts


def next_check(deadlines: Deadlines, now: datetime, sent: set[tuple[str, str, datetime]]) -> datetime | None:
    """When the sweep must look at this case again: the next warning or breach moment not yet sent."""
    moments = []
    for clock, due in deadlines.items():
        if (clock, "breach", due) in sent:
            continue
        warning = deadlines.warn_at(clock)
        if now < warning and (clock, "warning", due) not in sent:
            moments.append(warning)
        else:
            moments.append(due)
    return min(moments, default=None)


def remaining_when_paused(business_left: timedelta) -> timedelta:
    """Business time left on a clock at the moment it pauses; a clock already breached keeps nothing."""
    return max(business_left, timedelta(0))
