"""Customer screens for cases. Every case is fetched through ``visible_to``: another account's is a 404."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.shortcuts import visible_account as _account
from core.idempotency import once

from . import search, services
from .badges import badge
from .filters import CaseFilter
from .forms import CaseForm, ClassificationForm, ReplyForm
from .fragments import Forms, case_parts, case_table
from .models import Case, CaseAttachment
from .services import satisfaction
from .services.classification import pending_request
from .services.clocks import shown_deadlines


@require_GET
def case_list(request, slug):
    account = _account(request, slug)
    filters = CaseFilter(request.GET, queryset=Case.objects.filter(account=account).for_list())
    if filters.searching and not request.htmx:  # a case number typed and sent: that case (issue 15)
        named = search.jump(Case.objects.filter(account=account), filters.values["q"])
        if named is not None:
            return redirect(named)
    table = case_table(request, account, filters)  # kept in the panel cache (cases/fragments.py)
    if request.htmx:
        return HttpResponse(table)
    return render(
        request,
        "cases/list.html",
        {
            "account": account,
            "case_table": table,
            "filters": filters.values,
            "status_choices": Case.Status.choices,
            "severity_choices": Case.Severity.choices,
        },
    )


@require_http_methods(["GET", "POST"])
def case_new(request, slug):
    """MISSION: NC-1, CR-1 — file a case; a critical one shows the Severity 1 number and can ask for a call."""
    account = _account(request, slug)
    form = CaseForm(
        request.POST or None,
        request.FILES or None,
        account=account,
        user=request.user,
        initial={
            "contact_phone": request.user.phone,
            "severity": request.GET.get("severity", ""),
            # a link may pre-fill the case (an availability incident offers a critical case, MISSION CR-0)
            "subject": request.GET.get("subject", "")[:200],
            "description": request.GET.get("description", "")[:4000],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def open_case():
            with transaction.atomic():  # a case with refused files is not left half-opened
                return services.case_open(
                    account=account,
                    actor=request.user,
                    subject=data["subject"],
                    description=data["description"],
                    severity=data["severity"],
                    category=data["category"],
                    callback_requested=data["callback_requested"],
                    contact_phone=data["contact_phone"],
                    followers=data.get("followers") or (),
                    files=data["files"],
                )

        try:
            outcome = once(request, open_case)  # a double submit opens one case, pages the on-call once
        except services.CaseStateError as exc:
            form.add_error(None, str(exc))
        else:
            if not outcome.repeat:
                messages.success(request, _("Case %(number)s is open.") % {"number": outcome.created.number})
            return redirect(outcome.url)
    return render(request, "cases/new.html", {"account": account, "form": form})


def _timeline(case):
    """The customer's timeline: public events only, whoever looks (staff get everything on the console)."""
    return case.events.filter(public=True).select_related("actor").prefetch_related("attachments")


@require_GET
def case_detail(request, slug, number):
    case = get_object_or_404(Case.objects.visible_to(request.user).for_kept_page(), account__slug=slug, number=number)
    template = "cases/detail.html#case-panel" if request.htmx else "cases/detail.html"
    return render(request, template, _detail_context(request, case))


def _detail_context(request, case, *, fresh=False, reply_form=None, classification_form=None, reason=""):
    """The page's context. ``fresh``: a form sent back with what was typed and why it failed (status 400): the
    forms are drawn for this answer alone, not kept."""
    clock, deadlines = badge(case, timezone.now()), shown_deadlines(case)

    def followers():  # the staff who follow are not the team's business
        return case.followers.filter(is_staff=False)

    def summary() -> dict:  # built only when the summary is drawn, not when the cache has it (issue 18)
        return {
            "case": case,
            "account": case.account,
            "clock": clock,
            "deadlines": deadlines,
            "followers": followers(),
            # Issue 15: where a merged case went, what was merged here, related cases (all of this account).
            "related": case.related_cases.order_by("number"),
            "merged_cases": case.merged_cases.order_by("number"),
        }

    def drawn_forms() -> dict:
        return {
            "case": case,
            "account": case.account,
            "followers": followers(),
            "reply_form": reply_form or ReplyForm(),
            "classification_form": classification_form
            or ClassificationForm(initial={"severity": case.severity, "category": case.category}),
            "pending_request": pending_request(case),
            "reason": reason,
            **satisfaction.page_context(case),
        }

    # Kept in the panel cache (cases/fragments.py). An htmx request redraws the polled region only; a form sent
    # back with its errors is drawn for this answer alone.
    forms = Forms(drawn_forms, ("cases/detail.html#case-actions",))
    kept = None if fresh or request.htmx else forms
    timeline, summary_html, *actions = case_parts(
        request, case, partial(_timeline, case), internal=False, summary=summary, forms=kept
    )
    return {
        "case": case,
        "account": case.account,
        "timeline": timeline,
        "summary": summary_html,
        "clock": clock,
        "deadlines": deadlines,
        "actions": (forms.fresh(request) if fresh else actions or [""])[0],
        "case_poll_seconds": settings.CASE_POLL_SECONDS,
    }


