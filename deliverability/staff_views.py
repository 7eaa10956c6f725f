"""Staff console: every current listing on the staff member's accounts, most important first. MISSION: DLV-2."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.decorators import staff_required
from accounts.models import Account

from .models import Blocklist, ListingStatus


def current_listings(user):
    return (
        ListingStatus.objects.filter(target__account__in=Account.objects.staffed_by(user))
        .listed()
        .select_related("target__account", "target__stream", "blocklist")
        .most_important_first()
    )


@require_GET
@staff_required
def listings(request):
    qs = current_listings(request.user)
    importance = request.GET.get("importance", "")
    if importance.isdigit():
        qs = qs.filter(blocklist__importance=int(importance))
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(target__account__name__icontains=query) | qs.filter(target__value__icontains=query)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "deliverability/staff_listings.html",
        {
            "page": page,
            "filters": {"importance": importance, "q": query},
            "importance_choices": Blocklist.Importance.choices,
        },
    )
