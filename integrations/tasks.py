from celery import shared_task


@shared_task(ignore_result=True, time_limit=300, soft_time_limit=280)
def drain_webhooks() -> int:
    """Send due deliveries; runs after each event's commit and every minute from beat."""
    from .delivery import drain

    return drain()