CUSTOMER_ACTIONS = {"reply", "accept", "reject", "reopen", "follow", "unfollow", "classify", "escalate"}


@require_POST
def case_action(request, slug, number, action):
    """The customer's actions on a case: reply, accept or reject a proposed resolution, reopen."""
    if action not in CUSTOMER_ACTIONS:
        raise Http404
    case = get_object_or_404(Case.objects.visible_to(request.user).for_page(), account__slug=slug, number=number)
    try:
        if action == "reply":
            _reply(request, case)
        elif action == "classify":
            _request_classification(request, case)
        elif action == "escalate":
            services.case_escalate(case=case, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Your TAM is told and will take it up."))
        elif action in {"follow", "unfollow"}:
            services.case_follow(case=case, user=request.user, follow=action == "follow")
            messages.success(
                request,
                _("You will get emails about this case.")
                if action == "follow"
                else _("You will no longer get emails about this case."),
            )
        elif action == "accept":
            services.case_accept_resolution(case=case, actor=request.user)
            messages.success(request, _("Thank you. The case is resolved."))
        else:
            reason = request.POST.get("reason", "")
            if action == "reject":
                services.case_reject_resolution(case=case, actor=request.user, reason=reason)
                messages.success(request, _("The case is back in progress."))
            else:
                services.case_reopen(case=case, actor=request.user, reason=reason)
                messages.success(request, _("The case is reopened."))
    except services.CaseStateError as exc:
        # Bad input loses nothing: the page comes back with what the customer typed and the reason.
        messages.error(request, str(exc))
        bound = ReplyForm(initial={"body": request.POST.get("body", "")}) if action == "reply" else None
        classification = ClassificationForm(request.POST) if action == "classify" else None
        context = _detail_context(
            request,
            case,
            fresh=True,
            reply_form=bound,
            classification_form=classification,
            reason=request.POST.get("reason", ""),
        )
        return render(request, "cases/detail.html", context, status=400)
    return redirect(case)  # a plain form (STYLE: htmx): post, redirect, the page again


def _reply(request, case) -> None:
    """MISSION: NC-3 — the customer's message on the case (a double click writes it once)."""
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        raise services.CaseStateError(" ".join(e for errs in form.errors.values() for e in errs))
    outcome = once(
        request,
        lambda: services.case_reply(
            case=case, actor=request.user, body=form.cleaned_data["body"], files=form.cleaned_data["files"]
        ),
        result=lambda event: case,
    )
    if outcome.repeat:
        return
    if outcome.created.kind == outcome.created.Kind.RESOLUTION_REJECTED:
        messages.success(request, _("Your message is on the case, which is back in progress."))
    else:
        messages.success(request, _("Your message is on the case."))


def _request_classification(request, case) -> None:
    """MISSION: CR-0, NC-0 — the customer asks for another severity or category; staff accept or decline."""
    form = ClassificationForm(request.POST)
    if not form.is_valid():
        raise services.CaseStateError(" ".join(e for errs in form.errors.values() for e in errs))
    services.case_request_classification(case=case, actor=request.user, **form.cleaned_data)
    messages.success(request, _("Your request is on the case; we will answer it here."))


@require_GET
def case_attachment(request, slug, number, pk):
    """Downloads only, only through this check; files on internal notes never reach customers."""
    case = get_object_or_404(Case.objects.visible_to(request.user).for_page(), account__slug=slug, number=number)
    attachments = CaseAttachment.objects.filter(case=case)
    if not request.user.is_staff:
        attachments = attachments.exclude(event__public=False)
    attachment = get_object_or_404(attachments, pk=pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
