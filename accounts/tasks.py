from celery import shared_task

from core.commit import run_drain


@shared_task(ignore_result=True, time_limit=300, soft_time_limit=280)
def drain_outbox() -> int:
    """Send queued notifications: after a commit that queued one (``core.commit.kick``) and every minute from beat."""
    from .outbox import outbox_drain, outbox_due

    return run_drain(drain_outbox, outbox_drain, more=outbox_due)
