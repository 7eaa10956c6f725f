"""``accounts.access.can`` for templates: ``{% load access %}{% can "team.manage" account as can_manage %}``.

The view still guards every change with ``require()``; the tag only decides what a page offers, inside the
partial that offers it (STYLE: permission checks in the view or inside the partial)."""

from django import template

from accounts import access

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, account) -> bool:
    return access.can(context["request"].user, action, account)
