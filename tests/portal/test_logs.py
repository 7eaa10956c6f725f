"""Structured logs an operator's collector can read (issue 18): one JSON object per line, with the request id,
user id, account, client address and duration of each request, and the task id of each Celery task line."""

import io
import json
import logging
import logging.config
import time

import pytest
from django.conf import settings

from core.logs import logging_config
from portal.models import Heartbeat
from portal.tasks import heartbeat
from tests.worker import celery_worker


def json_lines(text: str) -> list[dict]:
    found = []
    for line in text.splitlines():
        if line.startswith("{"):
            found.append(json.loads(line))
    return found


@pytest.fixture
def json_logs():
    """Logging as production configures it, written to a buffer this test reads."""
    config = logging_config(json=True, level="INFO")
    buffer = io.StringIO()
    config["handlers"]["console"]["stream"] = buffer
    logging.config.dictConfig(config)
    yield lambda: json_lines(buffer.getvalue())
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_a_request_logs_one_json_line_with_who_what_where_and_how_long(json_logs, client, world, settings):
    settings.PROXY_COUNT = 1
    client.force_login(world.alice)

    response = client.get("/a/acme/deliverability/", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")

    assert response.status_code == 200
    finished = [line for line in json_logs() if line["event"] == "request_finished"]
    assert len(finished) == 1
    line = finished[0]
    assert line["code"] == 200 and line["level"] == "info"
    assert line["user_id"] == world.alice.pk
    assert line["account"] == "acme"
    assert line["ip"] == "203.0.113.9"  # the address our proxy saw, as every limit reads it
    assert len(line["request_id"]) == 36 and line["duration_ms"] >= 0
    assert line["timestamp"].endswith("Z")


@pytest.mark.django_db
def test_lines_of_the_standard_logging_module_carry_the_request_context(json_logs, client, world):
    client.force_login(world.alice)
    client.post("/password/reset/", {"email": "alice@acme.test"})
    for _ in range(6):
        client.post("/password/reset/", {"email": "alice@acme.test"})

    lines = json_logs()
    refused = [line for line in lines if "over the hourly limit" in line["event"]]
    assert refused and all(len(line["request_id"]) == 36 for line in refused)
    assert refused[0]["logger"] == "portal.auth"


@pytest.mark.django_db
def test_no_line_holds_a_secret_of_the_url(json_logs, client, world):
    """A password reset link's token (valid until used) and a sign-in's code were written out in the request line of
    request_started and request_finished, for anyone reading the logs to use."""
    client.get("/password/reset/MQ/cy8zkq-5a1f0e0c7d1d2b3a4c5e/")
    client.get("/login/", {"code": "oidc-c0de-77", "next": "/"})

    lines = json_logs()
    written = "\n".join(json.dumps(line) for line in lines)
    for secret in ("cy8zkq-5a1f0e0c7d1d2b3a4c5e", "oidc-c0de-77"):
        assert secret not in written
    requests = {line["request"] for line in lines if line["event"] == "request_finished"}
    assert requests == {"GET /password/reset/MQ/[token]/", "GET /login/?code=…&next=…"}


@pytest.mark.worker
def test_a_real_workers_lines_are_json_with_the_task_id(transactional_db, capsys):
    with celery_worker(env={"LOG_FORMAT": "json"}) as queue:
        result = heartbeat.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Heartbeat.objects.filter(name="worker").exists():
            time.sleep(0.25)
        time.sleep(0.5)  # the task's last line is written after its database row
    lines = json_lines(capsys.readouterr().out)
    mine = [line for line in lines if line.get("task_id") == result.id]
    assert {"task_started", "task_succeeded"} <= {line["event"] for line in mine}


@pytest.mark.django_db
def test_a_task_a_request_started_logs_that_requests_id_in_the_worker(transactional_db, capsys):
    """The operator follows one request into the work it queued: the worker's lines of the task carry the request
    id the web process had bound (django-structlog's publish hook sends it in the task's headers)."""
    import structlog

    request_id = "5f1c2a9e-0b7d-4c3e-9a51-7d2e8f6b1c44"
    with celery_worker(env={"LOG_FORMAT": "json"}) as queue:
        with structlog.contextvars.bound_contextvars(request_id=request_id, user_id=42):
            result = heartbeat.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Heartbeat.objects.filter(name="worker").exists():
            time.sleep(0.25)
        time.sleep(0.5)
    mine = [line for line in json_lines(capsys.readouterr().out) if line.get("task_id") == result.id]
    assert mine and all(line.get("request_id") == request_id for line in mine), mine
