"""DMARC report pages (issue 19): the account's report address and reports, and each From domain's
figures over 30 or 90 days. Staff reach the same pages for the accounts they work on. MISSION: DLV-1."""

import math
from datetime import UTC

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import can, require
from accounts.shortcuts import visible_account as _account
from core import ratelimit
from core.idempotency import once
from deliverability.models import DmarcReport, MonitoredTarget

from . import address, chart, rollups, services

WINDOWS = (30, 90)
MAX_UPLOAD = 25 * 1024 * 1024
SOURCES_SHOWN = 50  # failing first: the rest are a link away ("?sources=all"), not hundreds of rows to draw


def _today():
    return timezone.now().astimezone(UTC).date()  # report days are UTC days


@require_GET
def reports(request, slug):
    account = _account(request, slug)
    mailbox = services.address_for(account)
    first = rollups.since(30, _today())
    from_domains = MonitoredTarget.objects.filter(account=account).from_domains().values_list("value", flat=True)
    context = {
        "account": account,
        "mailbox": address.mailbox(mailbox.token),
        "rua": address.rua(mailbox.token),
        "authorisations": [(d, address.authorisation_name(d)) for d in from_domains],
        "domains": rollups.domains(account, first),
        "reports": DmarcReport.objects.filter(account=account).listed()[:20],
        "refused": DmarcReport.objects.filter(account=account).refused().count(),
        "can_upload": can(request.user, "dmarc.upload", account),
        "can_manage": can(request.user, "dmarc.manage", account),
    }
    return render(request, "deliverability/dmarc/reports.html", context)


@require_POST
def upload(request, slug):
    account = _account(request, slug)
    require(request.user, "dmarc.upload", account)
    file = request.FILES.get("report")
    limit = settings.DMARC_UPLOADS_PER_HOUR
    wait = ratelimit.wait(f"dmarc-upload:{account.pk}", limit=limit, seconds=3600)
    if wait:
        minutes = math.ceil(wait / 60)
        message = ngettext(
            "Too many uploads: at most %(limit)s report files an hour for this account. "
            "This file was not kept; send it again in %(minutes)s minute.",
            "Too many uploads: at most %(limit)s report files an hour for this account. "
            "This file was not kept; send it again in %(minutes)s minutes.",
            minutes,
        )
        messages.error(request, message % {"limit": limit, "minutes": minutes})
    elif file is None or not file.size:
        messages.error(request, _("Choose a report file (zip, gzip or XML)."))
    elif file.size > MAX_UPLOAD:
        messages.error(request, _("The file is larger than 25 MB."))
    else:
        source = DmarcReport.Source.UPLOAD
        report, new = services.report_receive(
            account=account, data=file.read(), filename=file.name, source=source, actor=request.user
        )
        if new:
            messages.success(request, _("The report is kept; it is counted in a moment."))
        else:
            messages.info(request, _("This file was received before; it is counted once."))
    return redirect("dmarc-reports", slug=account.slug)


@require_POST
def rotate(request, slug):
    account = _account(request, slug)
    require(request.user, "dmarc.manage", account)
    services.address_rotate(account=account, actor=request.user)
    messages.success(request, _("New report address: update the rua= of your DMARC records."))
    return redirect("dmarc-reports", slug=account.slug)


@require_GET
def domain(request, slug, domain):
    account = _account(request, slug)
    days = int(request.GET["days"]) if request.GET.get("days") in {"30", "90"} else 30
    today = _today()
    first = rollups.since(days, today)
    if not rollups.reported(account, domain):
        raise Http404
    daily = rollups.daily(account, domain, first)
    totals = rollups.totals(daily)
    sources = rollups.sources(account, domain, first)
    shown = sources if request.GET.get("sources") == "all" else sources[:SOURCES_SHOWN]
    context = {
        "account": account,
        "domain": domain,
        "days": days,
        "windows": WINDOWS,
        "totals": totals,
        "percent": rollups.percent(totals["aligned"], totals["total"]),
        "sources": shown,
        "hidden": len(sources) - len(shown),
        "chart": chart.chart(daily, first, days),
    }
    return render(request, "deliverability/dmarc/domain.html", context)


@require_GET
def refused(request, slug):
    """The account's refused report files with the reason; staff count one again, or all of them."""
    account = _account(request, slug)
    files = DmarcReport.objects.filter(account=account).refused().listed()
    page = Paginator(files, 50).get_page(request.GET.get("page"))
    context = {"account": account, "page": page, "can_replay": can(request.user, "dmarc.replay", account)}
    return render(request, "deliverability/dmarc/refused.html", context)


@require_POST
def replay(request, slug, pk):
    """Staff: count one refused report again (the same task as a new one). A second click does nothing."""
    account = _account(request, slug)
    require(request.user, "dmarc.replay", account)
    report = get_object_or_404(DmarcReport.objects.filter(account=account).defer("raw"), pk=pk)
    outcome = once(
        request,
        lambda: services.report_replay(report=report, actor=request.user),
        result=lambda _queued: reverse("dmarc-refused", args=[account.slug]),
    )
    if not outcome.repeat:
        if outcome.created:
            messages.success(request, _("The report is counted again in a moment."))
        else:
            messages.info(request, _("This report is not refused (any more): nothing to count again."))
    return redirect(outcome.url)


@require_POST
def replay_all(request, slug):
    """Staff: count every refused report of the account again."""
    account = _account(request, slug)
    require(request.user, "dmarc.replay", account)
    outcome = once(
        request,
        lambda: services.reports_replay_refused(account=account, actor=request.user),
        result=lambda _count: reverse("dmarc-refused", args=[account.slug]),
    )
    if not outcome.repeat:
        count = outcome.created
        message = ngettext(
            "%(count)s refused report is counted again in a moment.",
            "%(count)s refused reports are counted again in a moment.",
            count,
        )
        messages.success(request, message % {"count": count})
    return redirect(outcome.url)
