"""Feature planning and business reviews (MISSION: TAM-5). Customers file requests and see the TAM's
notes; the account's staff set status and priority, hold reviews and give actions an owner and a date."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import can, require
from accounts.shortcuts import visible_account as _account
from core.idempotency import once

from . import services
from .models import ActionItem, BusinessReview, FeatureRequest
from .review_due import review_due


class CadenceForm(forms.Form):
    months = forms.IntegerField(label=_lazy("Business review every (months)"), min_value=1, max_value=12)


def _cadence_post(request, account):
    """The TAM sets how many months apart the reviews are (MISSION: TAM-5); the form back when refused."""
    require(request.user, "roadmap.manage", account)
    form = CadenceForm(request.POST, prefix="c")
    if form.is_valid():
        services.review_cadence_set(account=account, actor=request.user, months=form.cleaned_data["months"])
        messages.success(request, _("The review cadence is saved."))
        return None
    return form


class RequestForm(forms.ModelForm):
    class Meta:
        model = FeatureRequest
        fields = ["title", "description", "priority"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class StaffRequestForm(forms.ModelForm):
    class Meta:
        model = FeatureRequest
        fields = ["status", "priority", "tam_notes"]
        widgets = {"tam_notes": forms.Textarea(attrs={"rows": 2})}


class ReviewForm(forms.ModelForm):
    class Meta:
        model = BusinessReview
        fields = ["held_on", "attendees", "notes"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # ISO: any browser language
            "notes": forms.Textarea(attrs={"rows": 4}),
        }


class ActionForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["title", "owner", "due_on"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


@require_http_methods(["GET", "POST"])
def roadmap(request, slug):
    """The account's requests and reviews on one page."""
    account = _account(request, slug)
    tam = can(request.user, "roadmap.manage", account)
    form = RequestForm(request.POST or None, prefix="r")
    review_form = ReviewForm(prefix="v", initial={"held_on": account.today()})
    roadmap_url = reverse("roadmap", kwargs={"slug": account.slug})
    cadence_form = CadenceForm(prefix="c", initial={"months": account.review_every_months})
    if request.method == "POST":
        if "c-months" in request.POST:
            cadence_form = _cadence_post(request, account)
            if cadence_form is None:
                return redirect(roadmap_url)
        elif "v-held_on" in request.POST:
            if not tam:
                raise Http404
            review_form = ReviewForm(request.POST, prefix="v")
            if review_form.is_valid():
                saved = once(
                    request,
                    lambda: services.review_create(
                        account=account, actor=request.user, review=review_form.save(commit=False)
                    ),
                    result=lambda _review: roadmap_url,
                )
                if not saved.repeat:
                    messages.success(request, _("The review is saved; add its actions below."))
                return redirect(saved.url)
        elif form.is_valid():
            filed = once(
                request,
                lambda: services.feature_request_file(
                    account=account, actor=request.user, item=form.save(commit=False)
                ),
                result=lambda _item: roadmap_url,
            )
            if not filed.repeat:
                messages.success(request, _("The request is filed; your TAM reviews it."))
            return redirect(filed.url)
    return render(
        request,
        "planning/roadmap.html",
        {
            "account": account,
            "requests": FeatureRequest.objects.filter(account=account).select_related("created_by"),
            "reviews": BusinessReview.objects.filter(account=account)
            .select_related("account")
            .prefetch_related("actions")[:10],
            "form": form,
            "review_form": review_form,
            "cadence_form": cadence_form,
            "review_due": review_due(account),
            "action_form": ActionForm(),
            "staff_form": StaffRequestForm(),
            "tam": tam,
            "statuses": FeatureRequest.Status.choices,
            "priorities": FeatureRequest.Priority.choices,
        },
    )


@require_POST
def request_update(request, slug, pk):
    account = _account(request, slug)
    item = get_object_or_404(FeatureRequest.objects.filter(account=account), pk=pk)
    require(request.user, "roadmap.manage", account)
    form = StaffRequestForm(request.POST, instance=item)
    if form.is_valid():
        services.feature_request_update(item=form.save(commit=False), actor=request.user, changed=form.changed_data)
        messages.success(request, _("The request is updated."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("roadmap", slug=account.slug)


@require_POST
def action_add(request, slug, pk):
    account = _account(request, slug)
    review = get_object_or_404(BusinessReview.objects.filter(account=account), pk=pk)
    require(request.user, "roadmap.manage", account)
    form = ActionForm(request.POST)
    if form.is_valid():
        roadmap_url = reverse("roadmap", kwargs={"slug": account.slug})
        once(
            request,
            lambda: services.action_item_add(review=review, actor=request.user, action=form.save(commit=False)),
            result=lambda _action: roadmap_url,
        )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("roadmap", slug=account.slug)


@require_POST
def action_done(request, slug, pk):
    """The action's owner may be on either side: anyone of the account marks it done."""
    account = _account(request, slug)
    action = get_object_or_404(ActionItem.objects.filter(review__account=account), pk=pk)
    services.action_item_toggle(action=action, actor=request.user)
    return redirect("roadmap", slug=account.slug)
