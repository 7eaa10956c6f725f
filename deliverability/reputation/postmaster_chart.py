"""Gmail's spam rate per day (issue 19), beside the DMARC chart: one bar per day Google reported, placed by
its date, with lines at the 0.10% target and the 0.30% limit; drawn by ``core.daychart``. Pure, no ORM.

Gmail's sender requirements (Email sender guidelines, February 2024; shared/facts/deliverability.md): keep
the user-reported spam rate below 0.10% and never reach 0.30%."""

from datetime import date

from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import daychart

TARGET, LIMIT = 0.10, 0.30  # percent
FLOOR = 0.40  # the scale shows at least 0 to 0.40%, so both lines are always drawn


def level(percent: float) -> str:
    """ok below 0.10%, warn from 0.10% to under 0.30%, low from 0.30% (the checklist's statuses)."""
    if percent >= LIMIT:
        return "low"
    return "warn" if percent >= TARGET else "ok"


def scale(days: list) -> float:
    """The top of the chart in percent: the highest day (with room), never below FLOOR."""
    highest = max((d.spam_percent for d in days if d.spam_percent is not None), default=0.0)
    return max(FLOOR, round(highest * 1.15, 2))


def chart(days: list, first: date, count: int) -> daychart.DayChart:
    """``days``: rows with ``day`` and ``spam_percent``; a day without a spam rate has no bar."""
    points = [
        daychart.Point(
            row.day,
            row.spam_percent,
            level(row.spam_percent),
            f"{date_format(row.day, 'j M')}: {floatformat(row.spam_percent, '2')}%",
        )
        for row in days
        if row.spam_percent is not None
    ]
    return daychart.bar_chart(
        points,
        first=first,
        count=count,
        top=scale(days),
        title=_("Spam rate per day"),  # the figure's caption describes it: no <desc> repeating it
        grid=(scale(days),),
        thresholds=[
            (TARGET, "target", f"{floatformat(TARGET, '2')}%", "line-target"),
            (LIMIT, "limit", f"{floatformat(LIMIT, '2')}%", "line-limit"),
        ],
        min_height=0.5,  # a 0.00% day still shows as reported
        testid="postmaster-chart",
    )
