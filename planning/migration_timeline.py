"""A migration's calendar following the warm-up it depends on, without the ORM. MISSION: TAM-3, DLV-1.

The rules:
- Volume moves to the new IPs only as fast as the linked warm-up really goes, not as its plan said. The
  days the warm-up is behind its planned calendar (held, stepped back, started late, idle: the warm-up
  forecast's ``days_late``) move the cut-over and the milestones after it (the old SPF include removed,
  the old DKIM key retired) by as many days. Milestones before the cut-over (DNS, authentication) stay.
- The days already sent carry what the warm-up really sent; the days after it follow the warm-up's plan
  from where it stands (its planned day ``n - late``), so the schedule reads from real progress.
- A paused warm-up moves nothing more: the migration waits at the last day's volume until it resumes.
- Authentication (SPF, DKIM, DMARC, reverse DNS of the new IPs) is in place before the warm-up's first
  sending day: mailbox providers judge new IPs from their first message. A milestone due on or after that
  day (and not done) is late.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from .cutover import DayShare, Stream, schedule

AFTER_CUTOVER = frozenset({"cutover", "remove_old_spf", "retire_old_dkim"})  # dated from the cut-over
AUTHENTICATION = ("spf_include", "dkim", "dmarc", "rdns")
AUTH_LEAD_DAYS = 5  # authentication is due this many days before the first message on the new IPs


@dataclass(frozen=True)
class WarmupProgress:
    """Where the linked warm-up really stands: its planned days (no holds), what it sent, how late it is."""

    start: date
    planned: tuple[int, ...]  # the pool's volume day by day from ``start`` with no holds
    sent: dict = field(default_factory=dict)  # date -> messages sent that day (all providers)
    late: int = 0  # days behind its planned calendar
    held: int = 0  # days held or stepped back (the slowest provider)
    stepped_back: int = 0  # of which steps back
    paused: bool = False

    def carries(self, day: date) -> int:
        """What the warm-up carries on a day: what it sent, or its plan from where it stands."""
        if day in self.sent:
            return self.sent[day]
        last = max(self.sent) if self.sent else None
        if self.paused:  # the migration waits: no growth while the warm-up is paused
            return self.sent[last] if last and day > last else 0
        n = (day - self.start).days - self.late
        if n < 0 or not self.planned:
            return 0
        return self.planned[min(n, len(self.planned) - 1)]


@dataclass(frozen=True)
class Timeline:
    days: list[DayShare]
    planned_cutover: date  # the last day of the parallel run, as planned
    warm: WarmupProgress | None = None

    @property
    def shift(self) -> int:
        """Days the cut-over (and what follows it) moves: how late the warm-up is (0 without one)."""
        return self.warm.late if self.warm else 0

    @property
    def cutover(self) -> date:
        return self.planned_cutover + timedelta(days=self.shift)

    def due(self, kind: str, due_on: date) -> date:
        """A milestone's date now: those dated from the cut-over move with it."""
        return due_on + timedelta(days=self.shift) if kind in AFTER_CUTOVER else due_on


def follow(streams: list[Stream], start: date, weeks: int, warm: WarmupProgress | None = None) -> Timeline:
    """Day by day, per stream, from ``start`` (the first day on Email Enterprise) to the cut-over. Without a
    warm-up the share rises evenly over the weeks; with one, the new side carries what the warm-up really
    carries each day (spread over the streams in proportion to their volume)."""
    planned_cutover = start + timedelta(days=weeks * 7 - 1)
    if warm is None:
        return Timeline(schedule(streams, start, weeks), planned_cutover)
    warm_end = warm.start + timedelta(days=len(warm.planned) - 1) if warm.planned else start
    end = max(planned_cutover, warm_end) + timedelta(days=warm.late)
    carried = [warm.carries(start + timedelta(days=n)) for n in range(max(1, (end - start).days + 1))]
    return Timeline(schedule(streams, start, 0, carried or [0]), planned_cutover, warm)


def first_send(start: date, warm: WarmupProgress | None) -> date:
    """The first day mail goes out from the new IPs: the warm-up's first day, or the migration's start."""
    return min(start, warm.start) if warm else start


def authentication_due(start: date, warm_start: date | None = None) -> date:
    """When the authentication milestones of a new plan are due: before the first message on the new IPs."""
    first = min(start, warm_start) if warm_start else start
    return first - timedelta(days=AUTH_LEAD_DAYS)


def late_authentication(milestones: list[tuple[str, date, bool]], first: date) -> list[str]:
    """The kinds of authentication milestones (kind, due, done) not done and due on or after ``first``."""
    return [kind for kind, due, done in milestones if kind in AUTHENTICATION and not done and due >= first]
