"""``/healthz`` for monitors: the database and the broker must answer, and the background pipeline must keep up
(outbox, inbound email, beat's heartbeat: limits in portal/vitals.py). ``/livez`` for load balancers: this web
process can serve (the database and the broker answer); a late pipeline is no reason to take every web server out
of rotation, which a load balancer probing /healthz did while the outbox fell behind."""

import functools

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import vitals
from .celery import app as celery_app


def _database() -> tuple[str, dict | None]:
    """The database answers, and with the pipeline's figures: one statement (issue 18)."""
    try:
        figures = vitals.pipeline()
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy", with its reason
        return f"error: {type(exc).__name__}", None
    return "ok", figures


def _broker() -> str:
    """The broker answers a round trip. Redis over one client kept per process: a new connection per check
    cost as much as the rest of the answer (redis-py reads its own package metadata for every connection,
    issue 18); a client whose connection broke reconnects on the next check."""
    url = celery_app.conf.broker_url
    try:
        if url.startswith(("redis://", "rediss://")):  # kombu's socket and sentinel forms: its own check
            _redis(url).ping()
        else:
            with celery_app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"
    return "ok"


def _reachable() -> str:
    """The database answers a statement within /healthz's wait (``vitals.answering_in_time``)."""
    try:
        with vitals.answering_in_time(), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"
    return "ok"


@functools.cache
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    database, figures = _database()
    checks = {"database": database, "broker": _broker()}
    healthy = all(v == "ok" for v in checks.values())
    body = {"status": "ok", **checks}
    if figures is not None:
        late = vitals.past_limits(figures)
        body.update(figures)
        if late:
            body["late"] = late
            healthy = False
    body["status"] = "ok" if healthy else "error"
    return JsonResponse(body, status=200 if healthy else 503)


@login_not_required
@never_cache
@require_GET
def livez(request):
    checks = {"database": _reachable(), "broker": _broker()}
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
