"""The one way a view fetches the account in its URL: through ``visible_to``, so another account's is a
404 exactly like a missing one."""

from django.shortcuts import get_object_or_404

from .models import Account


def visible_account(request, slug: str) -> Account:
    return get_object_or_404(Account.objects.visible_to(request.user), slug=slug)
