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
