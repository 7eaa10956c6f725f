"""The Microsoft SNDS page (issue 19): the connection (key entered once, then its last four characters;
test, replace, remove) and, per IP, the filter result of each day over 30 or 90 days with complaint rate,
trap hits, blocks and the sample HELO / MAIL FROM Microsoft saw. MISSION: DLV-1, DLV-2."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import can, require
from accounts.shortcuts import visible_account as _account

from ..models import SndsConnection
from . import snds_chart, snds_client, snds_csv, snds_reads, snds_services
from .snds_forms import SndsKeyForm

WINDOWS = (30, 90)


def _context(request, account, *, form=None, shown_key=""):
    days = int(request.GET["days"]) if request.GET.get("days") in {"30", "90"} else 30
    first = snds_reads.utc_today() - timedelta(days=days - 1)
    blocks = snds_reads.blocks(account)
    rows = []
    for ip, by_day in sorted(snds_reads.window(account, first).items(), key=lambda item: item[0]):
        last = by_day[max(by_day)]
        rows.append(
            {
                "ip": ip,
                "last": last,
                "monitored": last.target_id is not None and last.target.archived_at is None,
                "blocked": next((b for b in blocks if _covers(b, ip)), None),
                "cells": snds_chart.strip(by_day, first, days),
            }
        )
    return {
        "account": account,
        "connection": SndsConnection.objects.filter(account=account).first(),
        "can_manage": can(request.user, "snds.manage", account),
        "form": form or SndsKeyForm(),
        "shown_key": shown_key,
        "rows": rows,
        "blocks": blocks,
        "days": days,
        "windows": WINDOWS,
        "width": snds_chart.width(days),
        "first": first,
    }


def _covers(block, ip: str) -> bool:
    return snds_csv.Block(block.first_ip, block.last_ip, "").covers(ip)


@require_GET
def snds(request, slug):
    account = _account(request, slug)
    return render(request, "deliverability/reputation/snds_page.html", _context(request, account))


@require_POST
def snds_connect(request, slug):
    account = _account(request, slug)
    require(request.user, "snds.manage", account)
    form = SndsKeyForm(request.POST)
    if not form.is_valid():
        context = _context(request, account, form=form)
        return render(request, "deliverability/reputation/snds_page.html", context, status=400)
    key = form.cleaned_data["key"]
    snds_services.snds_connect(account=account, actor=request.user, key=key)
    messages.success(request, _("The SNDS key is saved, encrypted. Test the connection to import today's data."))
    # the one time the key is shown whole: this answer only, never again (no redirect carrying it)
    return render(request, "deliverability/reputation/snds_page.html", _context(request, account, shown_key=key))


@require_POST
def snds_test(request, slug):
    account = _account(request, slug)
    require(request.user, "snds.manage", account)
    if not SndsConnection.objects.filter(account=account).exists():
        messages.error(request, _("Enter the SNDS key first."))
        return redirect("snds", slug=account.slug)
    try:
        snds_services.snds_import(account_id=account.pk)
    except snds_client.FetchError as exc:
        messages.error(request, _("The connection failed: %(error)s") % {"error": exc.message})
    else:
        messages.success(request, _("Connected: Microsoft SNDS answered and its data is imported."))
    return redirect("snds", slug=account.slug)


@require_POST
def snds_remove(request, slug):
    account = _account(request, slug)
    require(request.user, "snds.manage", account)
    if snds_services.snds_disconnect(account=account, actor=request.user):
        messages.success(request, _("The SNDS key is removed. The data already imported stays."))
    return redirect("snds", slug=account.slug)
