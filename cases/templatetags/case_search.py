"""Search matches shown in lists: the text escaped, then the matched words marked (cases/search.py)."""

from django import template

from cases import search

register = template.Library()


@register.filter
def highlight(text, query: str):
    return search.highlight(text, query)


@register.filter
def snippet(text, query: str):
    """The part of a long text around the first match, highlighted."""
    return search.highlight(text, query, snippet=True)
