"""Counting requests in a fixed window in Django's cache: the one rate limit for anything that is not a
sign-in (django-axes counts those). ``allow`` counts the hit and says whether it is within the limit; a
key's window starts with its first hit. Keys carry no personal data (hash an email address first)."""

import hashlib

from django.core.cache import cache


def digest(value: str) -> str:
    """A cache-safe stand-in for a value that must not sit in the cache as itself (an email address)."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()


def allow(key: str, *, limit: int, seconds: int) -> bool:
    """Count one hit on ``key``; True while the window holds at most ``limit`` hits."""
    key = f"ratelimit:{key}"
    cache.add(key, 0, timeout=seconds)
    try:
        hits = cache.incr(key)
    except ValueError:  # the window ended between add and incr: this hit opens a new one
        cache.add(key, 1, timeout=seconds)
        hits = 1
    return hits <= limit
