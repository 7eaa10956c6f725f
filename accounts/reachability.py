"""Is a TAM reachable now, and if not, when next? (MISSION TAM-1)"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Reachability:
    known: bool  # False when no business hours are set for the person
    open_now: bool = False
    until: datetime | None = None  # open now: when the current period ends (None: never, 24/7)
    next_open: datetime | None = None  # closed now: when the next period starts (None: not within a year)


def reachable_now(person, at: datetime) -> Reachability:
    """Only whether the person is reachable at ``at``, not until when or when next (the staff console's badge):
    ``until`` and ``next_open`` are left unset."""
    calendar = getattr(person, "calendar", None)
    if calendar is None:
        return Reachability(known=False)
    return Reachability(known=True, open_now=calendar.schedule.is_open(at))


def reachability(person, at: datetime) -> Reachability:
    calendar = getattr(person, "calendar", None)
    if calendar is None:
        return Reachability(known=False)
    schedule = calendar.schedule
    if schedule.is_open(at):
        return Reachability(known=True, open_now=True, until=schedule.open_until(at))
    return Reachability(known=True, open_now=False, next_open=schedule.next_open(at))


def reach_changes_at(person, at: datetime) -> datetime | None:
    """When :func:`reachable_now`'s answer for ``person`` next turns after ``at``: the end of the open period or
    the start of the next one (None: never within a year, or no hours set)."""
    calendar = getattr(person, "calendar", None)
    if calendar is None:
        return None
    schedule = calendar.schedule
    return schedule.open_until(at) if schedule.is_open(at) else schedule.next_open(at)
