"""The figures an operator watches, measured once: /healthz judges them, /metrics exports them.

Each function answers from the database (or the broker) at the moment it is asked; none is cached. ``pipeline``
asks its four figures in one statement (issue 18: /healthz is asked by every load balancer every few seconds).
"""

from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone
from kombu.exceptions import ChannelError

from accounts.models import OutboundEmail
from cases.models import InboundMessage
from core.figures import figures

from .celery import app as celery_app
from .models import Heartbeat

STATEMENT_SECONDS = 2  # what /healthz and a scrape wait for a statement (load balancers and Prometheus wait little)
UNSENT = Q(status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.SENDING])


def _age(since: datetime | None, now: datetime) -> float | None:
    return max(0.0, (now - since).total_seconds()) if since else None


def _unsent():
    return OutboundEmail.objects.filter(UNSENT)


def _waiting_inbound():
    return InboundMessage.objects.filter(status=InboundMessage.Status.RECEIVED)


def _beat():
    return Heartbeat.objects.filter(name="worker")


def outbox_backlog() -> int:
    """Emails written but not yet handed to the mail service (pending or being sent)."""
    return _unsent().count()


def oldest_unsent_age(now: datetime | None = None) -> float | None:
    """Seconds since the oldest unsent email was written, or None when every email has left."""
    oldest = _unsent().aggregate(at=Min("created_at"))["at"]
    return _age(oldest, now or timezone.now())


def oldest_unprocessed_inbound_age(now: datetime | None = None) -> float | None:
    """Seconds since the oldest inbound email still waiting to be processed arrived, or None."""
    return _age(_waiting_inbound().aggregate(at=Min("received_at"))["at"], now or timezone.now())


def inbound_needing_attention(now: datetime | None = None) -> int:
    """Quarantined, failed and stale inbound messages: what "Needs attention" lists for staff."""
    return InboundMessage.objects.needs_staff(now).count()


def heartbeat_age(now: datetime | None = None) -> float | None:
    """Seconds since beat's heartbeat task last ran on a worker, or None if it never has."""
    beat = _beat().first()
    return _age(beat.seen_at if beat else None, now or timezone.now())


# A scrape asks the broker once, and not for long: kombu's defaults retry a refused connection for seconds and wait
# on a Redis that accepts but never answers for ever.
BROKER_ASKED_ONCE = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0,
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
}


def queue_lengths() -> dict[str, int | None]:
    """Messages waiting in each Celery queue the portal routes to (None: the broker did not answer)."""
    queues = {settings.CELERY_TASK_DEFAULT_QUEUE, *(r["queue"] for r in settings.CELERY_TASK_ROUTES.values())}
    lengths: dict[str, int | None] = {}
    try:
        with celery_app.connection_for_read(transport_options=BROKER_ASKED_ONCE) as conn:
            channel = conn.default_channel
            for queue in sorted(queues):
                try:
                    lengths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
                except ChannelError:  # a queue nobody declared yet holds nothing
                    lengths[queue] = 0
                except Exception:  # noqa: BLE001 - the broker failed on this one (a timeout): unknown, not empty
                    lengths[queue] = None
    except Exception:  # noqa: BLE001 - the broker is down: unknown, and /healthz says so
        return dict.fromkeys(sorted(queues))
    return lengths


LIMITS = {
    # figure -> (setting, default seconds): past it, /healthz answers 503
    "outbox_oldest_unsent_seconds": ("HEALTH_OUTBOX_MAX_SECONDS", 15 * 60),
    "inbound_oldest_unprocessed_seconds": ("HEALTH_INBOUND_MAX_SECONDS", 10 * 60),
    "worker_last_seen_seconds": ("HEALTH_HEARTBEAT_MAX_SECONDS", 5 * 60),
}


@contextmanager
def answering_in_time():
    """On PostgreSQL the statements inside give up after ``STATEMENT_SECONDS``: one stuck behind a lock or on a busy
    database held /healthz or a scrape until gunicorn killed the web worker, which answered nothing."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{STATEMENT_SECONDS}s"])
        yield


def limit(figure: str) -> float:
    name, default = LIMITS[figure]
    return float(getattr(settings, name, default))


def pipeline(now: datetime | None = None) -> dict[str, float | int | None]:
    """The background pipeline's figures for /healthz, ages rounded to seconds: one statement (a database that
    does not answer it in ``STATEMENT_SECONDS`` raises)."""
    with answering_in_time():
        found = figures(
            outbox_backlog=("COUNT", _unsent().values("pk")),
            outbox_oldest_unsent_seconds=("MIN", _unsent().values("created_at")),
            inbound_oldest_unprocessed_seconds=("MIN", _waiting_inbound().values("received_at")),
            worker_last_seen_seconds=("MIN", _beat().values("seen_at")),  # the name is unique: one row or none
        )
    now = now or timezone.now()
    ages = {k: _age(v, now) for k, v in found.items() if k != "outbox_backlog"}
    return {"outbox_backlog": found["outbox_backlog"], **{k: None if v is None else round(v) for k, v in ages.items()}}


def past_limits(figures: dict) -> list[str]:
    """The figures past their limit (a figure with no value has nothing to be late: a new database)."""
    return [name for name in LIMITS if figures.get(name) is not None and figures[name] > limit(name)]


def recent_sweeps(hours: int = 2):
    """Blocklist sweeps finished in the last hours (for their durations and failing zones)."""
    from deliverability.models import Sweep

    since = timezone.now() - timedelta(hours=hours)
    return Sweep.objects.filter(status=Sweep.State.DONE, finished_at__gte=since, started_at__isnull=False)
