"""Work to start once a transaction commits, asked for once however many changes in it ask.

A change that queues mail (a pending notification, an outbox row) kicks the worker after the commit; an
inbound email or an SLA sweep batch makes several such changes in one transaction, and one kick after it is
enough: the worker takes every row that is there (issue 18: each kick is a broker round trip and a log line).
"""

from collections.abc import Callable

from django.db import transaction


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
