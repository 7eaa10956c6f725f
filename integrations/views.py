"""Alerts and webhooks: the account admin lists, adds, changes and deletes destinations, sends a test event,
rotates a secret and reads the delivery log. Anyone else gets the 404 of a page that does not exist. A
secret is on a page once: in the answer to the request that made it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import require
from accounts.models import Account
from core.idempotency import once

from . import services
from .forms import DestinationForm
from .models import Attempt, Destination

LOG_ROWS = 50


def _account(request, slug) -> Account:
    account = get_object_or_404(Account.objects.visible_to(request.user), slug=slug)
    require(request.user, "webhooks.manage", account)
    return account


def _destination(request, slug, pk) -> Destination:
    account = _account(request, slug)
    return get_object_or_404(Destination.objects.visible_to(request.user).filter(account=account), pk=pk)


@require_http_methods(["GET", "POST"])
def destinations(request, slug):
    account = _account(request, slug)
    form = DestinationForm(request.POST or None, initial={"timezone": account.timezone, "enabled": True})
    if request.method == "POST" and form.is_valid():
        made = once(  # a double click makes one destination
            request,
            lambda: services.destination_create(account=account, actor=request.user, **form.cleaned_data),
            result=lambda made: reverse("webhook", kwargs={"slug": slug, "pk": made[0].pk}),
        )
        if made.repeat:
            return redirect(made.url)
        destination, secret = made.created
        messages.success(request, _("Saved. Send a test event to check that it arrives."))
        return render(request, "integrations/secret.html", {"account": account, "item": destination, "secret": secret})
    rows = Destination.objects.filter(account=account)
    return render(request, "integrations/destinations.html", {"account": account, "form": form, "rows": rows})


@require_http_methods(["GET", "POST"])
def destination(request, slug, pk):
    item = _destination(request, slug, pk)
    form = DestinationForm(request.POST or None, instance=Destination.objects.get(pk=item.pk))
    if request.method == "POST" and form.is_valid():
        services.destination_update(destination=item, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("webhook", slug=slug, pk=item.pk)
    log = Attempt.objects.filter(delivery__destination=item).select_related("delivery")[:LOG_ROWS]
    return render(
        request, "integrations/destination.html", {"account": item.account, "item": item, "form": form, "log": log}
    )


@require_POST
def send_test(request, slug, pk):
    item = _destination(request, slug, pk)
    result = services.destination_send_test(destination=item, actor=request.user)
    context = {"account": item.account, "item": item, "result": result, "result_text": _result_text(result)}
    if request.htmx:
        return render(request, "integrations/destination.html#test-result", context)
    (messages.success if result.delivered else messages.error)(request, _result_text(result))
    return redirect("webhook", slug=slug, pk=item.pk)


def _result_text(result) -> str:
    attempt = result.attempt
    if attempt.status_code is None:
        return _("The test event was not delivered: %(error)s") % {"error": attempt.error}
    if result.delivered:
        return _("The test event was delivered: the endpoint answered %(code)s.") % {"code": attempt.status_code}
    return _("The test event was not delivered: the endpoint answered %(code)s.") % {"code": attempt.status_code}


@require_POST
def rotate(request, slug, pk):
    item = _destination(request, slug, pk)
    secret = services.destination_rotate_secret(destination=item, actor=request.user)
    messages.success(request, _("A new secret is made. The previous one stays valid for 24 hours."))
    return render(request, "integrations/secret.html", {"account": item.account, "item": item, "secret": secret})


@require_POST
def delete(request, slug, pk):
    item = _destination(request, slug, pk)
    services.destination_delete(destination=item, actor=request.user)
    messages.success(request, _("Deleted. Nothing more is sent there."))
    return redirect("webhooks", slug=slug)
