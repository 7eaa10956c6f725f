"""The SLA report pages (issue 15): the customer's for their account, the staff console's for every account
the person works on (a TAM: their accounts; an agent: as ``accounts.access`` reaches). Month in the viewer's
time zone, the zone named; CSV with ``?format=csv``."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Account
from accounts.shortcuts import visible_account
from core.decorators import staff_required

from . import reports


def _month_context(request):
    tz, now = timezone.get_current_timezone(), timezone.now()
    year, month = reports.parse_month(request.GET.get("month"), now, tz)
    start, _end = reports.month_bounds(year, month, tz)
    prev_start = reports.month_bounds(year - (month == 1), (month - 2) % 12 + 1, tz)[0]
    return (
        tz,
        now,
        year,
        month,
        {
            "month_start": start,
            "month_value": f"{year:04d}-{month:02d}",
            "prev_month": f"{prev_start:%Y-%m}",
            "next_month": f"{year + month // 12:04d}-{month % 12 + 1:02d}",
            "zone": str(tz),
        },
    )


def _answer(request, summaries, context, *, tz, name: str, template: str):
    if request.GET.get("format") == "csv":
        response = HttpResponse(reports.as_csv(summaries, tz=tz), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="sla-{name}-{context["month_value"]}.csv"'
        return response
    return render(request, template, {**context, "summaries": summaries})


@require_GET
def account_report(request, slug):
    """MISSION: TAM-4, NC-2, CR-2, CR-4 — the customer's own account, month by month."""
    account = visible_account(request, slug)
    tz, now, year, month, context = _month_context(request)
    summaries = reports.report([account], year, month, tz=tz, now=now)
    context["account"] = account
    return _answer(request, summaries, context, tz=tz, name=account.slug, template="cases/report.html")


@staff_required
@require_GET
def staff_report(request):
    """Every account the member of staff works on (a TAM: all their accounts), one section each."""
    tz, now, year, month, context = _month_context(request)
    accounts = Account.objects.visible_to(request.user).order_by("name")
    summaries = reports.report(list(accounts), year, month, tz=tz, now=now)
    return _answer(request, summaries, context, tz=tz, name="all", template="cases/staff/report.html")
