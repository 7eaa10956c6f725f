"""What an operator sees: /healthz judging the background pipeline, and /metrics scraped as Prometheus does.

Issue 18 ("Seeing inside"): /healthz adds the outbox backlog, the oldest unprocessed inbound message and beat's
heartbeat and answers 503 when one is past its limit; /metrics is protected and exports request latency by
view, task durations, queue lengths, the outbox, inbound mail and blocklist sweeps.
"""

import socket
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from accounts.models import OutboundEmail
from cases.models import InboundMessage
from portal import vitals
from portal.celery import app as celery_app
from portal.tasks import heartbeat
from tests.accounts.factories import OutboundEmailFactory
from tests.cases.factories import InboundMessageFactory
from tests.deliverability.factories import SweepFactory
from tests.portal.factories import HeartbeatFactory

pytestmark = pytest.mark.django_db
TOKEN = "scrape-7Hq2-Lm9x-Rt4v"


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def unsent(created_minutes_ago: int, status=OutboundEmail.Status.PENDING):
    row = OutboundEmailFactory(status=status, next_attempt_at=timezone.now())
    OutboundEmail.objects.filter(pk=row.pk).update(created_at=ago(minutes=created_minutes_ago))
    return row


# --- /healthz ------------------------------------------------------------------------------------------------


def test_healthz_reports_the_pipeline_and_stays_200_while_it_keeps_up(client):
    HeartbeatFactory(name="worker", seen_at=ago(seconds=40))
    unsent(2)
    OutboundEmailFactory(status=OutboundEmail.Status.SENT, next_attempt_at=timezone.now())

    body = client.get("/healthz").json()

    assert body["status"] == "ok"
    assert body["outbox_backlog"] == 1  # the sent one is not backlog
    assert 115 <= body["outbox_oldest_unsent_seconds"] <= 125
    assert body["inbound_oldest_unprocessed_seconds"] is None
    assert 35 <= body["worker_last_seen_seconds"] <= 45
    assert "late" not in body


def test_healthz_is_503_when_the_oldest_unsent_email_is_past_its_limit(client, settings):
    settings.HEALTH_OUTBOX_MAX_SECONDS = 15 * 60
    unsent(16, status=OutboundEmail.Status.SENDING)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["late"] == ["outbox_oldest_unsent_seconds"]


def test_healthz_is_503_when_inbound_mail_waits_unprocessed(client):
    message = InboundMessageFactory()
    InboundMessage.objects.filter(pk=message.pk).update(received_at=ago(minutes=11))

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["late"] == ["inbound_oldest_unprocessed_seconds"]


