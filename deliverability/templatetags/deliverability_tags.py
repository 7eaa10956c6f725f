from django import template

from ..authentication.requirements import LABELS, NOT_CHECKED
from ..authentication.status import BADGE

register = template.Library()


@register.filter
def localized(finding, part: str) -> str:
    """A finding's title, detail or fix in the reader's language: ``AuthFinding.text``."""
    return finding.text(part)


@register.filter
def finding_badge(status: str) -> str:
    """The badge class of a finding's (or a requirement's) status: ok, warn, bad or neutral."""
    return BADGE.get(status, "neutral")


@register.filter
def requirement_label(status: str) -> str:
    """What the checklist says for a requirement's status."""
    return LABELS.get(status, LABELS[NOT_CHECKED])
