"""Prometheus metrics recorded where things happen: web requests, Celery tasks, SLA alerts.

Under gunicorn (several processes) set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory shared by the web
processes and the workers on that machine, as prometheus_client documents; /metrics then adds them up.
A worker on a machine of its own serves what it recorded on ``WORKER_METRICS_PORT`` (core/worker_metrics.py).
Figures read from the database at scrape time (outbox, inbound, queues, sweeps) are in portal/metrics.py.
"""

import os
import time

from celery.signals import task_postrun, task_prerun
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess

REQUEST_SECONDS = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer a request, by view (URL name) and method.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RESPONSES = Counter(
    "portal_http_responses", "Responses by view, method and status class.", ["view", "method", "status"]
)
TASK_SECONDS = Histogram(
    "portal_celery_task_duration_seconds",
    "Time a Celery task ran, by task name and final state.",
    ["task", "state"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
)
SLA_ALERTS = Counter("portal_sla_alerts", "Warnings and breach escalations the SLA sweep raised.")
# Any token is a method to Django and gunicorn: a client inventing them must not invent series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

_started: dict[str, float] = {}


class RequestMetricsMiddleware:
    """First in the chain: times the whole answer, labelled by URL name (never the raw path: ids would
    make one series per case)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unmatched"
        method = request.method if request.method in METHODS else "other"
        REQUEST_SECONDS.labels(view, method).observe(time.perf_counter() - start)
        RESPONSES.labels(view, method, f"{response.status_code // 100}xx").inc()
        return response


@task_prerun.connect
def _task_started(task_id=None, **_):
    _started[task_id] = time.perf_counter()


@task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **_):
    start = _started.pop(task_id, None)
    if start is not None and task is not None:
        TASK_SECONDS.labels(task.name, state or "UNKNOWN").observe(time.perf_counter() - start)


def recorded():
    """What this machine's processes recorded: every process's files when they write to ``PROMETHEUS_MULTIPROC_DIR``,
    else this process's own registry. Served by the web's /metrics and a worker's own (core/worker_metrics.py)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    found = CollectorRegistry()
    multiprocess.MultiProcessCollector(found)
    return found
