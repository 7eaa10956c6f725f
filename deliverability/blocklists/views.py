"""The account's deliverability page (blocklists) and its actions. MISSION: DLV-2.

Every object is fetched through ``visible_to``: another account's is a 404, like a missing one.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from accounts.access import require
from accounts.shortcuts import visible_account as _account
from deliverability import services
from deliverability.blocklists.filters import TargetFilter
from deliverability.blocklists.forms import TargetMoveForm, TargetsForm
from deliverability.blocklists.history import HistoryFilter, with_durations
from deliverability.blocklists.history import csv_response as history_csv
from deliverability.blocklists.parts import PAGE, Reads, monitored_html, page_parts
from deliverability.models import ListingEvent, MessageStream, MonitoredTarget, Sweep


def _page_context(request, account, *, whole: bool = True, form=None) -> dict:
    """The page's context: the latest sweep (its progress is polled: always read live) and the parts kept in the
    panel cache (``parts``); ``whole=False``: ``#blocklist-grids`` alone; ``form``: the targets form sent back
    with its errors, drawn afresh."""
    targets = TargetFilter(request.GET, queryset=MonitoredTarget.objects.filter(account=account))
    sweep = Sweep.objects.latest_for(account) if whole else None  # the grids alone: the progress is not drawn
    reads = Reads(request, account, sweep, targets.qs, targets.values["show"])
    drawn = page_parts(request, account, reads, monitored=whole and form is None)
    if whole and form is not None:
        drawn["monitored"] = monitored_html(reads, form)
    return {"account": account, "show": reads.show, "sweep": sweep, "parts": drawn}


@require_GET
def overview(request, slug):
    """MISSION: DLV-2, DLV-4 — the account's targets on the key blocklists, with history and "check now"."""
    account = _account(request, slug)
    if request.htmx and request.htmx.target == "blocklist-grids":
        return render(request, f"{PAGE}#blocklist-grids", _page_context(request, account, whole=False))
    return render(request, PAGE, _page_context(request, account))


@require_POST
def check_now(request, slug):
    """MISSION: DLV-2 — never claims a check it did not start: it says when one was already under way, or
    when the last one is recent enough (the cooldown)."""
    account = _account(request, slug)
    asked = services.sweep_start(account=account, actor=request.user, trigger=Sweep.Trigger.MANUAL)
    sweep, cooldown = asked.sweep, asked.outcome == "recent"
    if request.htmx:
        context = {
            "account": account,
            "sweep": sweep,
            "polling": True,
            "cooldown": cooldown,
            "joined": not asked.started,
        }
        if cooldown:
            context["again_at"] = sweep.finished_at + services.MANUAL_COOLDOWN
        return _sweep_progress(request, context)
    if cooldown:
        messages.info(
            request,
            _("Checked less than %(minutes)s minutes ago; the results below are current.")
            % {"minutes": int(services.MANUAL_COOLDOWN.total_seconds() // 60)},
        )
    elif asked.started:
        messages.info(request, _("The check has started; this page shows its progress."))
    else:
        messages.info(request, _("A check was already under way; this page shows its progress."))
    return redirect("deliverability", slug=account.slug)


@require_GET
def sweep_progress(request, slug, pk):
    """The progress bar of a running sweep; htmx polls it every second until the sweep is done."""
    account = _account(request, slug)
    sweep = get_object_or_404(Sweep.objects.filter(account=account), pk=pk)
    return _sweep_progress(request, {"account": account, "sweep": sweep, "polling": True})


def _sweep_progress(request, context):
    """The progress fragment; once the sweep is done ``#blocklist-grids`` (which listens for
    "blocklistsChecked") reloads."""
    response = render(request, f"{PAGE}#sweep-progress", context)
    if context["sweep"].is_finished and request.htmx:
        trigger_client_event(response, "blocklistsChecked")
    return response


@require_POST
def targets_add(request, slug):
    account = _account(request, slug)
    require(request.user, "monitoring.manage", account)
    form = TargetsForm(request.POST)
    if form.is_valid():
        outcome = services.targets_add(
            account=account,
            actor=request.user,
            text=form.cleaned_data["targets"],
            stream_name=form.cleaned_data["stream"],
            role=form.cleaned_data["role"],
        )
        if outcome.added:
            messages.success(
                request,
                ngettext(
                    "%(count)s address or domain added.", "%(count)s addresses or domains added.", len(outcome.added)
                )
                % {"count": len(outcome.added)},
            )
        if outcome.already:
            messages.info(request, _("Already monitored: %(list)s") % {"list": ", ".join(outcome.already[:20])})
        if not outcome.rejected:
            return redirect("deliverability", slug=account.slug)
        form = TargetsForm(
            initial={**form.cleaned_data, "targets": outcome.rejected_text},
            rejected=outcome.rejected,
        )
    response = render(request, PAGE, _page_context(request, account, form=form))
    response.status_code = 400 if form.errors or form.rejected else 200
    return response


@require_POST
def target_remove(request, slug, pk):
    account = _account(request, slug)
    target = get_object_or_404(MonitoredTarget.objects.filter(account=account), pk=pk)
    require(request.user, "monitoring.manage", account)
    services.target_remove(target=target, actor=request.user)
    messages.success(request, _("%(target)s is no longer monitored.") % {"target": target.value})
    return redirect("deliverability", slug=account.slug)


@require_POST
def target_move(request, slug, pk):
    """A sending IP moves to another message stream of the account (MISSION: DLV-2)."""
    account = _account(request, slug)
    target = get_object_or_404(MonitoredTarget.objects.filter(account=account), pk=pk)
    require(request.user, "monitoring.manage", account)
    form = TargetMoveForm(request.POST, account=account)
    if form.is_valid():
        stream = form.cleaned_data["stream"]
        services.target_move(target=target, actor=request.user, stream=stream)
        messages.success(
            request,
            _("%(target)s is now in the stream %(stream)s.") % {"target": target.value, "stream": stream.name}
            if stream
            else _("%(target)s is now in no stream.") % {"target": target.value},
        )
    else:
        messages.error(request, _("Choose one of this account's streams."))
    return redirect("deliverability", slug=account.slug)


@require_POST
def stream_remove(request, slug, pk):
    account = _account(request, slug)
    stream = get_object_or_404(MessageStream.objects.filter(account=account), pk=pk)
    require(request.user, "monitoring.manage", account)
    services.stream_remove(stream=stream, actor=request.user)
    messages.success(request, _("The stream %(name)s and its IPs are no longer monitored.") % {"name": stream.name})
    return redirect("deliverability", slug=account.slug)


@require_GET
def history(request, slug):
    """Every listing and delisting, filtered, with how long each listing lasted; ``?format=csv`` exports it."""
    account = _account(request, slug)
    events = ListingEvent.objects.filter(account=account).select_related("target__stream", "blocklist")
    filters = HistoryFilter(request.GET, queryset=events)
    if request.GET.get("format") == "csv":
        return history_csv(account, filters.qs)
    page = Paginator(filters.qs, 50).get_page(request.GET.get("page"))
    context = {"account": account, "page": page, "rows": with_durations(page.object_list), "filters": filters}
    return render(request, "deliverability/history.html", context)
