"""Who is replying on a case right now (issue 15): a short-lived marker in the cache (Redis in production).

Each staff member with the reply form in use marks the case every few seconds while they type; a marker
lives ``TTL`` seconds. One cache entry per case holds ``{user id: [name, expiry]}``: two people marking at
the same instant may lose one marker until that person's next mark, a few seconds later, which is all a
notice needs. Never shown to customers (the views that read it are staff only).
"""

import time

from django.core.cache import cache

TTL = 30  # seconds a marker lives after the last keystroke or focus
POLL_SECONDS = 5  # how often the staff case page asks who else is replying


def _key(case_id: int) -> str:
    return f"cases:replying:{case_id}"


def _live(entries: dict, now: float) -> dict:
    return {uid: entry for uid, entry in entries.items() if entry[1] > now}


def mark(case_id: int, user) -> None:
    now = time.time()
    entries = _live(cache.get(_key(case_id)) or {}, now)
    entries[str(user.pk)] = [user.full_name or user.email, now + TTL]
    cache.set(_key(case_id), entries, TTL)


def clear(case_id: int, user) -> None:
    """The reply is sent: the notice goes at once, not after ``TTL``."""
    entries = cache.get(_key(case_id)) or {}
    if entries.pop(str(user.pk), None) is not None:
        cache.set(_key(case_id), entries, TTL)


def others(case_id: int, user) -> list[str]:
    """The names of the other people replying on the case, sorted."""
    entries = _live(cache.get(_key(case_id)) or {}, time.time())
    return sorted(name for uid, (name, _expiry) in entries.items() if uid != str(user.pk))
