"""Who is on the other end of a request: the one answer for every address-based limit (django-axes'
sign-in lockout, the password-reset limit).

``settings.PROXY_COUNT`` (environment ``AXES_PROXY_COUNT``) says how many proxies of ours stand in front of
the portal. Each appends the address it was connected from to ``X-Forwarded-For``, so with N proxies the
client is the N-th entry from the right: everything to its left was written by the client and proves
nothing. With no proxies, or a request that did not come through all of them, it is ``REMOTE_ADDR``.

django-ipware (axes' default) cannot say this: its ``proxy_count`` wants a chain of exactly count + 1
entries and answers ``None`` otherwise (``None`` for every client behind one proxy, so one lockout locked
everyone) or takes the left-most entry, which the client chooses.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address as our outermost proxy saw it; ``REMOTE_ADDR`` without proxies."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.PROXY_COUNT
    if count <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    if len(chain) < count:
        return remote  # it did not come through all our proxies
    try:
        return str(ipaddress.ip_address(chain[-count]))
    except ValueError:
        return remote  # a proxy of ours never writes this: treat it as not having come through them
