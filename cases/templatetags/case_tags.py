from django import template
from django.utils.translation import gettext as _

from cases.models import Case
from cases.services.conversation import OUTCOMES
from core import choices

register = template.Library()


@register.filter
def callback_outcome(code: str) -> str:
    """A logged callback's outcome in the reader's language."""
    return str(OUTCOMES.get(code, code))


@register.filter
def case_status(code: str) -> str:
    """A status stored on a timeline event, as its label in the reader's language (never the raw code)."""
    return choices.label(Case.Status, code)


@register.filter
def severity_label(code: str) -> str:
    return choices.label(Case.Severity, code)


@register.filter
def category_label(code: str) -> str:
    return choices.label(Case.Category, code)


@register.filter
def span(value) -> str:
    """A duration as people read it: "2 d 3 h", "1 h 05 min", "4 min" (sign dropped)."""
    if value is None:
        return ""
    seconds = abs(int(value.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    mins = rest // 60
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": mins}
    return _("%(m)d min") % {"m": mins}
