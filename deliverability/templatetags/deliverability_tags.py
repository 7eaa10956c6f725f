from django import template

from ..auth.messages import render

register = template.Library()


@register.filter
def localized(finding, part: str) -> str:
    """A finding's title or fix in the reader's language (stored as message ids), or as stored."""
    stored = (finding.data or {}).get("i18n", {}).get(part)
    return render(stored) if stored else getattr(finding, part)
