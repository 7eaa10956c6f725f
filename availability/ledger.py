"""Unavailable seconds by the contract's definition, without the ORM. MISSION: AV-1.

A second is unavailable when, for API or for SMTP (judged separately), the customer made at least one
attempt in it and every attempt of that kind failed by timeout or server error. Client errors (4xx,
429 included) are not server failures; seconds without attempts are available. Seconds are whole UTC epoch
seconds (leap seconds do not exist in epoch time, so they are ignored); months are UTC calendar months.

What the customer may still add (``Window``, at every entry: the API and the command line): nothing ahead
of our clock by more than CLOCK_SKEW, nothing before the account existed, and nothing in a closed month: a
month closes LATE_DAYS after it ends (late batches from a collector's buffer count until then; after that
the month's report stays as it was).

Incidents (MISSION: CR-0): two unavailable seconds belong to one incident when they are consecutive, or when the
later one comes at most ``merge`` seconds after the earlier (``settings.INCIDENT_MERGE_SECONDS``) and no second
between them had any attempt on either channel: a client backing off (one timed-out call every 2 s) is one
sustained outage, not hundreds of one-second ones; one success between them splits them. An incident runs from
its first to its last unavailable second; the unavailable seconds in it are counted apart (the per-second count
of the month stays exact). An incident is over once its last unavailable second is OPEN_WITHIN seconds old.
"""

import bisect
import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

API, SMTP = 1, 2
CHANNELS = {"api": API, "smtp": SMTP}
CHANNEL_NAMES = {API: "api", SMTP: "smtp"}
OUTCOMES = ("success", "client_error", "server_error", "timeout")
SERVER_FAILURES = {"server_error", "timeout"}
CLOCK_SKEW = 300  # seconds an attempt may be ahead of our clock
LATE_DAYS = 3  # a UTC month closes this many days after it ends
OPEN_WITHIN = 300  # an incident whose last unavailable second is this recent may still go on


def unavailable(attempts: int, failures: int) -> bool:
    """The rule for one second of one channel; ``models.UNAVAILABLE`` is the same rule in SQL."""
    return attempts > 0 and failures >= attempts


@dataclass
class Incident:
    start: int  # epoch second, inclusive
    end: int  # epoch second, exclusive: one after the last unavailable second
    channels: set = field(default_factory=set)
    unavailable: int = 0  # unavailable seconds in it (fewer than ``seconds`` when merged over quiet gaps)

    def __post_init__(self):
        self.unavailable = self.unavailable or self.seconds

    @property
    def seconds(self) -> int:
        """How long it lasted: from the first to the last unavailable second."""
        return self.end - self.start

    @property
    def started_at(self) -> datetime:
        return datetime.fromtimestamp(self.start, UTC)

    @property
    def ended_at(self) -> datetime:
        return datetime.fromtimestamp(self.end, UTC)

    @property
    def channel_names(self) -> list[str]:
        return sorted(CHANNEL_NAMES[c] for c in self.channels)

    def is_over(self, now: int, merge: int = 0) -> bool:
        """Nothing can join it any more: its last unavailable second is OPEN_WITHIN (or ``merge``) old."""
        return now - (self.end - 1) >= max(OPEN_WITHIN, merge)

    def as_dict(self) -> dict:
        return {
            "start": iso(self.start),
            "end": iso(self.end),
            "seconds": self.seconds,
            "unavailable_seconds": self.unavailable,
            "channels": self.channel_names,
        }


def iso(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _by_second(down: Iterable[tuple[int, int]]) -> dict[int, set]:
    by_second: dict[int, set] = {}
    for second, channel in down:
        by_second.setdefault(second, set()).add(channel)
    return by_second


def gaps(down: Iterable[tuple[int, int]], merge: int) -> list[tuple[int, int]]:
    """The [first, last) seconds between unavailable seconds that ``merge`` could join: the seconds whose
    attempts (``attempted`` in ``incidents``) must be known to decide."""
    seconds = sorted(_by_second(down))
    return [(a + 1, b) for a, b in zip(seconds, seconds[1:], strict=False) if 1 < b - a <= merge]


def incidents(down: Iterable[tuple[int, int]], merge: int = 0, attempted: Sequence[int] = ()) -> list[Incident]:
    """Incidents from (second, channel) pairs in any order. ``attempted``: the seconds with any attempt among
    ``gaps(down, merge)`` (more do no harm); without ``merge``, runs of consecutive seconds."""
    attempted = sorted(attempted)
    by_second = _by_second(down)
    out: list[Incident] = []
    for second in sorted(by_second):
        last = out[-1].end - 1 if out else None
        joins = last is not None and (
            second - last == 1
            or (
                second - last <= merge
                and bisect.bisect_left(attempted, last + 1) == bisect.bisect_left(attempted, second)
            )
        )
        if joins:
            out[-1].end = second + 1
            out[-1].channels |= by_second[second]
            out[-1].unavailable += 1
        else:
            out.append(Incident(second, second + 1, set(by_second[second]), 1))
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
    # the channels with any attempt in the month ("api", "smtp"); None: not looked up
    attempted_channels: frozenset | None = None

    @property
    def first_day(self) -> date:
        """The month as a date, for headings in the reader's language (``date:"F Y"``: "listopad 2026")."""
        return date(self.year, self.month, 1)

    @property
    def no_data(self) -> bool:
        """No attempt at all this month: nothing was measured (not 100%)."""
        return self.attempted_channels is not None and not self.attempted_channels

    @property
    def healthy(self) -> bool:
        return self.budget_left_seconds >= 0

    @property
    def by_channel_pct(self) -> list[tuple[str, float | None]]:
        """Each channel's own uptime (None: no attempts on it this month)."""
        return [
            (
                name,
                None
                if self.attempted_channels is not None and name not in self.attempted_channels
                else 100.0 * (self.seconds_in_month - self.by_channel[name]) / self.seconds_in_month,
            )
            for name in CHANNELS
        ]

    @property
    def availability_pct(self) -> float:
        return 100.0 * (self.seconds_in_month - self.unavailable) / self.seconds_in_month

    @property
    def budget_seconds(self) -> float:
        return self.seconds_in_month * (100.0 - self.target_pct) / 100.0

    @property
    def budget_left_seconds(self) -> float:
        return self.budget_seconds - self.unavailable


def month_report(
    year: int, month: int, down: list[tuple[int, int]], target_pct: float, merge: int = 0, attempted=()
) -> MonthReport:
    """``down``: the (second, channel) pairs that were unavailable in the month; ``merge``, ``attempted``: as
    ``incidents`` takes them."""
    start, end = month_bounds(year, month)
    inside = [(s, c) for s, c in down if start <= s < end]
    found = incidents(inside, merge, attempted)
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
    reopen: bool = False  # an operator's correction (the command line's --reopen): closed months too

    def refusal(self, second: int) -> str | None:
        """Why ``second`` may not be added ("future", "before_account", "closed"), or None when it may."""
        if second > self.now + CLOCK_SKEW:
            return "future"
        if second < self.created:
            return "before_account"
        if not self.reopen and second < first_open_second(self.now):
            return "closed"
        return None
