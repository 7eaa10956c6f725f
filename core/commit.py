"""Work to start once a transaction commits, asked for once however many changes in it ask.

A change that queues mail (a pending notification, an outbox row) kicks the worker after the commit; an
inbound email or an SLA sweep batch makes several such changes in one transaction, and one kick after it is
enough: the worker takes every row that is there (issue 18: each kick is a broker round trip and a log line).

Across transactions, :func:`kick` publishes the worker's task only when none is queued and not yet started: a
burst of inbound email, one commit per message, wakes the worker once, not once per message. The mark that says
"queued" lives in the cache, so this needs a cache every process shares (Redis: production's shape); with a cache
per process (the embedded default's memory) every kick publishes, as before.

Why no commit is ever missed: the task calls :func:`started` before its first read, which deletes the mark. A kick
that finds the mark comes after its own commit, and the mark it found belongs to a task that has not started yet;
that task reads after deleting the mark, so after the commit. A task lost on its way (a worker killed before it
ran) holds the mark for ``QUEUED_FOR`` at most, and beat runs every such task each minute anyway.
"""

import logging
from collections.abc import Callable

from celery.exceptions import SoftTimeLimitExceeded
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction

log = logging.getLogger(__name__)

QUEUED_FOR = 60  # seconds: no longer than beat's interval for the tasks kicked (portal/settings/schedule.py)


def on_commit_once(func: Callable[[], None], using: str | None = None) -> None:
    """``transaction.on_commit(func)``, unless ``func`` already runs after this commit: registered in this
    block or one around it, so it cannot be rolled back without this block. (One registered in a savepoint
    that has ended may yet be rolled back with it: then ``func`` is registered again, and runs twice at worst.)"""
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        active = set(connection.savepoint_ids)
        if any(registered is func and sids <= active for sids, registered, _robust in connection.run_on_commit):
            return
    transaction.on_commit(func, using=using)


def kick(task) -> None:
    """Publish ``task`` (a Celery task of no arguments) unless one is already queued and has not started.
    A broker that is down is logged, never raised: beat runs the task every minute."""
    mark = _mark(task) if _shared() else None
    if mark is not None:
        try:
            if not cache.add(mark, 1, timeout=QUEUED_FOR):
                return
        except Exception:  # noqa: BLE001 - the cache is down: publish anyway, the task will find the work
            log.warning("could not mark %s as queued; publishing it", task.name, exc_info=True)
            mark = None
    try:
        task.delay()
    except Exception:  # noqa: BLE001 - the broker may be down; beat runs the task every minute
        log.warning("could not enqueue %s; the beat schedule will pick the work up", task.name, exc_info=True)
        if mark is not None:
            _forget(mark)  # nothing is queued: the next kick must publish


def started(task) -> None:
    """The task's first step, before it reads anything: a kick from now on publishes it again."""
    if _shared():
        _forget(_mark(task))


def run_drain(task, work: Callable[[], int], *, more: Callable[[], bool]) -> int:
    """The body of a kicked task: :func:`started`, then ``work()`` (returns how much it did). A drain that stops
    at its batch limit or its soft time limit with work still due (``more()``) kicks one fresh task for the rest
    at once; beat would come only a minute later, and no other task may be queued behind it. Not after another
    error, nor after a run that did nothing: a row that fails every time must not publish the task in a loop."""
    started(task)
    try:
        done = work()
    except SoftTimeLimitExceeded:
        _again(task, more)
        raise
    if done:
        _again(task, more)
    return done


def _again(task, more: Callable[[], bool]) -> None:
    try:
        if more():
            kick(task)
    except Exception:  # noqa: BLE001 - the database went away: beat runs the task every minute
        log.warning("could not tell whether %s left work due", task.name, exc_info=True)


def _mark(task) -> str:
    return f"kick:queued:{task.name}"


def _forget(mark: str) -> None:
    try:
        cache.delete(mark)
    except Exception:  # noqa: BLE001 - the mark then lapses after QUEUED_FOR
        log.warning("could not clear %s", mark, exc_info=True)


def _shared() -> bool:
    """A cache every web process and worker reads (Redis), not one per process."""
    return isinstance(caches["default"], RedisCache)
