"""Staff console: every current listing on the staff member's accounts, most important first. MISSION: DLV-2."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.decorators import staff_required
from deliverability.blocklists.filters import ListingFilter
from deliverability.models import Blocklist, ListingStatus


@require_GET
@staff_required
def listings(request):
    filters = ListingFilter(request.GET, queryset=ListingStatus.objects.current_for(request.user))
    page = Paginator(filters.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "deliverability/staff_listings.html",
        {
            "page": page,
            "filters": filters.values,
            "importance_choices": Blocklist.Importance.choices,
        },
    )
