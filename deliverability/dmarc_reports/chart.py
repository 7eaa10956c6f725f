"""The aligned-% per day chart (issue 19): one bar per day with reports, blue at or above the checklist's
98% target, red below, the target drawn as a dashed line; drawn by ``core.daychart``. Pure."""

from datetime import date

from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import daychart

TARGET = 98.0  # the checklist's "DMARC aligned" threshold, drawn as a line


def chart(days: list[dict], first: date, count: int) -> daychart.DayChart:
    """``days``: the rollup's rows (``day``, ``total``, ``percent``); a day without reports has no bar."""
    points = [
        daychart.Point(
            row["day"],
            row["percent"],
            "low" if row["percent"] < TARGET else "ok",
            f"{date_format(row['day'], 'j M')} UTC: {floatformat(row['percent'], '1')}% "
            f"({floatformat(row['total'], '0g')})",
        )
        for row in days
        if row["total"]
    ]
    return daychart.bar_chart(
        points,
        first=first,
        count=count,
        top=100.0,
        title=_("Aligned messages per day"),  # the figure's caption describes it: no <desc> repeating it
        thresholds=[(TARGET, "target", "", "")],
        testid="dmarc-chart",
        last_suffix="UTC",
    )
