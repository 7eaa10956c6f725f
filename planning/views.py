"""Warm-up plans: the customer and staff pages, CSV upload, API tokens, and the JSON endpoint for the
customer's pipeline. MISSION: DLV-1, TAM-5. Every plan is fetched through its account: another
account's is a 404 like a missing one; the endpoint's token decides the account."""

import json
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import can, require
from accounts.models.tokens import INGEST_SCOPES, SCOPES
from accounts.services import api_token_issue, api_token_revoke
from accounts.shortcuts import visible_account as _account
from core.idempotency import once

from . import services
from .chart import provider_chart
from .forms import ActualsUploadForm, WarmupPlanForm
from .models import IngestToken, WarmupPlan
from .status import DECISIONS, plan_status, plan_statuses

MAX_UPLOAD = 5 * 1024 * 1024


@require_GET
def plan_list(request, slug):
    account = _account(request, slug)
    plans = WarmupPlan.objects.filter(account=account).select_related("account").prefetch_related("actuals").with_ips()
    rows = [(status.plan, status) for status in plan_statuses(plans[:20])]
    return render(
        request,
        "planning/list.html",
        {"account": account, "rows": rows, "can_plan": can(request.user, "warmup.plan", account)},
    )


@require_http_methods(["GET", "POST"])
def plan_new(request, slug):
    account = _account(request, slug)
    require(request.user, "warmup.plan", account)
    form = WarmupPlanForm(
        request.POST or None,
        instance=WarmupPlan(account=account),  # the account's calendar day checks the start
        initial={"start_date": account.today(), "template": "sendgrid"},
    )
    if request.method == "POST" and form.is_valid():
        plan = form.save(commit=False)
        streams = form.cleaned_data["sending_streams"]
        made = once(
            request,
            lambda: services.warmup_plan_create(account=account, actor=request.user, plan=plan, streams=streams),
        )
        if not made.repeat:
            days = len(made.created.daily_plan())
            messages.success(request, _("The plan is made: %(days)s days to the target.") % {"days": days})
        return redirect(made.url)
    return render(request, "planning/form.html", {"account": account, "form": form})


