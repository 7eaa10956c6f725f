from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Beat sends this every minute; the worker that runs it records that the pipeline is alive."""
    hostname = heartbeat.request.hostname or ""
    Heartbeat.objects.update_or_create(name="worker", defaults={"seen_at": timezone.now(), "hostname": hostname})


@shared_task(ignore_result=True, time_limit=300, soft_time_limit=280)
def housekeeping() -> dict:
    """Daily: let go of what is past its retention (portal/housekeeping.py, RETAIN_* settings)."""
    from .housekeeping import housekeeping as run

    return run()


@shared_task(ignore_result=True, time_limit=1800, soft_time_limit=1780)
def data_export_build(export_id: int) -> None:
    """An account's data export (issue 18): portal/privacy.py."""
    from .privacy import data_export_build as build

    build(export_id=export_id)
