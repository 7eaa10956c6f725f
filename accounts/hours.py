"""Business-hours arithmetic for the support portal.

MISSION: TAM-1, TAM-2, NC-2 -- the Technical Account Manager is reachable during designated
business hours (TAM-1), the provider may extend or shorten those hours from time to time via dated
exceptions (TAM-2), and support responds by email during business hours (NC-2).

A ``Schedule`` has weekly windows in local wall time (``tz``), dated ``DateException``s that
replace the weekly windows for a date range, and public ``holidays`` (closed unless an exception
covers the date). Pure Python: no Django imports.

Time rules (all arithmetic is done on absolute UTC instants, never on wall-clock times):

* A window on local date ``d`` covers ``start <= t < end``; ``end=None`` means midnight, i.e. the
  first instant of local date ``d + 1``. A 09:00-17:00 window is therefore 8 real hours even on a
  DST change day, and a 00:00-24:00 window lasts 23 h / 25 h on spring-forward / fall-back days.
* A wall time that does not exist (spring-forward gap, e.g. 02:30 in Europe/Warsaw on 2026-03-29)
  is clamped to the instant the gap ends (03:00 CEST), for window starts and ends alike. A window
  lying entirely inside the gap is empty and ignored.
* An ambiguous wall time (fall-back overlap) resolves to its first occurrence (``fold=0``).
* Adjacent or overlapping intervals are merged, also across midnight, so ``open_until`` reports the
  end of the whole continuous open period.
* Searches are bounded: ``next_open`` looks at most ``HORIZON_DAYS`` days ahead, ``add_business_time``
  gives up after ``HORIZON_DAYS`` consecutive closed days, and ``open_until`` returns ``None``
  ("never closes") when the open period lasts ``HORIZON_DAYS`` or longer (e.g. ``always_open()``).
* Inputs must be timezone-aware (any zone); results are aware datetimes in ``Schedule.tz``. Note that
  Python subtracts two datetimes sharing a tzinfo by wall clock; convert to UTC before measuring durations.
"""
# MISSION: TAM-1, TAM-2, NC-2

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["HORIZON_DAYS", "DateException", "Schedule", "Window"]

HORIZON_DAYS = 400
_DAY = timedelta(days=1)
_UTC_ZONE = ZoneInfo("UTC")
Interval = tuple[datetime, datetime]


def _require_aware(t: datetime, name: str = "datetime") -> datetime:
    """Return ``t`` converted to UTC; reject naive datetimes."""
    if not isinstance(t, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(t).__name__}")
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got naive {t.isoformat()}); attach a tzinfo first")
    return t.astimezone(UTC)


def _merge(intervals: list[Interval]) -> list[Interval]:
    """Sort and merge overlapping or adjacent intervals; drop empty ones."""
    merged: list[Interval] = []
    for s, e in sorted(i for i in intervals if i[0] < i[1]):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


@dataclass(frozen=True)
class Window:
    """An opening window on a local date: start <= t < end. end=None means midnight (24:00) at the end of that day."""

    start: time
    end: time | None  # None = until midnight (24:00) at the end of the local date

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or (self.end is not None and self.end.tzinfo is not None):
            raise ValueError("Window times are local wall times and must be naive")
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"Window end {self.end} must be after start {self.start} (use end=None for midnight)")


@dataclass(frozen=True)
class DateException:
    """Replaces the weekly windows for every local date in [first, last] (inclusive).

    windows=() means closed all day. Several exceptions covering the same date: their windows are unioned.
    """

    first: date
    last: date
    windows: tuple[Window, ...] = ()

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"DateException last ({self.last}) is before first ({self.first})")
        object.__setattr__(self, "windows", tuple(self.windows))

    def covers(self, d: date) -> bool:
        return self.first <= d <= self.last


