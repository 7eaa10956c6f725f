"""Gmail's spam rate per day as SVG shapes (issue 19), beside the DMARC chart: one bar per day Google
reported, placed by its date, with lines at the 0.10% target and the 0.30% limit. Pure, no ORM.

Gmail's sender requirements (Email sender guidelines, February 2024; shared/facts/deliverability.md): keep
the user-reported spam rate below 0.10% and never reach 0.30%."""

from dataclasses import dataclass
from datetime import date, timedelta

WIDTH, HEIGHT, TOP = 600, 160, 10
TARGET, LIMIT = 0.10, 0.30  # percent
FLOOR = 0.40  # the scale shows at least 0 to 0.40%, so both lines are always drawn


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    percent: float
    level: str  # ok / warn / low (the DMARC chart's classes: blue, amber, red)


def level(percent: float) -> str:
    """ok below 0.10%, warn from 0.10% to under 0.30%, bad from 0.30% (the checklist's statuses)."""
    if percent >= LIMIT:
        return "low"
    return "warn" if percent >= TARGET else "ok"


def scale(days: list) -> float:
    """The top of the chart in percent: the highest day (with room), never below FLOOR."""
    highest = max((d.spam_percent for d in days if d.spam_percent is not None), default=0.0)
    return max(FLOOR, round(highest * 1.15, 2))


def y_of(percent: float, top: float) -> float:
    return round(HEIGHT - (HEIGHT - TOP) * min(percent, top) / top, 1)


def bars(days: list, first: date, count: int) -> list[Bar]:
    """``days``: rows with ``day`` and ``spam_percent``; a day without a spam rate has no bar."""
    step, top, out = WIDTH / count, scale(days), []
    for row in days:
        index = (row.day - first).days
        if row.spam_percent is None or not 0 <= index < count:
            continue
        y = y_of(row.spam_percent, top)
        out.append(
            Bar(
                x=round(index * step + step * 0.1, 1),
                y=y,
                width=round(step * 0.8, 1),
                height=max(round(HEIGHT - y, 1), 0.5),  # a 0.00% day still shows as reported
                day=row.day,
                percent=row.spam_percent,
                level=level(row.spam_percent),
            )
        )
    return out


def axis(days: list, first: date, count: int) -> dict:
    top = scale(days)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "top": top,
        "top_y": y_of(top, top),
        "target_y": y_of(TARGET, top),
        "limit_y": y_of(LIMIT, top),
        "first": first,
        "last": first + timedelta(days=count - 1),
    }
