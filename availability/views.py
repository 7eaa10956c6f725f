"""The account's availability page: this month against the target (and per channel), 90 daily bars, the
incidents of those 90 days, monthly history. MISSION: AV-1, CR-0. Another account's page is a 404 like a
missing one."""

import calendar
from datetime import UTC, datetime

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.shortcuts import visible_account as _account
from core import spreadsheet

from . import alerts
from .reports import as_json, daily_bars, incidents_between, months, report

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


@require_GET
def availability_report(request, slug, year, month):
    """The month's report as a page to print or save as PDF: figures, per channel, and the month's incidents
    in the reader's zone (named). A page of its own with no script; the print stylesheet lays it out."""
    account = _account(request, slug)
    if not (2000 <= year <= 9999 and 1 <= month <= 12):
        raise Http404
    month_report = report(account, year, month)
    return render(
        request,
        "availability/report.html",
        {"account": account, "r": month_report, "made_at": timezone.now(), "merge": settings.INCIDENT_MERGE_SECONDS},
    )


@require_GET
def availability_csv(request, slug, year, month):
    """The month's report as the customer downloads it: the figures, then its incidents (UTC, end exclusive)."""
    account = _account(request, slug)
    if not (2000 <= year <= 9999 and 1 <= month <= 12):
        raise Http404
    data = as_json(account, report(account, year, month))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="availability-{account.slug}-{data["month"]}.csv"'
    writer = spreadsheet.Writer(response)
    by_channel = data["availability_pct_by_channel"]
    down = data["unavailable_seconds"]
    writer.writerow(
        ["month", "seconds_in_month", "unavailable_seconds", "api_unavailable_seconds", "smtp_unavailable_seconds"]
        + ["availability_pct", "api_availability_pct", "smtp_availability_pct", "target_pct", "budget_left_seconds"]
    )
    writer.writerow(
        [data["month"], data["seconds_in_month"], down["total"], down["by_channel"]["api"], down["by_channel"]["smtp"]]
        + [data["availability_pct"], by_channel["api"], by_channel["smtp"], data["target_pct"]]
        + [data["budget_left_seconds"]]
    )
    writer.writerow([])
    writer.writerow(["incident_start_utc", "incident_end_utc", "seconds", "unavailable_seconds", "channels"])
    for i in data["incidents"]:
        writer.writerow([i["start"], i["end"], i["seconds"], i["unavailable_seconds"], " ".join(i["channels"])])
    return response
