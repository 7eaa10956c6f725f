"""Planning's background work (MISSION: TAM-5)."""

from celery import shared_task

from .services.reviews import review_reminders_send


@shared_task(time_limit=300, soft_time_limit=280)
def review_reminders() -> int:
    """Daily: the TAMs hear of business reviews falling due (once per review due: safe to run again)."""
    return review_reminders_send()
