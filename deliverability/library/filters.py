"""The library's GET filters: a category, a tag, a part of the title, summary or body."""

import django_filters

from core.filters import ListFilter
from deliverability.models import Article


class ArticleFilter(ListFilter):
    """The library: a category, a tag, a part of the title, summary or body."""

    category = django_filters.ChoiceFilter(choices=Article.Category.choices)
    tag = django_filters.CharFilter(method="by_tag")
    q = django_filters.CharFilter(method="search")

    def by_tag(self, qs, name, value):
        return qs.tagged(value)

    def search(self, qs, name, value):
        return qs.search(value)
