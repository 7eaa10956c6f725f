"""``{% load once %}{% form_token %}`` in every creating form: a fresh one-time token each time the form is
drawn, consumed by ``core.idempotency.once()`` when the form is sent (issue 14: double submits)."""

import secrets

from django import template
from django.utils.html import format_html

from core.idempotency import FIELD

register = template.Library()


@register.simple_tag(takes_context=True)
def form_token(context) -> str:
    """A form drawn for the panel cache holds a placeholder instead (``core.panel_cache``), made fresh in each
    answer."""
    value = context.get("form_token_placeholder") or secrets.token_hex(16)
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, value)
