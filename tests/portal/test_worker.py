"""A task through a real Celery worker process: Redis in CI, the filesystem broker elsewhere."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from portal.celery import app as celery_app
from portal.models import Heartbeat
from portal.tasks import heartbeat

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the database this test runs on, for the worker process to open the same one."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker_queue(transactional_db):
    queue = f"test-{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "DATABASE_URL": database_url()}
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            "--hostname",
            f"{queue}@test",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue
    celery_app.conf.task_always_eager = eager
    proc.terminate()
    try:
        output, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
    print(output[-4000:])


@pytest.mark.worker
def test_heartbeat_task_runs_in_a_real_worker_and_healthz_reports_it(worker_queue, client):
    assert settings.CELERY_BROKER_URL.startswith("redis://") or os.environ.get("CI") != "true", "CI runs on Redis"
    heartbeat.apply_async(queue=worker_queue)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Heartbeat.objects.filter(name="worker").exists():
        time.sleep(0.25)
    beat = Heartbeat.objects.get(name="worker")
    assert beat.hostname == f"{worker_queue}@test"

    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"] == "ok" and body["broker"] == "ok"
    assert 0 <= body["worker_last_seen_seconds"] < 60
