"""Start a real Celery worker process on a queue of its own, on the database the test uses."""

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

from django.db import connection

from portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The URL of the database this test runs on, for the worker process to open the same one."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextlib.contextmanager
def celery_worker(queues: list[str] | None = None, env: dict | None = None, concurrency: int = 1):
    """Yield the worker's queue name; ``queues`` defaults to one new queue. Eager mode is off inside."""
    queue = f"test-{uuid.uuid4().hex[:10]}"
    queues = queues or [queue]
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url(),
        **(env or {}),
    }
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    pool = ["--pool=solo"] if concurrency == 1 else ["--pool=threads", f"--concurrency={concurrency}"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", *pool, "-Q", ",".join(queues), "--loglevel=INFO"]
        + ["--without-mingle", "--without-gossip", "--hostname", f"{queues[0]}@test"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield queues[0]
    finally:
        celery_app.conf.task_always_eager = eager
        proc.terminate()
        try:
            output, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
        print(output[-4000:])


def _reroute() -> None:
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)  # a cached property: built from the routes once per process


@contextlib.contextmanager
def routed(routes: dict, default_queue: str):
    """Tasks go by ``routes`` (else to ``default_queue``) while inside. Celery builds its router once per process, at
    the first publish, so setting ``task_routes`` alone was not seen once another test had published a task: the
    task went to the settings' queue, which no test worker listens to."""
    conf = celery_app.conf
    saved = conf.task_routes, conf.task_default_queue
    conf.task_routes, conf.task_default_queue = routes, default_queue
    _reroute()
    try:
        yield
    finally:
        conf.task_routes, conf.task_default_queue = saved
        _reroute()
