"""Tests for accounts.hours (MISSION: TAM-1, TAM-2, NC-2). Pure Python; no Django needed."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from accounts.hours import DateException, Schedule, Window

WAW = ZoneInfo("Europe/Warsaw")
NY = ZoneInfo("America/New_York")

NINE_TO_FIVE = (Window(time(9), time(17)),)
ALL_DAY = (Window(time(0), None),)


def office(**kwargs) -> Schedule:
    """Mon-Fri 09:00-17:00 Europe/Warsaw."""
    return Schedule(tz=WAW, weekly=dict.fromkeys(range(5), NINE_TO_FIVE), **kwargs)


def every_day(windows, tz=WAW, **kwargs) -> Schedule:
    return Schedule(tz=tz, weekly=dict.fromkeys(range(7), windows), **kwargs)


def waw(y, mo, d, h=0, mi=0, s=0, fold=0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=WAW, fold=fold)


def utc(y, mo, d, h=0, mi=0, s=0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


def real(a: datetime, b: datetime) -> timedelta:
    """Real elapsed time (same-zone aware subtraction in Python is wall-clock, so go through UTC)."""
    return b.astimezone(UTC) - a.astimezone(UTC)


def assert_at(actual: datetime | None, expected_utc: datetime, tz=WAW) -> None:
    """Exact instant check (compared in UTC, since aware == is unreliable for ambiguous times) + zone of result."""
    assert actual is not None
    assert actual.tzinfo is tz
    assert actual.astimezone(UTC) == expected_utc, f"{actual.isoformat()} != {expected_utc.isoformat()}"
    # the result is normalized: its wall time/offset round-trips
    assert actual.astimezone(UTC).astimezone(tz).utcoffset() == actual.utcoffset()


# --- plain weekday office hours (June 2026 = CEST, UTC+2) ---------------------------------------


def test_is_open_boundaries():
    s = office()
    assert not s.is_open(waw(2026, 6, 3, 8, 59, 59))  # Wednesday
    assert s.is_open(waw(2026, 6, 3, 9))
    assert s.is_open(waw(2026, 6, 3, 16, 59, 59))
    assert not s.is_open(waw(2026, 6, 3, 17))
    assert not s.is_open(waw(2026, 6, 6, 12))  # Saturday
    assert not s.is_open(waw(2026, 6, 7, 12))  # Sunday


def test_open_until():
    s = office()
    assert_at(s.open_until(waw(2026, 6, 3, 10)), utc(2026, 6, 3, 15))  # 17:00 CEST
    assert s.open_until(waw(2026, 6, 3, 17)) is None
    assert s.open_until(waw(2026, 6, 6, 12)) is None


def test_next_open():
    s = office()
    assert_at(s.next_open(waw(2026, 6, 5, 18)), utc(2026, 6, 8, 7))  # Fri evening -> Mon 09:00 CEST
    assert_at(s.next_open(waw(2026, 6, 5, 17)), utc(2026, 6, 8, 7))  # closing instant is closed
    assert_at(s.next_open(waw(2026, 6, 6, 12)), utc(2026, 6, 8, 7))  # weekend
    assert_at(s.next_open(waw(2026, 6, 3, 7)), utc(2026, 6, 3, 7))  # before opening, same day
    assert_at(s.next_open(waw(2026, 6, 3, 11, 30)), utc(2026, 6, 3, 9, 30))  # open -> t itself


def test_add_business_minutes_over_weekend():
    s = office()
    assert_at(s.add_business_minutes(waw(2026, 6, 5, 15), 240), utc(2026, 6, 8, 9))  # Fri 15:00 + 4h -> Mon 11:00


def test_add_business_minutes_starting_closed():
    s = office()
    assert_at(s.add_business_minutes(waw(2026, 6, 6, 10), 60), utc(2026, 6, 8, 8))  # Sat -> Mon 10:00
    assert_at(s.add_business_minutes(waw(2026, 6, 3, 18), 30), utc(2026, 6, 4, 7, 30))  # Wed eve -> Thu 09:30


def test_add_business_minutes_many_days():
    s = office()
    start = waw(2026, 6, 1, 9)  # Monday
    assert_at(s.add_business_minutes(start, 40 * 60), utc(2026, 6, 5, 15))  # ends exactly at Fri 17:00
    assert_at(s.add_business_minutes(start, 41 * 60), utc(2026, 6, 8, 8))  # Mon 10:00
    assert_at(s.add_business_time(start, timedelta(hours=120)), utc(2026, 6, 19, 15))  # 3 weeks -> Fri 19 Jun 17:00
    assert_at(s.add_business_minutes(start, 90.5), utc(2026, 6, 1, 8, 30, 30))  # fractional minutes


def test_add_business_minutes_zero():
    s = office()
    assert_at(s.add_business_minutes(waw(2026, 6, 3, 10), 0), utc(2026, 6, 3, 8))  # open -> t
    assert_at(s.add_business_minutes(waw(2026, 6, 5, 17), 0), utc(2026, 6, 8, 7))  # closed -> next_open
    assert_at(s.add_business_time(waw(2026, 6, 6, 1), timedelta(0)), utc(2026, 6, 8, 7))


def test_business_minutes_between():
    s = office()
    assert s.business_minutes_between(waw(2026, 6, 5, 15), waw(2026, 6, 8, 11)) == 240
    assert s.business_minutes_between(waw(2026, 6, 3, 8), waw(2026, 6, 3, 18)) == 480
    assert s.business_minutes_between(waw(2026, 6, 6, 0), waw(2026, 6, 8, 0)) == 0  # weekend
    assert s.business_time_between(waw(2026, 6, 1, 0), waw(2026, 6, 8, 0)) == timedelta(hours=40)
    assert s.business_time_between(waw(2026, 6, 3, 12), waw(2026, 6, 3, 10)) == timedelta(0)  # b < a
    assert s.business_time_between(waw(2026, 6, 3, 12), waw(2026, 6, 3, 12)) == timedelta(0)


@pytest.mark.parametrize(
    "start, minutes",
    [
        (waw(2026, 6, 5, 15), 240),
        (waw(2026, 6, 6, 10), 61),
        (waw(2026, 3, 27, 16, 15), 600),  # across the spring-forward weekend
        (waw(2026, 10, 23, 9, 1), 2000),  # across the fall-back weekend
        (waw(2026, 6, 1, 9), 7 * 8 * 60 + 1),
    ],
)
def test_add_and_between_round_trip(start, minutes):
    s = office()
    end = s.add_business_minutes(start, minutes)
    assert s.business_minutes_between(start, end) == minutes
    # and the other way: a business-time gap to an open instant is recovered exactly
    target = s.add_business_minutes(end, 1)
    assert s.add_business_time(start, s.business_time_between(start, target)) == target


def test_long_delta_is_fast_and_consistent():
    s = office(holidays=holidays.country_holidays("PL", years=(2026, 2027)))
    start = waw(2026, 1, 5, 9)
    end = s.add_business_time(start, timedelta(hours=8 * 200))  # ~10 months of business days
    assert s.business_time_between(start, end) == timedelta(hours=1600)
    assert end.astimezone(WAW).time() == time(17)


# --- DST -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tz, day, start_utc, end_utc, hours",
    [
        (WAW, date(2026, 3, 29), utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), 23),  # spring forward
        (WAW, date(2026, 10, 25), utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), 25),  # fall back
        (NY, date(2026, 3, 8), utc(2026, 3, 8, 5), utc(2026, 3, 9, 4), 23),
        (NY, date(2026, 11, 1), utc(2026, 11, 1, 4), utc(2026, 11, 2, 5), 25),
    ],
)
def test_all_day_window_on_dst_days(tz, day, start_utc, end_utc, hours):
    s = Schedule(tz=tz, weekly={day.weekday(): ALL_DAY})  # only that weekday, so days don't merge
    [(start, end)] = s.intervals_on(day)
    assert_at(start, start_utc, tz)
    assert_at(end, end_utc, tz)
    assert real(start, end) == timedelta(hours=hours)
    assert end.astimezone(tz).replace(tzinfo=None) == datetime.combine(day + timedelta(days=1), time(0))
    local_midnight = datetime.combine(day, time(0), tzinfo=tz)
    assert s.business_time_between(local_midnight, local_midnight + timedelta(days=3)) == timedelta(hours=hours)


@pytest.mark.parametrize(
    "tz, day, start_utc",
    [
        (WAW, date(2026, 3, 29), utc(2026, 3, 29, 7)),  # 09:00 CEST
        (WAW, date(2026, 10, 25), utc(2026, 10, 25, 8)),  # 09:00 CET
        (NY, date(2026, 3, 8), utc(2026, 3, 8, 13)),  # 09:00 EDT
        (NY, date(2026, 11, 1), utc(2026, 11, 1, 14)),  # 09:00 EST
    ],
)
def test_nine_to_five_on_dst_days_is_eight_hours(tz, day, start_utc):
    s = every_day(NINE_TO_FIVE, tz=tz)
    [(start, end)] = s.intervals_on(day)
    assert_at(start, start_utc, tz)
    assert_at(end, start_utc + timedelta(hours=8), tz)
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    assert s.business_time_between(midnight, midnight + timedelta(hours=23)) == timedelta(hours=8)


def test_office_offsets_around_spring_forward():
    s = office()
    assert_at(s.next_open(waw(2026, 3, 27, 8)), utc(2026, 3, 27, 8))  # Fri 09:00 CET
    assert_at(s.next_open(waw(2026, 3, 27, 18)), utc(2026, 3, 30, 7))  # Mon 09:00 CEST
    assert_at(s.add_business_minutes(waw(2026, 3, 27, 15), 240), utc(2026, 3, 30, 9))  # Mon 11:00 CEST
    assert s.business_time_between(waw(2026, 3, 27, 9), waw(2026, 3, 30, 17)) == timedelta(hours=16)
    assert s.is_open(utc(2026, 3, 30, 7)) and not s.is_open(utc(2026, 3, 30, 6, 59, 59))


def test_window_across_the_gap_counts_real_hours():
    exc = DateException(date(2026, 3, 29), date(2026, 3, 29), (Window(time(1), time(4)),))
    s = Schedule(tz=WAW, weekly={}, exceptions=(exc,))
    [(start, end)] = s.intervals_on(date(2026, 3, 29))
    assert_at(start, utc(2026, 3, 29, 0))  # 01:00 CET
    assert_at(end, utc(2026, 3, 29, 2))  # 04:00 CEST
    assert s.business_time_between(waw(2026, 3, 29), waw(2026, 3, 30)) == timedelta(hours=2)


def test_window_starting_inside_the_gap_starts_when_gap_ends():
    exc = DateException(date(2026, 3, 29), date(2026, 3, 29), (Window(time(2, 30), time(5)),))
    s = Schedule(tz=WAW, weekly={}, exceptions=(exc,))
    [(start, end)] = s.intervals_on(date(2026, 3, 29))
    assert_at(start, utc(2026, 3, 29, 1))  # 03:00 CEST, not 03:30
    assert (start.hour, start.minute, start.utcoffset()) == (3, 0, timedelta(hours=2))
    assert_at(end, utc(2026, 3, 29, 3))
    assert_at(s.next_open(waw(2026, 3, 29, 0)), utc(2026, 3, 29, 1))
    assert s.is_open(utc(2026, 3, 29, 1)) and not s.is_open(utc(2026, 3, 29, 0, 59, 59))


def test_gap_clamping_for_window_ends_and_new_york():
    ends_in_gap = DateException(date(2026, 3, 29), date(2026, 3, 29), (Window(time(1), time(2, 30)),))
    s = Schedule(tz=WAW, weekly={}, exceptions=(ends_in_gap,))
    assert s.intervals_on(date(2026, 3, 29)) == [(waw(2026, 3, 29, 1), waw(2026, 3, 29, 3))]
    assert s.business_time_between(waw(2026, 3, 29), waw(2026, 3, 30)) == timedelta(hours=1)
    inside_gap = DateException(date(2026, 3, 29), date(2026, 3, 29), (Window(time(2, 10), time(2, 50)),))
    assert Schedule(tz=WAW, weekly={}, exceptions=(inside_gap,)).intervals_on(date(2026, 3, 29)) == []
    ny = Schedule(tz=NY, weekly={6: (Window(time(2, 30), time(4)),)})
    [(start, end)] = ny.intervals_on(date(2026, 3, 8))
    assert_at(start, utc(2026, 3, 8, 7), NY)  # 03:00 EDT
    assert_at(end, utc(2026, 3, 8, 8), NY)


def test_ambiguous_wall_time_uses_first_occurrence():
    exc = DateException(date(2026, 10, 25), date(2026, 10, 25), (Window(time(2, 30), time(5)),))
    s = Schedule(tz=WAW, weekly={}, exceptions=(exc,))
    [(start, end)] = s.intervals_on(date(2026, 10, 25))
    assert_at(start, utc(2026, 10, 25, 0, 30))  # 02:30 CEST (fold=0)
    assert start.fold == 0 and start.utcoffset() == timedelta(hours=2)
    assert_at(end, utc(2026, 10, 25, 4))  # 05:00 CET
    assert real(start, end) == timedelta(hours=3, minutes=30)


# --- windows ending at midnight ------------------------------------------------------------------


def test_midnight_windows_merge_across_days():
    s = Schedule(tz=WAW, weekly={0: (Window(time(18), None),), 1: (Window(time(0), time(6)),)})
    assert s.intervals_on(date(2026, 6, 1)) == [(waw(2026, 6, 1, 18), waw(2026, 6, 2, 0))]
    assert_at(s.open_until(waw(2026, 6, 1, 20)), utc(2026, 6, 2, 4))  # Tue 06:00 CEST
    assert_at(s.open_until(waw(2026, 6, 2, 0)), utc(2026, 6, 2, 4))
    assert s.is_open(waw(2026, 6, 1, 23, 59, 59)) and s.is_open(waw(2026, 6, 2, 0))
    assert not s.is_open(waw(2026, 6, 2, 6))
    assert_at(s.add_business_minutes(waw(2026, 6, 1, 23), 120), utc(2026, 6, 1, 23))  # Tue 01:00 CEST
    assert s.business_time_between(waw(2026, 6, 1), waw(2026, 6, 3)) == timedelta(hours=12)


def test_full_day_then_morning_merge():
    s = Schedule(tz=WAW, weekly={0: ALL_DAY, 1: (Window(time(0), time(8)),)})
    assert_at(s.open_until(waw(2026, 6, 1, 10)), utc(2026, 6, 2, 6))  # Mon 10:00 -> Tue 08:00
    weekdays_24h = Schedule(tz=WAW, weekly=dict.fromkeys(range(5), ALL_DAY))
    assert_at(weekdays_24h.open_until(waw(2026, 6, 3, 10)), utc(2026, 6, 5, 22))  # -> Sat 00:00 CEST


def test_midnight_end_on_dst_eve():
    s = Schedule(tz=WAW, weekly={5: (Window(time(18), None),)})  # Saturdays 18:00-24:00
    assert s.business_time_between(waw(2026, 3, 28), waw(2026, 3, 30)) == timedelta(hours=6)
    [(_, end)] = s.intervals_on(date(2026, 3, 28))
    assert_at(end, utc(2026, 3, 28, 23))  # midnight CET


def test_adjacent_windows_merge_within_a_day():
    s = every_day((Window(time(12), time(17)), Window(time(9), time(12)), Window(time(10), time(11))))
    assert s.intervals_on(date(2026, 6, 3)) == [(waw(2026, 6, 3, 9), waw(2026, 6, 3, 17))]
    assert_at(s.open_until(waw(2026, 6, 3, 9, 30)), utc(2026, 6, 3, 15))


# --- dated exceptions ----------------------------------------------------------------------------


def test_exception_closed_weekday():
    s = office(exceptions=(DateException(date(2026, 12, 24), date(2026, 12, 24)),))
    assert not s.is_open(waw(2026, 12, 24, 10))  # Thursday
    assert_at(s.next_open(waw(2026, 12, 23, 17)), utc(2026, 12, 25, 8))  # Fri 09:00 CET
    assert s.business_time_between(waw(2026, 12, 21), waw(2026, 12, 28)) == timedelta(hours=32)


def test_exception_extended_hours():
    s = office(exceptions=(DateException(date(2026, 6, 8), date(2026, 6, 12), (Window(time(8), time(20)),)),))
    assert s.is_open(waw(2026, 6, 8, 19)) and s.is_open(waw(2026, 6, 12, 8))
    assert not s.is_open(waw(2026, 6, 5, 19))  # before the range
    assert_at(s.open_until(waw(2026, 6, 10, 8)), utc(2026, 6, 10, 18))
    assert s.business_time_between(waw(2026, 6, 8), waw(2026, 6, 15)) == timedelta(hours=60)
    assert_at(s.next_open(waw(2026, 6, 12, 20)), utc(2026, 6, 15, 7))  # back to normal hours


def test_exception_shortened_hours():
    s = office(exceptions=(DateException(date(2026, 6, 5), date(2026, 6, 5), (Window(time(9), time(13)),)),))
    assert not s.is_open(waw(2026, 6, 5, 13))
    assert_at(s.open_until(waw(2026, 6, 5, 10)), utc(2026, 6, 5, 11))
    assert_at(s.add_business_minutes(waw(2026, 6, 5, 12), 120), utc(2026, 6, 8, 8))  # Mon 10:00


def test_exceptions_on_same_date_are_unioned():
    split = (
        DateException(date(2026, 6, 3), date(2026, 6, 3), (Window(time(9), time(12)),)),
        DateException(date(2026, 6, 1), date(2026, 6, 3), (Window(time(13), time(17)),)),
    )
    s = office(exceptions=split)
    assert s.intervals_on(date(2026, 6, 3)) == [
        (waw(2026, 6, 3, 9), waw(2026, 6, 3, 12)),
        (waw(2026, 6, 3, 13), waw(2026, 6, 3, 17)),
    ]
    assert s.intervals_on(date(2026, 6, 2)) == [(waw(2026, 6, 2, 13), waw(2026, 6, 2, 17))]
    assert not s.is_open(waw(2026, 6, 3, 12, 30))
    assert_at(s.open_until(waw(2026, 6, 3, 10)), utc(2026, 6, 3, 10))  # 12:00 CEST
    assert_at(s.add_business_minutes(waw(2026, 6, 3, 11), 120), utc(2026, 6, 3, 12))  # 14:00 CEST
    overlapping = office(
        exceptions=(
            DateException(date(2026, 6, 3), date(2026, 6, 3), (Window(time(9), time(12)),)),
            DateException(date(2026, 6, 3), date(2026, 6, 3), (Window(time(11), time(14)),)),
        )
    )
    assert overlapping.intervals_on(date(2026, 6, 3)) == [(waw(2026, 6, 3, 9), waw(2026, 6, 3, 14))]


def test_exception_opens_weekend():
    s = office(exceptions=(DateException(date(2026, 6, 6), date(2026, 6, 6), (Window(time(10), time(14)),)),))
    assert s.is_open(waw(2026, 6, 6, 11))
    assert not s.is_open(waw(2026, 6, 7, 11))
    assert_at(s.next_open(waw(2026, 6, 5, 17)), utc(2026, 6, 6, 8))  # Sat 10:00


def test_exception_wins_over_holiday():
    pl = holidays.country_holidays("PL", years=2026)
    exc = DateException(date(2026, 11, 11), date(2026, 11, 11), (Window(time(10), time(14)),))
    s = office(holidays=pl, exceptions=(exc,))
    assert s.is_open(waw(2026, 11, 11, 11))
    assert_at(s.next_open(waw(2026, 11, 10, 17)), utc(2026, 11, 11, 9))  # 10:00 CET


def test_validation():
    with pytest.raises(ValueError):
        Window(time(17), time(9))
    with pytest.raises(ValueError):
        Window(time(9), time(9))
    with pytest.raises(ValueError):
        DateException(date(2026, 6, 2), date(2026, 6, 1))
    with pytest.raises(ValueError):
        Schedule(tz=WAW, weekly={7: NINE_TO_FIVE})
    assert Window(time(0), None).end is None


# --- holidays ------------------------------------------------------------------------------------


def test_polish_independence_day_is_closed():
    s = office(holidays=holidays.country_holidays("PL", years=2026))
    assert not s.is_open(waw(2026, 11, 11, 10))  # Wednesday
    assert s.intervals_on(date(2026, 11, 11)) == []
    assert_at(s.next_open(waw(2026, 11, 10, 17)), utc(2026, 11, 12, 8))  # Thu 09:00 CET
    assert_at(s.add_business_minutes(waw(2026, 11, 10, 16), 120), utc(2026, 11, 12, 9))
    assert s.business_time_between(waw(2026, 11, 10, 9), waw(2026, 11, 13, 9)) == timedelta(hours=16)


def test_holidays_as_plain_set():
    s = office(holidays=frozenset({date(2026, 6, 4)}))
    assert not s.is_open(waw(2026, 6, 4, 10))
    assert_at(s.next_open(waw(2026, 6, 3, 17)), utc(2026, 6, 5, 7))


# --- always open ---------------------------------------------------------------------------------


def test_always_open():
    s = Schedule.always_open()
    t = utc(2026, 12, 25, 3, 17)
    assert s.is_open(t)
    assert s.open_until(t) is None
    assert_at(s.next_open(t), t, s.tz)
    assert_at(s.add_business_minutes(t, 15), t + timedelta(minutes=15), s.tz)
    assert s.business_minutes_between(t, t + timedelta(days=2)) == 2 * 24 * 60


def test_always_open_across_fall_back():
    s = Schedule.always_open(WAW)
    start = waw(2026, 10, 25, 2, 50)  # fold=0 -> 02:50 CEST = 00:50 UTC
    end = s.add_business_minutes(start, 15)
    assert_at(end, utc(2026, 10, 25, 1, 5))
    assert (end.hour, end.minute, end.fold, end.utcoffset()) == (2, 5, 1, timedelta(hours=1))  # 02:05 CET
    assert s.business_time_between(waw(2026, 10, 25), waw(2026, 10, 26)) == timedelta(hours=25)
    assert s.open_until(start) is None


def test_always_open_across_spring_forward():
    s = Schedule.always_open(WAW)
    end = s.add_business_minutes(waw(2026, 3, 29, 1, 55), 10)
    assert_at(end, utc(2026, 3, 29, 1, 5))
    assert (end.hour, end.minute) == (3, 5)


def test_open_until_24_7_with_a_holiday_stops_there():
    s = every_day(ALL_DAY, holidays=frozenset({date(2027, 1, 1)}))
    assert_at(s.open_until(waw(2026, 6, 3, 10)), utc(2026, 12, 31, 23))  # midnight CET before New Year


# --- input handling and degenerate schedules ----------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda s, t: s.is_open(t),
        lambda s, t: s.open_until(t),
        lambda s, t: s.next_open(t),
        lambda s, t: s.add_business_time(t, timedelta(hours=1)),
        lambda s, t: s.add_business_minutes(t, 5),
        lambda s, t: s.business_time_between(t, waw(2026, 6, 10)),
        lambda s, t: s.business_minutes_between(waw(2026, 6, 1), t),
    ],
)
def test_naive_datetime_raises(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call(office(), datetime(2026, 6, 3, 10))


def test_never_open_schedule():
    s = Schedule(tz=WAW, weekly={})
    t = waw(2026, 6, 3, 10)
    assert not s.is_open(t)
    assert s.next_open(t) is None
    assert s.open_until(t) is None
    assert s.business_time_between(t, t + timedelta(days=30)) == timedelta(0)
    with pytest.raises(ValueError):
        s.add_business_time(t, timedelta(hours=1))
    with pytest.raises(ValueError):
        s.add_business_minutes(t, 0)


def test_negative_delta_raises():
    with pytest.raises(ValueError):
        office().add_business_time(waw(2026, 6, 3, 10), timedelta(minutes=-1))


def test_search_horizon():
    one_day = (Window(time(9), time(10)),)
    soon = Schedule(tz=WAW, weekly={}, exceptions=(DateException(date(2027, 3, 1), date(2027, 3, 1), one_day),))
    assert_at(soon.next_open(waw(2026, 6, 3)), utc(2027, 3, 1, 8))  # ~270 days ahead: found
    far = Schedule(tz=WAW, weekly={}, exceptions=(DateException(date(2028, 1, 3), date(2028, 1, 3), one_day),))
    assert far.next_open(waw(2026, 6, 3)) is None  # ~580 days ahead: beyond the horizon


def test_inputs_in_other_zones_are_converted():
    s = office()
    assert_at(s.next_open(utc(2026, 6, 5, 16)), utc(2026, 6, 8, 7))  # Fri 18:00 CEST given in UTC
    assert s.next_open(utc(2026, 6, 5, 16)).tzinfo is WAW
    assert_at(s.next_open(utc(2026, 6, 7, 23, 30)), utc(2026, 6, 8, 7))  # Sun 23:30 UTC is Mon 01:30 local
    assert s.is_open(datetime(2026, 6, 5, 10, 59, tzinfo=NY))  # 16:59 CEST
    assert not s.is_open(datetime(2026, 6, 5, 11, 0, tzinfo=NY))  # 17:00 CEST
    assert_at(s.add_business_minutes(datetime(2026, 6, 5, 9, tzinfo=NY), 240), utc(2026, 6, 8, 9))  # 15:00 CEST +4h
    assert s.business_minutes_between(utc(2026, 6, 3, 7), datetime(2026, 6, 3, 5, tzinfo=NY)) == 120
