def outbox():
    """The durable outbox as the Celery workers leave it: pending case notifications expanded into emails
    first (what ``cases.tasks.expand_notifications`` does after every commit that made one)."""
    from accounts.models import OutboundEmail
    from cases.notifications import expand_pending

    expand_pending()
    return OutboundEmail.objects
