"""When the next business review with a customer falls due (MISSION: TAM-5), without the ORM.

A review falls due ``every`` months after the last one held (after the account was opened, before the first);
a day missing from the shorter month (31 January + 1 month) is that month's last day. It is *due* within
``REVIEW_REMIND_DAYS`` before that day (the TAMs are emailed then, once per review due) and *overdue* after it.
"""

import calendar
from dataclasses import dataclass
from datetime import date


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ReviewDue:
    due_on: date
    days_left: int  # negative once overdue
    every: int  # months

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    def soon(self, remind_days: int) -> bool:
        """Due within ``remind_days`` (or overdue): the TAM hears of it and the console lists it."""
        return self.days_left <= remind_days


def next_review(*, last_held: date | None, opened: date, every: int, today: date) -> ReviewDue:
    due = add_months(last_held or opened, max(1, every))
    return ReviewDue(due, (due - today).days, every)
