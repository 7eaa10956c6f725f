"""``/metrics`` for Prometheus: what core/metrics.py recorded, plus figures read when scraped.

Off unless ``METRICS_TOKEN`` (sent as ``Authorization: Bearer <token>``) or ``METRICS_ALLOWED_NETWORKS``
(client addresses, read through core/network.py) is set; anyone else gets the 404 of a missing page.
"""

import hmac
import ipaddress

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from core.metrics import recorded
from core.network import client_ip

from . import vitals


def _gauge(name: str, doc: str, value, labels: dict | None = None) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=list(labels or {}))
    if value is not None:
        family.add_metric(list((labels or {}).values()), value)
    return family


class PipelineCollector:
    """Figures of the background pipeline, from the database and the broker at scrape time."""

    def collect(self):
        yield _gauge("portal_outbox_backlog", "Emails not yet handed to the mail service.", vitals.outbox_backlog())
        yield _gauge(
            "portal_outbox_oldest_unsent_age_seconds", "Age of the oldest unsent email.", vitals.oldest_unsent_age()
        )
        yield _gauge(
            "portal_inbound_oldest_unprocessed_age_seconds",
            "Age of the oldest inbound email not yet processed.",
            vitals.oldest_unprocessed_inbound_age(),
        )
        yield _gauge(
            "portal_inbound_needing_attention", "Inbound emails staff must look at.", vitals.inbound_needing_attention()
        )
        yield _gauge("portal_heartbeat_age_seconds", "Seconds since beat's heartbeat ran.", vitals.heartbeat_age())
        queues = GaugeMetricFamily(
            "portal_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        for queue, length in vitals.queue_lengths().items():
            if length is not None:
                queues.add_metric([queue], length)
        yield queues
        yield from self._sweeps()

    def _sweeps(self):
        sweeps = list(vitals.recent_sweeps().values_list("started_at", "finished_at", "zone_health"))
        longest = max(((end - start).total_seconds() for start, end, _ in sweeps), default=None)
        failing = {zone for *_, health in sweeps for zone, problem in (health or {}).items() if problem}
        yield _gauge(
            "portal_blocklist_sweep_longest_duration_seconds",
            "Longest blocklist sweep that finished in the last 2 hours.",
            longest,
        )
        yield _gauge(
            "portal_blocklist_lists_failing_health_check",
            "Lists that failed their health check in a sweep of the last 2 hours.",
            len(failing),
        )


def _allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    networks = getattr(settings, "METRICS_ALLOWED_NETWORKS", [])
    address = client_ip(request)
    if not networks or not address:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(net, strict=False) for net in networks)


@login_not_required
@never_cache
@require_GET
def metrics(request):
    if not _allowed(request):
        raise Http404
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(PipelineCollector())
    try:
        with vitals.answering_in_time():
            pipeline = generate_latest(scraped)
    except DatabaseError:
        pipeline = b""  # the figures recorded in the processes still reach Prometheus
    return HttpResponse(generate_latest(recorded()) + pipeline, content_type=CONTENT_TYPE_LATEST)
