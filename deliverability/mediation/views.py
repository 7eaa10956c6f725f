"""Tier 1 mediation requests: the customer's form and list, the TAM's console. MISSION: DLV-3, DLV-4.
Every request is fetched through the account (customers) or ``for_staff`` (console): another account's
is a 404 like a missing one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import can, require
from accounts.shortcuts import visible_account as _account
from core.decorators import staff_required
from core.idempotency import once
from deliverability.mediation import services as mediation
from deliverability.mediation.filters import MediationFilter
from deliverability.mediation.forms import MediationForm
from deliverability.models import MediationRequest


@require_GET
def mediation_list(request, slug):
    account = _account(request, slug)
    items = MediationRequest.objects.filter(account=account).select_related("created_by")
    return render(
        request,
        "deliverability/mediation/list.html",
        {"account": account, "items": items, "can_work": can(request.user, "mediation.work", account)},
    )


@require_http_methods(["GET", "POST"])
def mediation_edit(request, slug, pk=None):
    account = _account(request, slug)
    require(request.user, "mediation.work", account)
    item = (
        get_object_or_404(MediationRequest.objects.filter(account=account), pk=pk)
        if pk
        else MediationRequest(account=account)
    )
    if item.status != MediationRequest.Status.DRAFT:
        return redirect(item)
    form = MediationForm(request.POST or None, instance=item, account=account)
    if request.method == "POST" and form.is_valid():
        draft = form.save(commit=False)
        if draft.pk is None:  # a double submit of the new request makes one draft
            saved = once(request, lambda: mediation.mediation_save(request=draft, actor=request.user))
            url, repeat = saved.url, saved.repeat
        else:
            url, repeat = mediation.mediation_save(request=draft, actor=request.user).get_absolute_url(), False
        if not repeat:
            messages.success(request, _("The draft is saved. Check the preconditions, then submit it."))
        return redirect(url)
    return render(request, "deliverability/mediation/form.html", {"account": account, "form": form, "item": item})


@require_GET
def mediation_detail(request, slug, pk):
    account = _account(request, slug)
    item = get_object_or_404(MediationRequest.objects.filter(account=account).select_related("created_by"), pk=pk)
    rows = item.preconditions.get("rows") if item.preconditions else mediation.preconditions(item)
    return render(
        request,
        "deliverability/mediation/detail.html",
        {
            "account": account,
            "item": item,
            "rows": rows,
            "open": mediation.open_recommendations(rows),
            "history": item.history(),
            "can_work": can(request.user, "mediation.work", account),
        },
    )


@require_POST
def mediation_submit(request, slug, pk):
    account = _account(request, slug)
    require(request.user, "mediation.work", account)
    item = get_object_or_404(MediationRequest.objects.filter(account=account), pk=pk)
    try:
        mediation.mediation_submit(
            request=item, actor=request.user, acknowledged=request.POST.get("acknowledge") == "on"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Submitted: your TAM takes it from here."))
    return redirect(item)


@require_GET
@staff_required
def staff_mediation_list(request):
    filters = MediationFilter(request.GET, queryset=MediationRequest.objects.for_staff(request.user))
    return render(
        request,
        "deliverability/mediation/staff_list.html",
        {
            "items": filters.qs.select_related("account")[:200],
            "status": filters.values["status"],
            "statuses": MediationRequest.Status.choices,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def staff_mediation(request, pk):
    item = get_object_or_404(MediationRequest.objects.for_staff(request.user).select_related("account"), pk=pk)
    works = can(request.user, "mediation.work", item.account)
    if request.method == "POST":
        require(request.user, "mediation.work", item.account)
        try:
            mediation.mediation_set_status(
                request=item,
                actor=request.user,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", "").strip(),
                response=request.POST.get("response", "").strip(),
            )
        except (ValidationError, ValueError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("The request is updated and the customer is told."))
        return redirect("staff-mediation", pk=item.pk)
    rows = item.preconditions.get("rows") if item.preconditions else mediation.preconditions(item)
    return render(
        request,
        "deliverability/mediation/staff_detail.html",
        {
            "item": item,
            "rows": rows,
            "text": mediation.provider_text(item),
            "next": sorted(mediation.NEXT.get(item.status, set())) if works else [],
            "statuses": dict(MediationRequest.Status.choices),
            "history": item.history(),
        },
    )
