"""Reverse DNS of report source IPs: looked up by a task after a report is counted, kept for
``DMARC_REVERSE_TTL_DAYS`` and shared by every account (a PTR name is public)."""

from datetime import timedelta

import dns.exception
import dns.resolver
import dns.reversename
from django.conf import settings
from django.utils import timezone

from ..authentication.runs import resolver
from ..models import ReverseName

LIMIT = 200  # names looked up per task run; the rest wait for the next report


def stale(ips: list[str], now) -> list[str]:
    fresh = ReverseName.objects.filter(
        ip__in=ips, looked_up_at__gte=now - timedelta(days=settings.DMARC_REVERSE_TTL_DAYS)
    ).values_list("ip", flat=True)
    known = set(fresh)
    return [ip for ip in ips if ip not in known][:LIMIT]


def look_up(ips: list[str], now=None) -> int:
    """Look up the PTR of each IP not looked up lately; an IP without one is stored with an empty name."""
    if not settings.DMARC_REVERSE_DNS:
        return 0
    now = now or timezone.now()
    ask = resolver()[0]
    todo = stale(ips, now)
    for ip in todo:
        try:
            answer = ask.resolve(dns.reversename.from_address(ip), "PTR")
            name = str(answer[0].target).rstrip(".")[:253]
        except (dns.exception.DNSException, IndexError):
            name = ""
        ReverseName.objects.update_or_create(ip=ip, defaults={"name": name, "looked_up_at": now})
    return len(todo)
