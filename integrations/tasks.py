from celery import shared_task

from core.commit import run_drain


@shared_task(ignore_result=True, time_limit=300, soft_time_limit=280)
def drain_webhooks() -> int:
    """Send due deliveries: after a commit that queued one (``core.commit.kick``) and every minute from beat."""
    from .delivery import drain, due

    return run_drain(drain_webhooks, drain, more=due)
