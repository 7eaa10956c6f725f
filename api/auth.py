"""Who is calling the API, and what they may do (issue 20).

A call carries ``Authorization: Bearer <key>`` of a per-account token (``accounts.ApiToken``): only active
tokens count (not revoked, not expired, account not closed), each limited to its scopes. A token acts as
the person who made it: a write the person may no longer make (they left the team) is refused, so a token
never outlives its maker's rights. Every token has its own rate limit (``API_RATE_LIMIT`` calls a minute,
``core.ratelimit``); past it the answer is 429 with ``Retry-After``.
"""

from django.conf import settings
from ninja.errors import HttpError
from ninja.security import HttpBearer

from accounts.access import can
from accounts.models import ApiToken
from core import ratelimit

WINDOW_SECONDS = 60


class Throttled(Exception):
    def __init__(self, wait: int):
        self.wait = wait


class TokenAuth(HttpBearer):
    """The token of the bearer key, counted against its rate limit; None (401) for anything else."""

    def authenticate(self, request, token):
        found = ApiToken.find(token)
        if found is None:
            return None
        limit = settings.API_RATE_LIMIT
        wait = ratelimit.wait(f"api:{found.pk}", limit=limit, seconds=WINDOW_SECONDS)
        if wait:
            raise Throttled(wait)
        return found


def need(request, scope: str) -> ApiToken:
    """The caller's token if it holds ``scope``; a 403 naming the scope otherwise."""
    token: ApiToken = request.auth
    if not token.allows(scope):
        raise HttpError(403, f"this token does not hold the scope {scope}")
    return token


def caller(request, scope: str, action: str = "account.view", *, write: bool = False):
    """The token and the person it acts as (its maker), if the token holds ``scope`` and the maker may
    still take ``action`` on the token's account. A write is a customer's: a token made by staff reads only."""
    token = need(request, scope)
    person = token.created_by
    if person is None or not can(person, action, token.account) or (write and person.is_staff):
        raise HttpError(403, "the person who made this token may no longer do this on the account")
    return token, person
