"""The aligned-% per day chart as SVG shapes (no script; the template writes them, escaped). Pure."""

from dataclasses import dataclass
from datetime import date, timedelta

WIDTH, HEIGHT, TOP = 600, 160, 10  # drawing area in SVG units; 100% is at TOP, 0% at HEIGHT
TARGET = 98.0  # the checklist's "DMARC aligned" threshold, drawn as a line


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    percent: float
    total: int
    low: bool  # under the target


def y_of(percent: float) -> float:
    return round(HEIGHT - (HEIGHT - TOP) * percent / 100.0, 1)


def bars(days: list[dict], first: date, count: int) -> list[Bar]:
    """One bar per day with reports, placed by its date among ``count`` days from ``first``."""
    step = WIDTH / count
    out = []
    for row in days:
        if not row["total"]:
            continue
        index = (row["day"] - first).days
        if not 0 <= index < count:
            continue
        percent = row["percent"]
        y = y_of(percent)
        out.append(
            Bar(
                x=round(index * step + step * 0.1, 1),
                y=y,
                width=round(step * 0.8, 1),
                height=round(HEIGHT - y, 1),
                day=row["day"],
                percent=percent,
                total=row["total"],
                low=percent < TARGET,
            )
        )
    return out


def axis(first: date, count: int) -> dict:
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "target_y": y_of(TARGET),
        "half_y": y_of(50),
        "top_y": y_of(100),
        "first": first,
        "last": first + timedelta(days=count - 1),
    }
