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
from deliverability.mediation.providers import form_for
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
    if not item.is_editable:
        return redirect(item)
    chosen = request.GET.get("provider")  # htmx asks for the chosen provider's own fields
    initial = {"provider": chosen} if chosen in MediationRequest.Provider.values else None
    form = MediationForm(request.POST or None, instance=item, account=account, initial=initial)
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
    template = "deliverability/mediation/form.html" + ("#provider-fields" if request.htmx and chosen else "")
    return render(request, template, {"account": account, "form": form, "item": item})


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
            "provider_form": form_for(item.provider),
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


def _act(request, slug, pk, action, done: str):
    """One of the customer's actions on a request (delete a draft, withdraw, comment): 404 for another
    account's or a missing request, a message either way, back to the request (or the list once deleted)."""
    account = _account(request, slug)
    require(request.user, "mediation.work", account)
    item = get_object_or_404(MediationRequest.objects.filter(account=account), pk=pk)
    try:
        action(item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(item) if MediationRequest.objects.filter(pk=pk).exists() else redirect("mediation-list", slug)


@require_POST
def mediation_delete(request, slug, pk):
    return _act(
        request, slug, pk, lambda item: mediation.mediation_delete(request=item, actor=request.user),
        _("The draft is deleted."),
    )  # fmt: skip


@require_POST
def mediation_withdraw(request, slug, pk):
    note = request.POST.get("note", "")
    return _act(
        request, slug, pk, lambda item: mediation.mediation_withdraw(request=item, actor=request.user, note=note),
        _("The request is withdrawn and your TAM is told."),
    )  # fmt: skip


@require_POST
def mediation_comment(request, slug, pk):
    text = request.POST.get("comment", "")
    return _act(
        request, slug, pk, lambda item: mediation.mediation_comment(request=item, actor=request.user, text=text),
        _("Your comment is added."),
    )  # fmt: skip


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
            _staff_action(request, item)
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
            "open": mediation.open_recommendations(rows),
            "can_return": works and item.status in mediation.RETURNABLE,
            "provider_form": form_for(item.provider),
        },
    )


def _staff_action(request, item) -> None:
    """The TAM's form: return the request with what to carry out first, comment, or record what happened."""
    post = request.POST
    if post.get("action") == "return":
        items = [*post.getlist("items"), *post.get("more_items", "").splitlines()]
        mediation.mediation_return(request=item, actor=request.user, items=items, note=post.get("note", ""))
    elif post.get("action") == "comment":
        mediation.mediation_comment(request=item, actor=request.user, text=post.get("comment", ""))
    else:
        mediation.mediation_set_status(
            request=item,
            actor=request.user,
            status=post.get("status", ""),
            note=post.get("note", ""),
            response=post.get("response", ""),
        )
