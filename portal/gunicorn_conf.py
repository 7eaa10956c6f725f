"""gunicorn's settings for production (issue 18): ``gunicorn -c portal/gunicorn_conf.py portal.wsgi``.

Sized for the documented 2-core machine and overridable from the environment. A page is CPU work in Python
(PostgreSQL and Redis answer in well under a millisecond here), so ``sync`` workers, one per core and one
more: each takes the next connection from the kernel's queue, shared by all of them, in the order they came.
``gthread`` workers (``GUNICORN_WORKER_CLASS=gthread``) keep each client's keep-alive connection in the
worker that accepted it, so with 50 busy clients a request waited behind its worker's share of them whatever
the other workers were doing: in one run of ``bench/load.py`` on this machine p99 was 540-2,370 ms with
gthread and 280-750 ms with sync on the same pages, throughput the same or better. Sync workers want a
buffering proxy in front (nginx reads a slow client's request and answer for them), which the README's
production shape has. ``bench/load.py`` runs with this file.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# One per core and one more for the moments a worker waits on PostgreSQL or Redis: on 2 cores 3 served the case
# page and the blocklists page 7-17% faster than 4 and 25-60% faster than 2 (fewer processes contending).
workers = int(os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) + 1)))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))  # gthread only
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))  # gthread: seconds an idle connection is kept
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))  # recycle a worker now and then (memory)
max_requests_jitter = max_requests // 10
# Load the app in the master and fork workers from it (portal/warmup.py): a worker started again after
# max_requests serves at once instead of importing Django and compiling templates beside the busy ones. A new
# release is then a restart (or USR2), not a HUP.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"


def when_ready(server):
    if server.cfg.preload_app:
        from portal.warmup import warm

        server.log.info("compiled %d templates ahead of the workers", warm())


def child_exit(server, worker):
    """prometheus_client's multiprocess mode: a worker gone no longer counts in the live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
