"""Counting requests in a fixed window in Django's cache: the one rate limit for anything that is not a
sign-in (django-axes counts those). ``allow`` counts the hit and says whether it is within the limit; a
key's window starts with its first hit. Keys carry no personal data (hash an email address first)."""

import hashlib
import math
import time

from django.core.cache import cache


def digest(value: str) -> str:
    """A cache-safe stand-in for a value that must not sit in the cache as itself (an email address)."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()


def allow(key: str, *, limit: int, seconds: int) -> bool:
    """Count one hit on ``key``; True while the window holds at most ``limit`` hits."""
    return wait(key, limit=limit, seconds=seconds) == 0


def wait(key: str, *, limit: int, seconds: int) -> int:
    """Count one hit on ``key``; 0 while the window holds at most ``limit`` hits, else the whole seconds until
    the window ends (an API's ``Retry-After``)."""
    key = f"ratelimit:{key}"
    now = time.time()
    cache.add(f"{key}:start", now, timeout=seconds)
    cache.add(key, 0, timeout=seconds)
    try:
        hits = cache.incr(key)
    except ValueError:  # the window ended between add and incr: this hit opens a new one
        cache.add(key, 1, timeout=seconds)
        hits = 1
    if hits <= limit:
        return 0
    started = cache.get(f"{key}:start") or now
    return max(1, math.ceil(started + seconds - now))
