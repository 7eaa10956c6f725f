from django import template

from cases.models import Case
from cases.services.conversation import OUTCOMES

register = template.Library()


@register.filter
def callback_outcome(code: str) -> str:
    """A logged callback's outcome in the reader's language."""
    return str(OUTCOMES.get(code, code))


@register.filter
def case_status(code: str) -> str:
    """A status stored on a timeline event, as its label in the reader's language (never the raw code)."""
    return str(dict(Case.Status.choices).get(code, code))


@register.filter
def severity_label(code: str) -> str:
    return str(dict(Case.Severity.choices).get(code, code))


@register.filter
def category_label(code: str) -> str:
    return str(dict(Case.Category.choices).get(code, code))
