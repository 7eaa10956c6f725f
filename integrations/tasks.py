from celery import shared_task

from core.commit import started


@shared_task(ignore_result=True, time_limit=300, soft_time_limit=280)
def drain_webhooks() -> int:
    """Send due deliveries: after a commit that queued one (``core.commit.kick``) and every minute from beat."""
    from .delivery import drain

    started(drain_webhooks)  # before the first read: a commit from now on publishes this task again
    return drain()
