"""The account's availability page: this month against the target, 90 daily bars, monthly history,
incidents. MISSION: AV-1. Another account's page is a 404 like a missing one."""

import calendar
import time
from datetime import UTC, datetime

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.shortcuts import visible_account as _account

from . import alerts
from .panels import OPEN_WITHIN
from .reports import daily_bars, months


def _months_back(year: int, month: int, count: int):
    for _n in range(count):
        yield year, month
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)


@require_GET
def availability(request, slug):
    account = _account(request, slug)
    now = timezone.now().astimezone(UTC)
    this, *history = months(account, list(_months_back(now.year, now.month, 7)))
    today = calendar.timegm((now.year, now.month, now.day, 0, 0, 0))
    bars = daily_bars(account, today)
    for bar in bars:
        bar["date"] = datetime.fromtimestamp(bar["day"], UTC).date()
        bar["level"] = 0 if not bar["seconds"] else 1 if bar["seconds"] < 60 else 2 if bar["seconds"] < 600 else 3
    ongoing = [i for i in alerts.sustained(account) if time.time() - i.end < OPEN_WITHIN]
    return render(
        request,
        "availability/page.html",
        {
            "account": account,
            "this": this,
            "history": history,
            "bars": bars,
            "incidents": list(reversed(this.incidents))[:50],
            "ongoing": ongoing[-1] if ongoing else None,
            "case_link": alerts.case_link(account, ongoing[-1]) if ongoing else "",
        },
    )
