from django import template

register = template.Library()


@register.filter
def localized(finding, part: str) -> str:
    """A finding's title, detail or fix in the reader's language: ``AuthFinding.text``."""
    return finding.text(part)
