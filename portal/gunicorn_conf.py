"""gunicorn's settings for production (issue 18): ``gunicorn -c portal/gunicorn_conf.py portal.wsgi``.

Sized for the documented 2-core machine and overridable from the environment. ``gthread`` workers keep idle
keep-alive connections in a poller instead of holding a worker each (a ``sync`` worker closes the connection
after every answer, so each request behind a keep-alive proxy or a browser paid a new TCP handshake); a page
spends most of its time in Python, so more processes than cores buy little and cost memory, while a second
thread per worker overlaps the waits on PostgreSQL and Redis. ``bench/load.py`` runs with this file.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))  # 2 per core
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))  # seconds an idle connection is kept
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
