"""The account's availability page: this month against the target (and per channel), 90 daily bars, the
incidents of those 90 days, monthly history. MISSION: AV-1, CR-0. Another account's page is a 404 like a
missing one."""

import calendar
from datetime import UTC, datetime

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.shortcuts import visible_account as _account

from . import alerts
from .reports import daily_bars, incidents_between, months

DAYS = 90
LISTED = 50  # incidents listed, the latest first


def _months_back(year: int, month: int, count: int):
    for _n in range(count):
        yield year, month
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)


def _level(seconds: int) -> int:
    return 0 if not seconds else 1 if seconds < 60 else 2 if seconds < 600 else 3


@require_GET
def availability(request, slug):
    account = _account(request, slug)
    now = timezone.now().astimezone(UTC)
    this, *history = months(account, list(_months_back(now.year, now.month, 7)))
    today = calendar.timegm((now.year, now.month, now.day, 0, 0, 0))
    bars = daily_bars(account, today, DAYS)
    for bar in bars:
        bar["date"] = datetime.fromtimestamp(bar["day"], UTC).date()
        bar["level"] = _level(bar["seconds"])
    found = incidents_between(account, bars[0]["day"], today + 86400)
    return render(
        request,
        "availability/page.html",
        {
            "account": account,
            "this": this,
            "history": history,
            "bars": bars,
            "incidents": list(reversed(found))[:LISTED],
            "incidents_total": len(found),
            "ongoing": alerts.ongoing(account),
            "merge": settings.INCIDENT_MERGE_SECONDS,
        },
    )
