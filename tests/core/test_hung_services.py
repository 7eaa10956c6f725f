"""A Redis or a PostgreSQL that accepts connections and never answers (a failover, a NAT or a firewall dropping the
flow): a commit's publish (``core.commit.kick``) gives up and the request goes on, and a connection to the database
fails, rather than waiting for ever (issue 18). The production settings run in a subprocess, as a web process runs
them, against a socket the kernel accepts on and nobody reads."""

import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import environment

ROOT = Path(__file__).resolve().parents[2]
PUBLISHING = """
import django
django.setup()
from core.commit import kick
from portal.tasks import heartbeat
kick(heartbeat)
print("the request goes on")
"""


def test_a_publish_to_a_redis_that_never_answers_gives_up_and_the_request_goes_on():
    silent = socket.create_server(("127.0.0.1", 0), backlog=64)
    url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", PUBLISHING],
            cwd=ROOT,
            env=environment(REDIS_URL=url, CELERY_BROKER_URL=url),
            capture_output=True,
            text=True,
            timeout=60,  # before: still waiting when killed
        )
    finally:
        silent.close()
    assert done.returncode == 0, done.stderr[-2000:]
    assert "the request goes on" in done.stdout
    assert time.monotonic() - started < 45
    assert "could not enqueue" in done.stdout + done.stderr  # logged for the operator; beat picks the work up


CONNECTING = """
import django
django.setup()
from django.db import connection
try:
    connection.ensure_connection()
except Exception as exc:
    print("gave up:", type(exc).__name__)
"""


def test_a_database_host_that_never_answers_is_given_up_on():
    """libpq's default is to wait for ever on a host that accepts and then says nothing (or drops the packets): a
    page, /healthz and a worker waited with it."""
    silent = socket.create_server(("127.0.0.1", 0), backlog=64)
    url = f"postgres://postgres@127.0.0.1:{silent.getsockname()[1]}/portal"
    try:
        done = subprocess.run(
            [sys.executable, "-c", CONNECTING],
            cwd=ROOT,
            env=environment(DATABASE_URL=url),
            capture_output=True,
            text=True,
            timeout=60,  # before: still waiting when killed
        )
    finally:
        silent.close()
    assert "gave up: OperationalError" in done.stdout, done.stderr[-2000:]
