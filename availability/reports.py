"""Month reports from the rollups: only the unavailable seconds are read (a partial index holds them).
MISSION: AV-1."""

from .ledger import MonthReport, month_bounds, month_report
from .models import AvailabilityProfile, SecondRollup

DEFAULT_TARGET = 99.99


def unavailable_pairs(account, start: int, end: int) -> list[tuple[int, int]]:
    rows = SecondRollup.objects.filter(account=account).between(start, end).unavailable()
    return list(rows.values_list("second", "channel"))


def target_of(account) -> float:
    profile = AvailabilityProfile.objects.filter(account=account).first()
    return float(profile.target_pct) if profile else DEFAULT_TARGET


def report(account, year: int, month: int) -> MonthReport:
    start, end = month_bounds(year, month)
    return month_report(year, month, unavailable_pairs(account, start, end), target_of(account))


def as_json(account, r: MonthReport) -> dict:
    return {
        "account": account.slug,
        "month": f"{r.year:04d}-{r.month:02d}",
        "seconds_in_month": r.seconds_in_month,
        "unavailable_seconds": {"total": r.unavailable, "by_channel": r.by_channel},
        "availability_pct": round(r.availability_pct, 6),
        "target_pct": r.target_pct,
        "budget_left_seconds": round(r.budget_left_seconds, 3),
        "incidents": [i.as_dict() for i in r.incidents],
    }


def daily_bars(account, today_start: int, days: int = 90) -> list[dict]:
    """Unavailable seconds per UTC day for the last ``days`` days (the oldest first), for the bars."""
    start = today_start - (days - 1) * 86400
    per_day: dict[int, set] = {}
    for second, _channel in unavailable_pairs(account, start, today_start + 86400):
        per_day.setdefault((second - start) // 86400, set()).add(second)
    return [{"day": start + n * 86400, "seconds": len(per_day.get(n, ()))} for n in range(days)]


def months(account, wanted: list[tuple[int, int]]) -> list[MonthReport]:
    """Several months from one read of the unavailable seconds (and one of the target)."""
    if not wanted:
        return []
    bounds = [month_bounds(y, m) for y, m in wanted]
    down = unavailable_pairs(account, min(b[0] for b in bounds), max(b[1] for b in bounds))
    target = target_of(account)
    return [month_report(y, m, down, target) for y, m in wanted]
