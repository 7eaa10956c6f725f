from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Beat sends this every minute; the worker that runs it records that the pipeline is alive."""
    hostname = heartbeat.request.hostname or ""
    Heartbeat.objects.update_or_create(name="worker", defaults={"seen_at": timezone.now(), "hostname": hostname})
