"""The per-day rollups: written with one bulk upsert per batch, read as per-domain and per-source figures.

A row is (account, From domain, day, source IP, SPF result, DKIM result, SPF aligned, DKIM aligned,
disposition) with its message count. Adding a report adds its counts to the rows it shares with earlier
reports: ``INSERT ... ON CONFLICT DO UPDATE SET messages = messages + EXCLUDED.messages``, which PostgreSQL
and SQLite both speak (Django's ``bulk_create(update_conflicts=...)`` can only overwrite, not add).
Aligned = DMARC passed: SPF or DKIM passed *and* aligned with the From domain (RFC 7489 section 3.1).
"""

import ipaddress
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Case, IntegerField, Q, Sum, When
from django.db.models.functions import Coalesce

from ..models import DmarcRollup, MonitoredTarget, ReverseName
from .parse import Row

BATCH = 1000
KEY = ("account_id", "domain", "day", "source_ip", "spf", "dkim", "spf_aligned", "dkim_aligned", "disposition")
ALIGNED = Q(spf_aligned=True) | Q(dkim_aligned=True)


def add(account_id: int, rows: list[Row]) -> int:
    """Add the rows' counts to the rollups; returns the number of distinct rows written."""
    counts: Counter = Counter()
    for r in rows:
        key = (account_id, r.domain, r.day, r.source_ip, r.spf, r.dkim, r.spf_aligned, r.dkim_aligned, r.disposition)
        counts[key] += r.messages
    items = [(*key, messages) for key, messages in counts.items()]
    table = DmarcRollup._meta.db_table
    ip = "%s::inet" if connection.vendor == "postgresql" else "%s"
    one = f"(%s, %s, %s, {ip}, %s, %s, %s, %s, %s, %s)"
    columns = ", ".join([*KEY, "messages"])
    with connection.cursor() as cursor:
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            # only our table and column names are formatted in; every value is a parameter
            values = ", ".join([one] * len(batch))
            conflict = f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET messages = {table}.messages + EXCLUDED.messages"
            sql = f"INSERT INTO {table} ({columns}) VALUES {values} {conflict}"  # noqa: S608
            cursor.execute(sql, [value for item in batch for value in item])
    return len(items)


def _sums():
    aligned = Sum(Case(When(ALIGNED, then="messages"), default=0, output_field=IntegerField()))
    return {"total": Coalesce(Sum("messages"), 0), "aligned": Coalesce(aligned, 0)}


def since(days: int, today: date) -> date:
    return today - timedelta(days=days - 1)


def domains(account, first: date):
    """Each From domain with reports since ``first``: messages and aligned messages."""
    rows = DmarcRollup.objects.filter(account=account, day__gte=first).values("domain").annotate(**_sums())
    return sorted(({**r, "percent": percent(r["aligned"], r["total"])} for r in rows), key=lambda r: r["domain"])


def totals(account, domain: str, first: date) -> dict:
    return DmarcRollup.objects.filter(account=account, domain=domain, day__gte=first).aggregate(**_sums())


def daily(account, domain: str, first: date) -> list[dict]:
    rows = (
        DmarcRollup.objects.filter(account=account, domain=domain, day__gte=first)
        .values("day")
        .annotate(**_sums())
        .order_by("day")
    )
    return [{**r, "percent": percent(r["aligned"], r["total"])} for r in rows]


@dataclass
class Source:
    ip: str
    total: int
    aligned: int
    spf_pass: int
    dkim_pass: int
    quarantined: int
    rejected: int
    ours: bool = False
    name: str = ""

    @property
    def failing(self) -> int:
        return self.total - self.aligned


def _count(condition: Q):
    return Coalesce(Sum(Case(When(condition, then="messages"), default=0, output_field=IntegerField())), 0)


def sources(account, domain: str, first: date) -> list[Source]:
    """Each source IP sending as ``domain``: failing alignment first (most failing messages first)."""
    rows = (
        DmarcRollup.objects.filter(account=account, domain=domain, day__gte=first)
        .values("source_ip")
        .annotate(
            **_sums(),
            spf_pass=_count(Q(spf="pass")),
            dkim_pass=_count(Q(dkim="pass")),
            quarantined=_count(Q(disposition="quarantine")),
            rejected=_count(Q(disposition="reject")),
        )
    )
    found = [Source(ip=r.pop("source_ip"), **r) for r in rows]
    names = dict(ReverseName.objects.filter(ip__in=[s.ip for s in found]).values_list("ip", "name"))
    networks = our_networks(account)
    for source in found:
        source.name = names.get(source.ip, "")
        source.ours = is_ours(source.ip, networks)
    return sorted(found, key=lambda s: (-s.failing, -s.total, s.ip))


def our_networks(account) -> list:
    """The account's monitored sending IPs and our own ranges (settings.DMARC_OUR_RANGES)."""
    values = MonitoredTarget.objects.filter(account=account).ips().values_list("value", flat=True)
    networks = []
    for value in [*values, *settings.DMARC_OUR_RANGES]:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            continue
    return networks


def is_ours(ip: str, networks) -> bool:
    address = ipaddress.ip_address(ip)
    return any(address in network for network in networks if network.version == address.version)


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None