@dataclass(frozen=True)
class Schedule:
    """Weekly business hours in ``tz`` plus dated exceptions and holidays."""

    tz: ZoneInfo
    weekly: dict[int, tuple[Window, ...]]  # weekday 0=Mon..6=Sun -> windows (missing weekday = closed)
    exceptions: tuple[DateException, ...] = ()
    holidays: Container[date] = field(default_factory=frozenset)  # e.g. holidays.country_holidays("PL")

    def __post_init__(self) -> None:
        bad = [k for k in self.weekly if k not in range(7)]
        if bad:
            raise ValueError(f"weekly keys must be weekdays 0 (Mon) .. 6 (Sun), got {bad}")
        object.__setattr__(self, "exceptions", tuple(self.exceptions))

    @classmethod
    def always_open(cls, tz: ZoneInfo = _UTC_ZONE) -> Schedule:
        """24/7/365 (e.g. the Severity 1 line)."""
        return cls(tz=tz, weekly={wd: (Window(time(0), None),) for wd in range(7)})

    # --- per-date resolution -------------------------------------------------------------------

    def windows_for(self, d: date) -> tuple[Window, ...]:
        """Windows in force on local date ``d``: exceptions win over holidays, holidays over weekly hours."""
        covering = [x for x in self.exceptions if x.covers(d)]
        if covering:
            return tuple(w for x in covering for w in x.windows)
        if d in self.holidays:
            return ()
        return tuple(self.weekly.get(d.weekday(), ()))

    def _wall_to_utc(self, d: date, wall: time) -> datetime:
        """UTC instant of wall time ``wall`` on local date ``d`` (gap -> end of gap, ambiguous -> fold=0)."""
        local = datetime.combine(d, wall, tzinfo=self.tz)
        utc = local.astimezone(UTC)
        if utc.astimezone(self.tz).replace(tzinfo=None) == local.replace(tzinfo=None):
            return utc
        # Nonexistent wall time: fold=0 and fold=1 map to instants on either side of the transition.
        # Binary-search (whole seconds; tz transitions are on whole seconds) for the transition instant.
        other = local.replace(fold=1).astimezone(UTC)
        lo, hi = min(utc, other).replace(microsecond=0), max(utc, other)
        before = lo.astimezone(self.tz).utcoffset()
        lo_s, hi_s = 0, int((hi - lo).total_seconds()) + 1  # offset(lo + lo_s) == before != offset(lo + hi_s)
        while hi_s - lo_s > 1:
            mid = (lo_s + hi_s) // 2
            if (lo + timedelta(seconds=mid)).astimezone(self.tz).utcoffset() == before:
                lo_s = mid
            else:
                hi_s = mid
        return lo + timedelta(seconds=hi_s)

    def _utc_intervals(self, d: date) -> list[Interval]:
        """Merged UTC intervals for local date ``d``."""
        out: list[Interval] = []
        for w in self.windows_for(d):
            start = self._wall_to_utc(d, w.start)
            end = self._wall_to_utc(d + _DAY, time(0)) if w.end is None else self._wall_to_utc(d, w.end)
            out.append((start, end))
        return _merge(out)

    def intervals_on(self, d: date) -> list[tuple[datetime, datetime]]:
        """Open intervals for local date ``d`` as aware datetimes in ``tz``; sorted and merged."""
        return [(s.astimezone(self.tz), e.astimezone(self.tz)) for s, e in self._utc_intervals(d)]

    def _walk(self, start: datetime) -> Iterator[Interval]:
        """UTC intervals ending after ``start`` (UTC), in order; stops after HORIZON_DAYS consecutive closed days."""
        d = start.astimezone(self.tz).date() - _DAY
        idle = 0
        while idle <= HORIZON_DAYS:
            intervals = self._utc_intervals(d)
            idle = 0 if intervals else idle + 1
            for s, e in intervals:
                if e > start:
                    yield s, e
            d += _DAY

    # --- queries -------------------------------------------------------------------------------

    def is_open(self, t: datetime) -> bool:
        tu = _require_aware(t, "t")
        d = tu.astimezone(self.tz).date()
        return any(s <= tu < e for dd in (d - _DAY, d, d + _DAY) for s, e in self._utc_intervals(dd))

    def open_until(self, t: datetime) -> datetime | None:
        """End of the continuous open period containing ``t``; None if closed at ``t``.

        Also None when the period lasts at least HORIZON_DAYS past ``t`` ("never closes", e.g. always_open()).
        """
        tu = _require_aware(t, "t")
        end: datetime | None = None
        for s, e in self._walk(tu):
            if end is None:
                if s > tu:
                    return None  # closed at t
                end = e
            elif s <= end:
                end = max(end, e)
            else:
                break
            if end - tu >= timedelta(days=HORIZON_DAYS):
                return None
        return None if end is None else end.astimezone(self.tz)

    def next_open(self, t: datetime) -> datetime | None:
        """``t`` (in ``tz``) if open, else the start of the next open period; None if none within HORIZON_DAYS."""
        tu = _require_aware(t, "t")
        for s, _ in self._walk(tu):
            return max(s, tu).astimezone(self.tz)
        return None

    def add_business_time(self, t: datetime, delta: timedelta) -> datetime:
        """The instant at which ``delta`` of open time has elapsed, counting from ``t`` (or next_open(t) if closed).

        A result falling exactly on a closing time is returned as that closing time. ``delta == 0`` returns
        next_open(t). Raises ValueError for negative ``delta`` or if the schedule stays closed for HORIZON_DAYS.
        """
        tu = _require_aware(t, "t")
        if delta < timedelta(0):
            raise ValueError(f"delta must not be negative, got {delta}")
        remaining = delta
        for s, e in self._walk(tu):
            s = max(s, tu)
            if remaining <= e - s:
                return (s + remaining).astimezone(self.tz)
            remaining -= e - s
        raise ValueError(f"schedule has no open time within {HORIZON_DAYS} days; cannot add {delta}")

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Open time in [a, b); timedelta(0) if b <= a."""
        au, bu = _require_aware(a, "a"), _require_aware(b, "b")
        total = timedelta(0)
        if bu <= au:
            return total
        d, last = au.astimezone(self.tz).date() - _DAY, bu.astimezone(self.tz).date() + _DAY
        while d <= last:
            for s, e in self._utc_intervals(d):
                overlap = min(e, bu) - max(s, au)
                if overlap > timedelta(0):
                    total += overlap
            d += _DAY
        return total

    # --- minute conveniences -------------------------------------------------------------------

    def add_business_minutes(self, t: datetime, minutes: int | float) -> datetime:
        return self.add_business_time(t, timedelta(minutes=minutes))

    def business_minutes_between(self, a: datetime, b: datetime) -> float:
        return self.business_time_between(a, b).total_seconds() / 60
