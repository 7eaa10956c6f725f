"""A Celery worker's own ``/metrics`` (issue 18): task durations and SLA alerts are recorded in the worker that ran
them, and a web machine's ``/metrics`` only sees the workers that share its multiprocess directory. A worker started
with ``WORKER_METRICS_PORT`` serves what its processes recorded on that port (``WORKER_METRICS_ADDR``, default
127.0.0.1: bind a private interface for Prometheus, never a public one), wherever it runs. With the prefork pool
its processes write to ``PROMETHEUS_MULTIPROC_DIR``, a directory of the worker's own (shared with the web, each
figure would be counted by both endpoints), added up when scraped.
"""

import logging
import os

from celery.signals import worker_ready
from prometheus_client import start_http_server

from core.metrics import recorded

log = logging.getLogger(__name__)


@worker_ready.connect
def serve(**_) -> None:
    port = os.environ.get("WORKER_METRICS_PORT", "").strip()
    if not port:
        return
    address = os.environ.get("WORKER_METRICS_ADDR", "127.0.0.1")
    try:
        start_http_server(int(port), addr=address, registry=recorded())
    except (OSError, ValueError):  # a port taken by another worker of the machine: the worker still works
        log.exception("worker metrics not served on %s:%s", address, port)
        return
    log.info("worker metrics served on http://%s:%s/metrics", address, port)
