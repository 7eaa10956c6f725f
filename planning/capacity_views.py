"""Capacity planning for an account: monthly forecast, peak events, and the advice. MISSION: TAM-5."""

from datetime import date

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import can, require
from accounts.shortcuts import visible_account as _account
from core.idempotency import once

from . import services
from .capacity import Peak, recommend
from .ip_warmth import ip_warmth
from .models import CapacityRules, MonthlyForecast, PeakEvent


class MonthForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month (YYYY-MM)"), max_length=7)
    volume = forms.IntegerField(label=gettext_lazy("Messages in the month"), min_value=0)

    def clean_month(self):
        try:
            year, month = (int(part) for part in self.cleaned_data["month"].split("-"))
            return date(year, month, 1)
        except (ValueError, TypeError) as exc:
            raise forms.ValidationError(gettext_lazy("Write the month as 2027-03.")) from exc


class PeakForm(forms.ModelForm):
    class Meta:
        model = PeakEvent
        fields = ["name", "day", "daily_volume"]
        widgets = {"day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


@require_http_methods(["GET", "POST"])
def capacity(request, slug):
    account = _account(request, slug)
    editable = can(request.user, "capacity.edit", account)
    month_form, peak_form = MonthForm(prefix="m"), PeakForm(prefix="p")
    if request.method == "POST":
        if not editable:
            raise Http404
        if "m-month" in request.POST:
            month_form = MonthForm(request.POST, prefix="m")
            if month_form.is_valid():
                services.forecast_save(account=account, actor=request.user, **month_form.cleaned_data)
                messages.success(request, _("The forecast is saved."))
                return redirect("capacity", slug=account.slug)
        else:
            peak_form = PeakForm(request.POST, prefix="p", instance=PeakEvent(account=account))  # its day is checked
            if peak_form.is_valid():
                added = once(
                    request,
                    lambda: services.peak_add(account=account, actor=request.user, peak=peak_form.save(commit=False)),
                    result=lambda _peak: reverse("capacity", kwargs={"slug": account.slug}),
                )
                if not added.repeat:
                    messages.success(request, _("The peak is saved."))
                return redirect(added.url)
    months = list(MonthlyForecast.objects.filter(account=account))
    today = account.today()
    peaks = list(PeakEvent.objects.filter(account=account, day__gte=today))
    advice = recommend(
        [m.volume for m in months], [Peak(p.name, p.day, p.daily_volume) for p in peaks],
        CapacityRules.current(), today, existing=ip_warmth(account),
    )  # fmt: skip
    return render(
        request,
        "planning/capacity.html",
        {"account": account, "months": months, "peaks": peaks, "advice": advice, "rules": CapacityRules.current(),
         "editable": editable, "month_form": month_form, "peak_form": peak_form},
    )  # fmt: skip


@require_POST
def capacity_remove(request, slug, kind, pk):
    account = _account(request, slug)
    require(request.user, "capacity.edit", account)
    model = {"month": MonthlyForecast, "peak": PeakEvent}.get(kind)
    if model is None:
        raise Http404
    item = get_object_or_404(model.objects.filter(account=account), pk=pk)
    services.capacity_remove(item=item, actor=request.user)
    return redirect("capacity", slug=account.slug)
