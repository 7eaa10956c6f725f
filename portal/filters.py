"""The staff console's account search as a filter form (see ``core.filters``)."""

import django_filters

from core.filters import ListFilter


class AccountFilter(ListFilter):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
