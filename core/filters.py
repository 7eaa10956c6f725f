"""List filters as forms (django-filter), the one way a list page reads its GET parameters.

A hand-edited or stale URL must not break a list: a value that is missing, empty or not one of the
choices falls back to the filter's default (``defaults``; otherwise "no filter"), so the page shows the
default list, never a 500. ``values`` is what the page shows as chosen and what the pager carries on.
"""

import django_filters
from django.utils.functional import cached_property


class ListFilter(django_filters.FilterSet):
    defaults: dict[str, str] = {}

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data if data is not None else {}, queryset=queryset, **kwargs)  # always bound

    @cached_property
    def values(self) -> dict[str, str]:
        """Each filter's value: the valid one given, else its default ("" for none)."""
        self.form.is_valid()
        cleaned = getattr(self.form, "cleaned_data", {})
        return {
            name: cleaned.get(name) if cleaned.get(name) not in (None, "") else self.defaults.get(name, "")
            for name in self.filters
        }

    def filter_queryset(self, queryset):
        for name, value in self.values.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset
