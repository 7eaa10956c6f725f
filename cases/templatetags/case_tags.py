from django import template

from cases.services.conversation import OUTCOMES

register = template.Library()


@register.filter
def callback_outcome(code: str) -> str:
    """A logged callback's outcome in the reader's language."""
    return str(OUTCOMES.get(code, code))