def test_healthz_is_503_when_beat_has_not_beaten_for_five_minutes(client):
    HeartbeatFactory(name="worker", seen_at=ago(minutes=6))

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["late"] == ["worker_last_seen_seconds"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a lock held by another PostgreSQL session")
def test_healthz_is_503_when_the_database_does_not_answer_in_time(client, settings):
    """A statement stuck behind a lock (or a database too busy to answer) held /healthz until gunicorn killed the
    worker: every load balancer's probe took a web worker for 30 s and got no answer."""
    import psycopg

    settings.METRICS_TOKEN = TOKEN
    params = connection.settings_dict
    locker = psycopg.connect(dbname=params["NAME"], user=params["USER"], host=params["HOST"], port=params["PORT"])
    try:
        locker.execute("SET idle_in_transaction_session_timeout = '8s'")  # let go even if /healthz waits for it
        locker.execute(f"LOCK TABLE {OutboundEmail._meta.db_table} IN ACCESS EXCLUSIVE MODE")

        response = client.get("/healthz")
        scraped = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    finally:
        locker.close()

    assert response.status_code == 503
    assert response.json()["database"].startswith("error")
    assert scraped.status_code == 200 and b"portal_http_request_duration_seconds" in scraped.content
    assert b"portal_outbox_backlog" not in scraped.content  # unknown, rather than a scrape that never ends


def test_healthz_asks_every_figure_in_one_statement_and_they_are_the_metrics_figures(client, frozen):
    """Issue 18: it asked five times (SELECT 1, then each figure); one statement answers that the database is
    there and every figure, the same as the functions /metrics reads one by one (after the one that bounds its
    time, in the same transaction)."""
    frozen("2026-11-15 12:00")
    HeartbeatFactory(name="worker", seen_at=ago(seconds=40))
    unsent(3)
    unsent(20, status=OutboundEmail.Status.SENDING)
    message = InboundMessageFactory()
    InboundMessage.objects.filter(pk=message.pk).update(received_at=ago(minutes=4))

    with CaptureQueriesContext(connection) as asked:
        response = client.get("/healthz")

    statements = [q["sql"] for q in asked.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == (2 if connection.vendor == "postgresql" else 4)  # SQLite: one figure each

    body = response.json()
    assert response.status_code == 503 and body["late"] == ["outbox_oldest_unsent_seconds"]
    assert body["outbox_backlog"] == vitals.outbox_backlog() == 2
    assert body["outbox_oldest_unsent_seconds"] == round(vitals.oldest_unsent_age()) == 1200
    assert body["inbound_oldest_unprocessed_seconds"] == round(vitals.oldest_unprocessed_inbound_age()) == 240
    assert body["worker_last_seen_seconds"] == round(vitals.heartbeat_age()) == 40


# --- /metrics ------------------------------------------------------------------------------------------------


def scrape(client, **headers) -> dict:
    """name -> {labels tuple: value}, parsed with prometheus_client's own parser as a scraper would."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=")  # the exposition format
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}])
def test_metrics_are_a_404_without_the_token(client, settings, headers):
    settings.METRICS_TOKEN = TOKEN

    assert client.get("/metrics", headers=headers).status_code == 404


def test_metrics_are_off_when_nothing_is_configured(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []

    assert client.get("/metrics").status_code == 404


def test_metrics_answer_a_listed_network_and_nobody_else(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]

    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 404


def test_a_scrape_reports_the_pipeline_from_the_database(client, settings):
    settings.METRICS_TOKEN = TOKEN
    for minutes in (3, 20, 7):
        unsent(minutes)
    quarantined = InboundMessageFactory(status=InboundMessage.Status.QUARANTINED)
    InboundMessage.objects.filter(pk=quarantined.pk).update(received_at=ago(minutes=1))
    SweepFactory(started_at=ago(minutes=10), finished_at=ago(minutes=7), zone_health={"zen.example": "timeout"})
    SweepFactory(started_at=ago(minutes=5), finished_at=ago(minutes=4), zone_health={"b.example": ""})

    found = scrape(client, Authorization=f"Bearer {TOKEN}")

    assert found["portal_outbox_backlog"][()] == 3
    assert 20 * 60 - 5 <= found["portal_outbox_oldest_unsent_age_seconds"][()] <= 20 * 60 + 5
    assert found["portal_inbound_needing_attention"][()] == 1
    assert 175 <= found["portal_blocklist_sweep_longest_duration_seconds"][()] <= 185
    assert found["portal_blocklist_lists_failing_health_check"][()] == 1
    queues = found["portal_celery_queue_length"]
    assert {dict(labels)["queue"] for labels in queues} >= {"default", "dns"}


def test_a_scrape_has_request_latency_by_view_and_task_durations(client, settings):
    settings.METRICS_TOKEN = TOKEN
    client.get("/healthz")
    heartbeat.apply()  # a task run: Celery's signals time it

    found = scrape(client, Authorization=f"Bearer {TOKEN}")

    counts = found["portal_http_request_duration_seconds_count"]
    assert counts[(("method", "GET"), ("view", "healthz"))] >= 1
    assert all("/" not in dict(labels)["view"] for labels in counts)  # URL names, never raw paths
    tasks = found["portal_celery_task_duration_seconds_count"]
    assert tasks[(("state", "SUCCESS"), ("task", "portal.tasks.heartbeat"))] >= 1


def test_a_method_a_client_invents_makes_no_series_of_its_own(client, settings):
    settings.METRICS_TOKEN = TOKEN
    for method in ("PROBE1", "PROBE2", "get"):
        client.generic(method, "/healthz")

    found = scrape(client, Authorization=f"Bearer {TOKEN}")

    methods = {dict(labels)["method"] for labels in found["portal_http_responses_total"]}
    # the process's registry also holds what earlier tests in it asked (POST, HEAD...): only known names, never theirs
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}, methods
    assert "other" in methods


def test_queue_lengths_answer_within_a_scrape_when_the_broker_accepts_but_never_replies(monkeypatch):
    """A hung Redis (connections accepted, nothing answered) held the scrape forever: Prometheus lost every figure
    (its scrape timeout is 10 s) and each scrape kept a web worker busy until gunicorn killed it."""
    silent = socket.create_server(("127.0.0.1", 0), backlog=16)  # the kernel accepts; nobody ever reads
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
    found = {}
    asking = threading.Thread(target=lambda: found.update(vitals.queue_lengths()), daemon=True)
    try:
        asking.start()
        asking.join(timeout=10)
        assert not asking.is_alive(), "the queue lengths did not answer within a scrape's timeout"
    finally:
        silent.close()  # resets the connections still waiting
    assert found and set(found.values()) == {None}  # unknown, not zero


def test_a_queue_the_broker_failed_to_measure_is_unknown_not_empty(monkeypatch):
    """A queue nobody declared holds nothing (0); one the broker timed out on is unknown (None): a 0 there told
    the operator a backed-up queue was empty."""
    from kombu.transport.virtual.base import Channel
    from redis.exceptions import TimeoutError as RedisTimeout

    declare = Channel.queue_declare

    def slow_on_dns(self, queue=None, **kwargs):
        if queue == "dns":
            raise RedisTimeout("Timeout reading from socket")
        return declare(self, queue=queue, **kwargs)

    monkeypatch.setattr(celery_app.conf, "broker_url", "memory://")
    monkeypatch.setattr(Channel, "queue_declare", slow_on_dns)

    assert vitals.queue_lengths() == {"default": 0, "dns": None}


# --- /livez ---------------------------------------------------------------------------------------------------


def test_livez_keeps_a_web_server_in_rotation_while_the_pipeline_is_late(client):
    """A load balancer that probed /healthz took every web server out of rotation when the outbox fell behind:
    customers lost the portal because mail was late. /livez asks only what serving a page needs."""
    unsent(16)

    assert client.get("/healthz").status_code == 503
    live = client.get("/livez")
    assert live.status_code == 200
    assert live.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_livez_is_503_when_the_broker_does_not_answer(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")  # nothing listens there

    live = client.get("/livez")

    assert live.status_code == 503
    assert live.json()["broker"].startswith("error") and live.json()["database"] == "ok"
