"""One way to draw a chart of days (core/daychart.py and _daychart.html / _daystrip.html, issue 19): no days
draws the axis and nothing else, one day sits in its slot, 90 days fill the width, thresholds are labelled
lines over the bars, every text is escaped and no script or style attribute reaches the page."""

from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from core import daychart

FIRST = date(2026, 11, 1)


def render(chart) -> str:
    return render_to_string("_daychart.html", {"chart": chart})


def test_no_days_draws_the_axis_and_no_bar():
    chart = daychart.bar_chart([], first=FIRST, count=30, top=100, title="Aligned", grid=(100,))
    svg = render(chart)
    assert chart.bars == [] and "<rect" not in svg
    assert [line.y for line in chart.grid] == [daychart.TOP, daychart.HEIGHT]  # the top and the bottom
    assert chart.last == date(2026, 11, 30) and ">1 Nov<" in svg and ">30 Nov<" in svg


def test_one_day_sits_in_its_slot_and_days_outside_are_left_out():
    points = [daychart.Point(date(2026, 11, 30), 50, "ok", "half"), daychart.Point(date(2026, 12, 1), 80)]
    chart = daychart.bar_chart(points, first=FIRST, count=30, top=100, title="t")
    (bar,) = chart.bars
    assert (bar.x, bar.width, bar.y, bar.height) == (582.0, 16.0, 85.0, 75.0)
    assert render(chart).count("<rect ") == 1


def test_90_days_fill_the_width_and_a_zero_still_shows():
    points = [daychart.Point(FIRST + timedelta(days=n), 0.0) for n in range(90)]
    chart = daychart.bar_chart(points, first=FIRST, count=90, top=0.4, title="t", min_height=0.5)
    assert len(chart.bars) == 90 and chart.bars[0].x > 0 and chart.bars[-1].x + chart.bars[-1].width < daychart.WIDTH
    assert all(bar.height == 0.5 for bar in chart.bars)
    assert chart.last == FIRST + timedelta(days=89)


def test_thresholds_are_labelled_lines_over_the_bars():
    chart = daychart.bar_chart(
        [daychart.Point(FIRST, 0.35, "low")],
        first=FIRST,
        count=30,
        top=0.4,
        title="t",
        thresholds=[(0.1, "target", "0.10%", "line-target"), (0.3, "limit", "0.30%", "line-limit")],
    )
    target, limit = chart.lines
    assert daychart.HEIGHT > target.y > limit.y > daychart.TOP and target.label_y == target.y - 2
    svg = render(chart)
    assert svg.index("<rect") < svg.index('data-testid="line-target"') < svg.index('data-testid="line-limit"')
    assert ">0.10%</text>" in svg and ">0.30%</text>" in svg
    assert daychart.y_of(5, 0.4) == daychart.TOP  # off the scale: clipped at the top


def test_every_text_is_escaped_and_nothing_runs():
    hostile = '<script>alert("x")</script>'
    chart = daychart.bar_chart(
        [daychart.Point(FIRST, 10, "ok", hostile)],
        first=FIRST,
        count=30,
        top=100,
        title=hostile,
        desc=hostile,
        thresholds=[(50, "target", hostile, "")],
    )
    svg = render(chart)
    assert "<script" not in svg and svg.count("&lt;script&gt;") == 5  # aria-label, title, desc, bar, line
    assert "style=" not in svg and "onload" not in svg
    cells = daychart.strip({FIRST: ("#c62828", hostile, True)}, first=FIRST, count=2, empty=lambda d: ("#eee", "—"))
    strip = render_to_string("_daystrip.html", {"cells": cells, "width": daychart.strip_width(2), "label": hostile})
    assert "<script" not in strip and strip.count("<rect") == 2 and 'stroke="#000"' in strip


@pytest.mark.parametrize("language", ["en", "pl"])
def test_coordinates_are_never_written_with_a_decimal_comma(language):
    chart = daychart.bar_chart([daychart.Point(FIRST, 33.3)], first=FIRST, count=7, top=100, title="t")
    with translation.override(language):
        svg = render(chart)
    assert f'x="{chart.bars[0].x}"' in svg and f'y="{chart.bars[0].y}"' in svg and "," not in svg.split("<text")[0]
