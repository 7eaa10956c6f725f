"""Celery tasks of blocklist monitoring: thin, take ids, idempotent (see ``sweeps``). MISSION: DLV-2.

``run_sweep`` and ``check_chunk`` are routed to the ``dns`` queue (settings.CELERY_TASK_ROUTES): start
more workers with ``-Q dns`` on more machines to sweep faster.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from accounts.models import Account

from . import services
from .blocklists import alerts, sweeps
from .models import Sweep, SweepChunk


def monitored_accounts():
    """Accounts that are not closed and have at least one IP or domain monitored: the beat's work."""
    return (
        Account.objects.filter(targets__isnull=False, targets__archived_at__isnull=True)
        .exclude(status=Account.Status.CLOSED)
        .distinct()
    )


@shared_task(acks_late=True, time_limit=5 * 60, soft_time_limit=4 * 60)
def run_sweep(sweep_id: int) -> None:
    sweeps.sweep_run(sweep_id)


@shared_task(acks_late=True, time_limit=8 * 60, soft_time_limit=7 * 60)
def check_chunk(chunk_id: int) -> None:
    sweeps.chunk_run(chunk_id)


@shared_task(acks_late=True, time_limit=2 * 60, soft_time_limit=110)
def send_alerts(sweep_id: int) -> int:
    alerts.send_health_alerts(sweep_id)
    return alerts.send_alerts(sweep_id)


@shared_task(time_limit=2 * 60, soft_time_limit=110)
def sweep_all() -> int:
    """Beat, every BLOCKLIST_SWEEP_MINUTES: a sweep for each account with targets that is due one."""
    due_before = timezone.now() - timedelta(minutes=settings.BLOCKLIST_SWEEP_MINUTES * 0.9)
    now = timezone.now()
    # Housekeeping: chunk bookkeeping is only needed while a sweep runs; sweeps are kept for 90 days
    # (events and statuses keep their own copy of what was found).
    SweepChunk.objects.filter(sweep__finished_at__lt=now - timedelta(days=1)).delete()
    Sweep.objects.filter(finished_at__lt=now - timedelta(days=90)).delete()
    started = 0
    accounts = monitored_accounts().exclude(sweeps__created_at__gte=due_before)
    for account in accounts:
        services.sweep_request(account=account, trigger=Sweep.Trigger.SCHEDULE)
        started += 1
    return started


@shared_task(acks_late=True, time_limit=5 * 60, soft_time_limit=4 * 60)
def run_auth_check(run_id: int) -> None:
    from .authentication.runs import auth_run

    auth_run(run_id)


@shared_task(time_limit=2 * 60, soft_time_limit=110)
def auth_check_all() -> int:
    """Beat, hourly: accounts with domains or IPs not checked in AUTH_CHECK_HOURS (daily by default)."""
    from .authentication.runs import auth_request

    due_before = timezone.now() - timedelta(hours=settings.AUTH_CHECK_HOURS) + timedelta(minutes=5)
    accounts = monitored_accounts().exclude(auth_runs__created_at__gte=due_before)
    started = 0
    for account in accounts:
        auth_request(account=account, trigger="schedule")
        started += 1
    return started


@shared_task(time_limit=5 * 60, soft_time_limit=4 * 60)
def announce_articles() -> int:
    """Beat, every 10 minutes: newly published articles, told once to the customers they concern (TAM-6)."""
    from .library.announce import announce_new_articles

    return announce_new_articles()


# DMARC aggregate reports (issue 19). Counting a report is idempotent (a conditional claim), so a
# redelivered task does nothing; reverse names are looked up after counting, never while parsing.
@shared_task(acks_late=True, time_limit=5 * 60, soft_time_limit=4 * 60)
def dmarc_ingest(report_id: int) -> None:
    from .dmarc_reports import services as dmarc_services

    dmarc_services.report_ingest(report_id=report_id)


@shared_task(time_limit=5 * 60, soft_time_limit=4 * 60)
def dmarc_reverse_names(ips: list[str]) -> None:
    from .dmarc_reports import names

    names.look_up(ips)


from .reputation import snds_tasks  # noqa: E402, F401 - registers the Microsoft SNDS import tasks
from .reputation.postmaster_tasks import postmaster_import, postmaster_import_all  # noqa: E402, F401 - issue 19
