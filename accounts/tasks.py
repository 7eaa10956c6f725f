from celery import shared_task


@shared_task(ignore_result=True, time_limit=300, soft_time_limit=280)
def drain_outbox() -> int:
    """Send queued notifications; runs on every new row (on commit) and every minute from beat."""
    from .outbox import outbox_drain

    return outbox_drain()
