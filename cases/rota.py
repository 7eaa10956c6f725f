"""Gaps in the Severity 1 rota (MISSION CR-1: the line is staffed 24 hours a day, 7 days a week). Pure: no ORM.

A gap is a period no shift covers. Shifts may overlap (hand-overs) and come in any order; a gap is reported
clipped to the window asked about, so a gap that began before the window starts at the window's start.
"""

from collections.abc import Iterable
from datetime import datetime


def gaps(
    shifts: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The uncovered periods of [start, end), in order, given the (starts, ends) of the shifts."""
    found = []
    cursor = start
    for shift_start, shift_end in sorted(shifts):
        if cursor >= end:
            break
        if shift_end <= cursor:
            continue
        if shift_start > cursor:
            found.append((cursor, min(shift_start, end)))
        cursor = max(cursor, shift_end)
    if cursor < end:
        found.append((cursor, end))
    return found


def changes(shifts: Iterable[tuple[datetime, datetime]], now: datetime, horizons: Iterable) -> list[datetime]:
    """The moments from ``now`` on at which a view of the rota over windows ``[now, now + horizon)`` may change:
    each shift's start and end (who is on duty, a gap opens or closes), and each of them entering a window
    (at start - horizon, end - horizon). A moment equal to ``now`` counts: what enters a window with a strict
    bound shows only just after its edge, so a view drawn at that very instant is already out of date. Pure: the
    caller keeps the earliest."""
    horizons = list(horizons)
    edges = [edge for pair in shifts for edge in pair]
    return [moment for edge in edges for moment in (edge, *(edge - h for h in horizons)) if moment >= now]
