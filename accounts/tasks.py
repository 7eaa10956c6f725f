from celery import shared_task

from core.commit import started


@shared_task(ignore_result=True, time_limit=300, soft_time_limit=280)
def drain_outbox() -> int:
    """Send queued notifications: after a commit that queued one (``core.commit.kick``) and every minute from beat."""
    from .outbox import outbox_drain

    started(drain_outbox)  # before the first read: a commit from now on publishes this task again
    return outbox_drain()
