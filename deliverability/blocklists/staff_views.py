"""Staff console: every current listing on the staff member's accounts, most important first. MISSION: DLV-2."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.decorators import staff_required
from deliverability.models import Blocklist, ListingStatus


@require_GET
@staff_required
def listings(request):
    qs = ListingStatus.objects.current_for(request.user)
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
