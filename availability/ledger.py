"""Unavailable seconds by the contract's definition, without the ORM. MISSION: AV-1.

A second is unavailable when, for API or for SMTP (judged separately), the customer made at least one
attempt in it and every attempt of that kind failed by timeout or server error. Client errors (4xx,
429 included) are not server failures; seconds without attempts are available. Incidents are runs of
consecutive unavailable seconds. Seconds are whole UTC epoch seconds (leap seconds do not exist in
epoch time, so they are ignored); months are UTC calendar months.

What the customer's API may still add (``Window``): nothing ahead of our clock by more than CLOCK_SKEW,
nothing before the account existed, and nothing in a closed month: a month closes LATE_DAYS after it ends
(late batches from a collector's buffer count until then; after that the month's report stays as it was).
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

API, SMTP = 1, 2
CHANNELS = {"api": API, "smtp": SMTP}
CHANNEL_NAMES = {API: "api", SMTP: "smtp"}
OUTCOMES = ("success", "client_error", "server_error", "timeout")
SERVER_FAILURES = {"server_error", "timeout"}
CLOCK_SKEW = 300  # seconds an attempt may be ahead of our clock
LATE_DAYS = 3  # a UTC month closes this many days after it ends


def unavailable(attempts: int, failures: int) -> bool:
    """The rule for one second of one channel; ``models.UNAVAILABLE`` is the same rule in SQL."""
    return attempts > 0 and failures >= attempts


@dataclass
class Incident:
    start: int  # epoch second, inclusive
    end: int  # epoch second, exclusive
    channels: set = field(default_factory=set)

    @property
    def seconds(self) -> int:
        return self.end - self.start

    def as_dict(self) -> dict:
        return {
            "start": iso(self.start),
            "end": iso(self.end),
            "seconds": self.seconds,
            "channels": sorted(CHANNEL_NAMES[c] for c in self.channels),
        }


def iso(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def incidents(down: Iterable[tuple[int, int]]) -> list[Incident]:
    """Runs of consecutive unavailable seconds from (second, channel) pairs in any order."""
    by_second: dict[int, set] = {}
    for second, channel in down:
        by_second.setdefault(second, set()).add(channel)
    out: list[Incident] = []
    for second in sorted(by_second):
        if out and out[-1].end == second:
            out[-1].end = second + 1
            out[-1].channels |= by_second[second]
        else:
            out.append(Incident(second, second + 1, set(by_second[second])))
    return out


def month_bounds(year: int, month: int) -> tuple[int, int]:
    """[start, end) of a UTC calendar month in epoch seconds."""
    start = calendar.timegm((year, month, 1, 0, 0, 0))
    end = calendar.timegm((year + (month == 12), month % 12 + 1, 1, 0, 0, 0))
    return start, end


@dataclass
class MonthReport:
    year: int
    month: int
    seconds_in_month: int
    unavailable: int
    by_channel: dict
    incidents: list[Incident]
    target_pct: float

    @property
    def availability_pct(self) -> float:
        return 100.0 * (self.seconds_in_month - self.unavailable) / self.seconds_in_month

    @property
    def budget_seconds(self) -> float:
        return self.seconds_in_month * (100.0 - self.target_pct) / 100.0

    @property
    def budget_left_seconds(self) -> float:
        return self.budget_seconds - self.unavailable


def month_report(year: int, month: int, down: list[tuple[int, int]], target_pct: float) -> MonthReport:
    """``down``: the (second, channel) pairs that were unavailable in the month."""
    start, end = month_bounds(year, month)
    inside = [(s, c) for s, c in down if start <= s < end]
    found = incidents(inside)
    by_channel = {"api": 0, "smtp": 0}
    for _second, channel in inside:
        by_channel[CHANNEL_NAMES[channel]] += 1
    return MonthReport(year, month, end - start, len({s for s, _c in inside}), by_channel, found, float(target_pct))


def first_open_second(now: int) -> int:
    """The first second of the earliest month still open at ``now`` (epoch seconds)."""
    moment = datetime.fromtimestamp(now - LATE_DAYS * 86400, UTC)
    return month_bounds(moment.year, moment.month)[0]


@dataclass(frozen=True)
class Window:
    """The seconds an account's attempts may be added at ``now``; ``created``: when the account was made."""

    now: int
    created: int

    def refusal(self, second: int) -> str | None:
        """Why ``second`` may not be added ("future", "before_account", "closed"), or None when it may."""
        if second > self.now + CLOCK_SKEW:
            return "future"
        if second < self.created:
            return "before_account"
        if second < first_open_second(self.now):
            return "closed"
        return None
