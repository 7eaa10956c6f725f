"""DMARC report pages (issue 19): the account's report address and reports, and each From domain's
figures over 30 or 90 days. Staff reach the same pages for the accounts they work on. MISSION: DLV-1."""

from datetime import UTC

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import can, require
from accounts.shortcuts import visible_account as _account
from deliverability.models import DmarcReport, DmarcRollup, MonitoredTarget

from . import address, chart, rollups, services

WINDOWS = (30, 90)
MAX_UPLOAD = 25 * 1024 * 1024


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
        "reports": DmarcReport.objects.filter(account=account).defer("raw")[:20],
        "can_upload": can(request.user, "dmarc.upload", account),
        "can_manage": can(request.user, "dmarc.manage", account),
    }
    return render(request, "deliverability/dmarc/reports.html", context)


@require_POST
def upload(request, slug):
    account = _account(request, slug)
    require(request.user, "dmarc.upload", account)
    file = request.FILES.get("report")
    if file is None or not file.size:
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
    if not DmarcRollup.objects.filter(account=account, domain=domain).exists():
        raise Http404
    totals = rollups.totals(account, domain, first)
    daily = rollups.daily(account, domain, first)
    context = {
        "account": account,
        "domain": domain,
        "days": days,
        "windows": WINDOWS,
        "totals": totals,
        "percent": rollups.percent(totals["aligned"], totals["total"]),
        "sources": rollups.sources(account, domain, first),
        "bars": chart.bars(daily, first, days),
        "axis": chart.axis(first, days),
    }
    return render(request, "deliverability/dmarc/domain.html", context)