@require_GET
def plan_detail(request, slug, pk):
    account = _account(request, slug)
    plan = get_object_or_404(WarmupPlan.objects.filter(account=account).with_ips(), pk=pk)
    status = plan_status(plan)
    charts = []
    if not status.problems:
        end = max(status.forecast.forecast_end, status.forecast.planned_end)
        charts = [(row, provider_chart(row, plan.start_date, end, status.today)) for row in status.rows]
    recent = plan.actuals.order_by("-day", "provider")[:35]  # the last week, five providers a day
    return render(
        request,
        "planning/detail.html",
        {
            "account": account,
            "plan": plan,
            "status": status,
            "charts": charts,
            "recent": recent,
            "decisions": DECISIONS,
            "upload": ActualsUploadForm(),
            "can_send": can(request.user, "warmup.send_actuals", account),
            "can_plan": can(request.user, "warmup.plan", account),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_edit(request, slug, pk):
    """A TAM changes a plan's settings and the streams it warms (MISSION: DLV-1); customers get a 404."""
    account = _account(request, slug)
    plan = get_object_or_404(WarmupPlan.objects.filter(account=account).with_ips(), pk=pk)
    require(request.user, "warmup.plan", account)
    form = WarmupPlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        services.warmup_plan_update(
            plan=form.save(commit=False),
            actor=request.user,
            changed=form.changed_data,
            streams=form.cleaned_data["sending_streams"],
        )
        messages.success(request, _("The plan is saved."))
        return redirect(plan)
    return render(request, "planning/form.html", {"account": account, "form": form, "plan": plan})


@require_POST
def plan_set_status(request, slug, pk):
    """A TAM pauses, resumes or completes a plan (audited); customers get a 404."""
    account = _account(request, slug)
    plan = get_object_or_404(WarmupPlan.objects.filter(account=account), pk=pk)
    require(request.user, "warmup.plan", account)
    status = request.POST.get("status")
    if status not in WarmupPlan.Status.values:
        raise Http404
    try:
        plan = services.warmup_plan_set_status(plan=plan, actor=request.user, status=status)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The plan is now: %(status)s.") % {"status": plan.get_status_display()})
    return redirect(plan)


@require_POST
def actuals_upload(request, slug, pk):
    account = _account(request, slug)
    plan = get_object_or_404(WarmupPlan.objects.filter(account=account), pk=pk)
    require(request.user, "warmup.send_actuals", account)
    form = ActualsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", [_("Choose a CSV file.")]):
            messages.error(request, error)
        return redirect(plan)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD:
        messages.error(request, _("The file is larger than 5 MB; split it."))
        return redirect(plan)
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        messages.error(request, _("The file is not UTF-8 text; save it as CSV UTF-8."))
        return redirect(plan)
    outcome = services.actuals_import_csv(plan=plan, actor=request.user, text=text)
    if outcome.saved:
        messages.success(request, _("%(n)s rows saved.") % {"n": outcome.saved})
    if outcome.replaced:
        shown = ", ".join(outcome.replaced[:10]) + (" …" if len(outcome.replaced) > 10 else "")
        messages.warning(
            request,
            ngettext(
                "%(n)s day was sent before and is replaced by this file: %(days)s.",
                "%(n)s days were sent before and are replaced by this file: %(days)s.",
                len(outcome.replaced),
            )
            % {"n": len(outcome.replaced), "days": shown},
        )
    for line, error in outcome.errors[:50]:
        messages.error(request, _("Line %(line)s: %(error)s") % {"line": line, "error": error})
    if len(outcome.errors) > 50:
        messages.error(request, _("… and %(n)s more lines with errors.") % {"n": len(outcome.errors) - 50})
    return redirect(plan)


EXPIRY_DAYS = (30, 90, 365, 0)  # 0: never


def expiry_choices() -> list[tuple[int, str]]:
    return [(d, ngettext("in %(n)s day", "in %(n)s days", d) % {"n": d} if d else _("never")) for d in EXPIRY_DAYS]


def token_expiry(value: str):
    """The expiry the form chose: days from now (0: never; anything else unknown: a year, the default shown)."""
    days = int(value) if value.isdigit() and int(value) in EXPIRY_DAYS else 365
    return timezone.now() + timedelta(days=days) if days else None


@require_http_methods(["GET", "POST"])
def tokens(request, slug):
    """API tokens for the customer's pipeline: account admins (and the account's staff) make and revoke them."""
    account = _account(request, slug)
    require(request.user, "api_tokens.manage", account)
    new_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            token = get_object_or_404(IngestToken.objects.filter(account=account), pk=request.POST["revoke"])
            api_token_revoke(token=token, actor=request.user)
            messages.success(request, _("The token is revoked."))
            return redirect("planning-tokens", slug=account.slug)
        name = request.POST.get("name", "").strip()[:80] or _("Pipeline")
        # a post without the form's choices (a script of before) gets the ingestion scopes, never expiring
        chose = "scopes_shown" in request.POST
        scopes = request.POST.getlist("scopes") if chose else None
        expires_at = token_expiry(request.POST.get("expires", "0"))
        try:  # a double click issues one token
            issued = once(
                request,
                lambda: api_token_issue(
                    account=account, name=name, actor=request.user, scopes=scopes, expires_at=expires_at
                ),
                result=lambda _issued: reverse("planning-tokens", kwargs={"slug": account.slug}),
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            if issued.repeat:
                return redirect(issued.url)
            new_key = issued.created[1]
    return render(
        request,
        "planning/tokens.html",
        {"account": account, "tokens": IngestToken.objects.filter(account=account).with_usable(), "new_key": new_key,
         "plans": WarmupPlan.objects.filter(account=account), "scopes": list(SCOPES.items()),
         "default_scopes": INGEST_SCOPES.split(), "expiry_choices": expiry_choices(), "now": timezone.now()},
    )  # fmt: skip


@csrf_exempt
@login_not_required
@require_POST
def api_actuals(request, pk):
    """``POST /api/v1/warmup/<plan>/actuals`` with ``Authorization: Bearer <token>``: a JSON list of rows."""
    token = IngestToken.from_request(request, "warmup:write")
    if token is None:
        return JsonResponse({"error": "unauthorized"}, status=401)
    plan = WarmupPlan.objects.filter(account=token.account, pk=pk).first()
    if plan is None:
        return JsonResponse({"error": "not found"}, status=404)
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    outcome = services.actuals_import_json(plan=plan, token=token, payload=payload)
    body = {"saved": outcome.saved, "errors": [{"row": line, "error": error} for line, error in outcome.errors]}
    if outcome.replaced:  # days sent before with other figures, now replaced (audited)
        body["replaced"] = outcome.replaced
    return JsonResponse(body, status=200 if not outcome.errors else (207 if outcome.saved else 400))
