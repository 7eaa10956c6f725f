"""One way to draw a chart of days (issue 19): the DMARC aligned-% chart, Gmail's spam rate (Postmaster
Tools) and Microsoft SNDS's per-IP strip are each a row of days from ``first``, one slot per day, drawn by
the shared template ``_daychart.html`` (bars, gridlines, threshold lines, first and last day) or
``_daystrip.html`` (one square per day). Pure, no ORM: the callers say each day's value, class and title;
this module places them. The templates escape every label and title; no script, no style attribute (a
strict Content-Security-Policy allows neither), colours come from CSS classes or SVG presentation
attributes. The picture has an accessible name (``title``) and description (``desc``)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

WIDTH, HEIGHT, TOP = 600, 160, 10  # the bar chart's drawing area in SVG units: the scale's top is at TOP
CELL, GAP = 10, 2  # the strip's squares


@dataclass(frozen=True)
class Point:
    """One day's figure: its value on the scale, the bar's CSS class and its tooltip."""

    day: date
    value: float
    css: str = ""
    title: str = ""


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    value: float
    css: str
    title: str


@dataclass(frozen=True)
class Line:
    """A horizontal line across the chart: a gridline (``css="grid"``) or a threshold with its label."""

    y: float
    css: str
    label: str = ""
    testid: str = ""

    @property
    def label_y(self) -> float:
        return round(self.y - 2, 1)


@dataclass
class DayChart:
    title: str
    desc: str
    first: date
    count: int
    top: float  # the value at the top of the scale
    bars: list[Bar] = field(default_factory=list)
    grid: list[Line] = field(default_factory=list)  # drawn under the bars
    lines: list[Line] = field(default_factory=list)  # thresholds, drawn over the bars
    testid: str = ""
    last_suffix: str = ""  # after the last day's label ("UTC")
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.count - 1)

    @property
    def box_height(self) -> int:
        return self.height + 14  # room for the day labels

    @property
    def tick_y(self) -> int:
        return self.height + 12

    def y_of(self, value: float) -> float:
        return y_of(value, self.top)


def y_of(value: float, top: float) -> float:
    """Where ``value`` sits on a scale from 0 (the bottom) to ``top`` (clipped there)."""
    return round(HEIGHT - (HEIGHT - TOP) * min(value, top) / top, 1)


def index_of(day: date, first: date, count: int) -> int | None:
    """The day's slot among ``count`` days from ``first``, or None outside them."""
    index = (day - first).days
    return index if 0 <= index < count else None


def bar_chart(
    points: Iterable[Point],
    *,
    first: date,
    count: int,
    top: float,
    title: str,
    desc: str = "",
    grid: Iterable[float] = (),
    thresholds: Iterable[tuple[float, str, str, str]] = (),
    min_height: float = 0.0,
    testid: str = "",
    last_suffix: str = "",
) -> DayChart:
    """A bar per point, placed by its day (points outside the window are left out), on a scale of 0 to
    ``top``; ``grid``: values with a gridline (the bottom always has one); ``thresholds``: (value, css class,
    label, test id) drawn as labelled lines over the bars; ``min_height``: a reported zero still shows."""
    count = max(count, 1)
    top = top if top > 0 else 1.0
    chart = DayChart(title, desc, first, count, top, testid=testid, last_suffix=last_suffix)
    step = WIDTH / count
    for point in points:
        index = index_of(point.day, first, count)
        if index is None:
            continue
        y = y_of(point.value, top)
        chart.bars.append(
            Bar(
                x=round(index * step + step * 0.1, 1),
                y=y,
                width=round(step * 0.8, 1),
                height=max(round(HEIGHT - y, 1), min_height),
                day=point.day,
                value=point.value,
                css=point.css,
                title=point.title,
            )
        )
    chart.grid = [Line(y_of(value, top), "grid") for value in (*grid, 0)]
    chart.lines += [Line(y_of(value, top), css, label, testid) for value, css, label, testid in thresholds]
    return chart


@dataclass(frozen=True)
class Cell:
    x: int
    day: date
    colour: str
    title: str
    outlined: bool


def strip(days: dict[date, tuple[str, str, bool]], *, first: date, count: int, empty) -> list[Cell]:
    """One square per day of the window: ``days`` gives a day's (colour, title, outlined); a day without one
    is ``empty(day)`` (colour, title)."""
    cells = []
    for n in range(count):
        day = first + timedelta(days=n)
        colour, title, outlined = days[day] if day in days else (*empty(day), False)
        cells.append(Cell(n * (CELL + GAP), day, colour, title, outlined))
    return cells


def strip_width(count: int) -> int:
    return count * (CELL + GAP)
