"""The account's sender-authentication page: findings with their fixes, the mailbox-provider checklist,
history and its past checks, "Check now" (with a cooldown). MISSION: DLV-1, DLV-4. Another account's run
is a 404 like a missing one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from accounts.access import can, require
from accounts.shortcuts import visible_account as _account
from deliverability.authentication import runs
from deliverability.authentication.requirements import checklist
from deliverability.authentication.status import worst_first
from deliverability.dmarc_reports import measure as dmarc_measure
from deliverability.library.content import recommended
from deliverability.models import AuthFinding, AuthRun, MonitoredTarget
from deliverability.reputation import postmaster_signals
from deliverability.services import target_set_dkim_selectors


@require_GET
def authentication(request, slug):
    account = _account(request, slug)
    run, groups = runs.current(account)
    findings = [f for items in groups.values() for f in items]
    ips = sorted((f for f in findings if f.kind == "fcrdns"), key=lambda f: (worst_first(f.status), f.subject))
    latest = AuthRun.objects.latest_for(account)
    measured = dmarc_measure.measured(account)
    spam = postmaster_signals.spam_measures(account, timezone.now().date())
    if not spam and not postmaster_signals.connected(account):
        spam = None  # "unknown" until Postmaster Tools is connected
    checklist_domains, checklist_rows = checklist(findings, measured, spam)
    context = {
        "account": account,
        "run": run,
        "latest": latest,
        "cooldown": runs.cooldown_left(latest),
        "attention": sorted(
            (f for f in findings if f.status != AuthFinding.Status.PASS),
            key=lambda f: (worst_first(f.status), f.kind == "fcrdns", f.subject),
        ),
        "domain_groups": {subject: items for subject, items in groups.items() if items[0].kind != "fcrdns"},
        "ips": ips,
        "ips_passing": sum(1 for f in ips if f.status == AuthFinding.Status.PASS),
        "checklist": checklist_rows,
        "checklist_domains": checklist_domains,
        "history": AuthRun.objects.history(account)[:10],
        "domains": MonitoredTarget.objects.filter(account=account).from_domains(),
        "can_manage": can(request.user, "monitoring.manage", account),
        "recommended": recommended(account),
        "dmarc_measured": measured.values(),
        "dmarc_advice": _dmarc_advice(findings, measured),
        "counts": {s: sum(1 for f in findings if f.status == s) for s in AuthFinding.Status.values},
    }
    template = "deliverability/authentication.html"
    if request.htmx and request.htmx.target == "auth-results":
        template += "#auth-results"
    return render(request, template, context)


def _dmarc_advice(findings, measured) -> list:
    """Per From domain with reports, the next policy step from the figures (issue 19)."""
    policies = {f.subject: (f.data or {}).get("policy") for f in findings if f.kind == "dmarc"}
    advice = [dmarc_measure.policy_advice(m, policies[d]) for d, m in measured.items() if d in policies]
    return [a for a in advice if a]


@require_POST
def authentication_check(request, slug):
    """ "Check now": one run per ``AUTH_CHECK_COOLDOWN`` seconds per account, said with the time left."""
    account = _account(request, slug)
    try:
        run = runs.auth_request(account=account, actor=request.user, trigger="manual")
    except runs.CheckCooldown as cooldown:
        if request.htmx:
            return _progress(request, account, AuthRun.objects.latest_for(account), changed=False)
        text = ngettext(
            "The DNS was checked moments ago: you can check again in %(n)s second.",
            "The DNS was checked moments ago: you can check again in %(n)s seconds.",
            cooldown.seconds,
        )
        messages.info(request, text % {"n": cooldown.seconds})
        return redirect("authentication", slug=account.slug)
    run.refresh_from_db()  # it may have finished already (an idle worker, or eager tasks)
    if request.htmx:
        return _progress(request, account, run)
    messages.info(request, _("The check has started."))
    return redirect("authentication", slug=account.slug)


@require_GET
def authentication_run(request, slug, pk):
    account = _account(request, slug)
    return _progress(request, account, get_object_or_404(AuthRun.objects.filter(account=account), pk=pk))


def _progress(request, account, run, *, changed=True):
    """The check's status line; while it runs htmx polls it, when it ends ``#auth-results`` (which listens
    for "authChecked") reloads. During the cooldown it says how long, and asks again when it is over."""
    context = {"account": account, "latest": run, "cooldown": runs.cooldown_left(run)}
    response = render(request, "deliverability/authentication.html#auth-progress", context)
    if run.is_finished and request.htmx and changed and not request.headers.get("X-Portal-Cooldown"):
        trigger_client_event(response, "authChecked")
    return response


@require_GET
def authentication_history(request, slug):
    """The account's past checks, the newest first, each one's time in the reader's zone (named)."""
    account = _account(request, slug)
    page = Paginator(AuthRun.objects.history(account), 25).get_page(request.GET.get("page"))
    return render(request, "deliverability/auth_history.html", {"account": account, "page": page})


@require_GET
def authentication_past_run(request, slug, pk):
    """One past check and its findings, as they were. Another account's check is a 404 like a missing one."""
    account = _account(request, slug)
    run = get_object_or_404(AuthRun.objects.filter(account=account).done().select_related("requested_by"), pk=pk)
    groups = runs.grouped(run)
    findings = [f for items in groups.values() for f in items]
    context = {
        "account": account,
        "run": run,
        "domain_groups": groups,
        "counts": {s: sum(1 for f in findings if f.status == s) for s in AuthFinding.Status.values},
        "latest_finished": AuthRun.objects.last_finished(account),
    }
    return render(request, "deliverability/auth_run.html", context)


@require_POST
def authentication_selectors(request, slug, pk):
    """The DKIM selectors of a From domain (letters, digits, hyphens, dots, underscores)."""
    account = _account(request, slug)
    target = get_object_or_404(MonitoredTarget.objects.filter(account=account).from_domains(), pk=pk)
    require(request.user, "monitoring.manage", account)
    selectors = request.POST.get("selectors", "").replace(",", " ").split()
    try:
        target_set_dkim_selectors(target=target, actor=request.user, selectors=selectors)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("DKIM selectors saved for %(domain)s.") % {"domain": target.value})
    return redirect("authentication", slug=account.slug)
