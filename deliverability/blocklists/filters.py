"""The GET filters of the blocklists page ("show") and the staff listings (importance, search)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import ListFilter
from deliverability.models import Blocklist

ALL = "all"


class TargetFilter(ListFilter):
    """The blocklists page: every target, or only those with a listing, an error or an unknown answer."""

    show = django_filters.ChoiceFilter(
        choices=[
            (ALL, _("All targets")),
            ("listed", _("Listings only")),
            ("problems", _("Listings, errors and unknowns only")),
        ],
        method="by_show",
    )
    defaults = {"show": ALL}

    def by_show(self, qs, name, value):
        if value == "listed":
            return qs.with_listings()
        return qs.with_problems() if value == "problems" else qs


class ListingFilter(ListFilter):
    """Staff listings: one importance of list; a part of the account's name or of the address."""

    importance = django_filters.ChoiceFilter(choices=Blocklist.Importance.choices, field_name="blocklist__importance")
    q = django_filters.CharFilter(method="search")

    def search(self, qs, name, value):
        return qs.search(value)
