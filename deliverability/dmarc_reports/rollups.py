"""The per-day rollups: written with one bulk upsert per batch, read as per-domain and per-source figures.

A row is (account, From domain, day, source IP, SPF result, DKIM result, SPF aligned, DKIM aligned,
disposition) with its message count. Adding a report adds its counts to the rows it shares with earlier
reports: ``INSERT ... ON CONFLICT DO UPDATE SET messages = messages + EXCLUDED.messages``, which PostgreSQL
and SQLite both speak (Django's ``bulk_create(update_conflicts=...)`` can only overwrite, not add).
Aligned = DMARC passed: SPF or DKIM passed *and* aligned with the From domain (RFC 7489 section 3.1).

Each batch also adds to ``DmarcDay`` (account, From domain, day: messages and aligned messages), in the same
transaction: what every domain did over 30 days, and one domain's totals and chart, read those few rows;
only the per-source table reads the detailed rows, through the key's (account, domain, day) prefix.
"""

import ipaddress
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, Sum, When
from django.db.models.functions import Coalesce

from ..models import DmarcDay, DmarcRollup, MonitoredTarget, ReverseName
from .parse import Row

BATCH = 1000
KEY = ("account_id", "domain", "day", "source_ip", "spf", "dkim", "spf_aligned", "dkim_aligned", "disposition")
ALIGNED = Q(spf_aligned=True) | Q(dkim_aligned=True)


def add(account_id: int, rows: list[Row]) -> int:
    """Add the rows' counts to the rollups and their days; returns the number of distinct rows written."""
    counts: Counter = Counter()
    days: Counter = Counter()
    for r in rows:
        key = (account_id, r.domain, r.day, r.source_ip, r.spf, r.dkim, r.spf_aligned, r.dkim_aligned, r.disposition)
        counts[key] += r.messages
        days[(account_id, r.domain, r.day)] += r.messages
        days[(account_id, r.domain, r.day, "aligned")] += r.messages if r.spf_aligned or r.dkim_aligned else 0
    ip = "%s::inet" if connection.vendor == "postgresql" else "%s"
    rollup_rows = [(*key, messages) for key, messages in counts.items()]
    day_rows = [(*key, total, days[(*key, "aligned")]) for key, total in days.items() if len(key) == 3]
    _upsert(DmarcRollup, KEY, rollup_rows, f"(%s, %s, %s, {ip}, %s, %s, %s, %s, %s, %s)", ["messages"])
    _upsert(DmarcDay, DAY_KEY, day_rows, "(%s, %s, %s, %s, %s)", ["messages", "aligned"])
    return len(rollup_rows)


DAY_KEY = ("account_id", "domain", "day")


def _upsert(model, key: tuple, items: list[tuple], one: str, summed: list[str]) -> None:
    """``INSERT ... ON CONFLICT (key) DO UPDATE`` adding the ``summed`` columns, in batches."""
    table = model._meta.db_table
    columns = ", ".join([*key, *summed])
    add_up = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in summed)
    with connection.cursor() as cursor:
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            # only our table and column names are formatted in; every value is a parameter
            values = ", ".join([one] * len(batch))
            conflict = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {add_up}"
            sql = f"INSERT INTO {table} ({columns}) VALUES {values} {conflict}"  # noqa: S608
            cursor.execute(sql, [value for item in batch for value in item])


def rebuild_days(account) -> int:
    """Make the account's ``DmarcDay`` rows again from its rollups (after a deploy during which the previous
    release counted reports without them: ``manage.py dmarc_days --rebuild``). Returns the number of days."""
    rows = (
        DmarcRollup.objects.filter(account=account)
        .values("domain", "day")
        .annotate(**_sums())
        .order_by("domain", "day")
    )
    days = [
        DmarcDay(account=account, domain=r["domain"], day=r["day"], messages=r["total"], aligned=r["aligned"])
        for r in rows
    ]
    with transaction.atomic():
        DmarcDay.objects.filter(account=account).delete()
        DmarcDay.objects.bulk_create(days, batch_size=BATCH)
    return len(days)


def _sums():
    aligned = Sum(Case(When(ALIGNED, then="messages"), default=0, output_field=IntegerField()))
    return {"total": Coalesce(Sum("messages"), 0), "aligned": Coalesce(aligned, 0)}


def since(days: int, today: date) -> date:
    return today - timedelta(days=days - 1)


def domains(account, first: date):
    """Each From domain with reports since ``first``: messages and aligned messages (from ``DmarcDay``)."""
    rows = (
        DmarcDay.objects.filter(account=account, day__gte=first)
        .values("domain")
        .annotate(total=Sum("messages"), aligned=Sum("aligned"))
        .order_by("domain")
    )
    return [{**r, "percent": percent(r["aligned"], r["total"])} for r in rows]


def daily(account, domain: str, first: date) -> list[dict]:
    """One domain's days since ``first``: messages, aligned messages and the aligned %."""
    rows = DmarcDay.objects.filter(account=account, domain=domain, day__gte=first).order_by("day")
    return [
        {"day": d.day, "total": d.messages, "aligned": d.aligned, "percent": percent(d.aligned, d.messages)}
        for d in rows
    ]


def totals(days: list[dict]) -> dict:
    """The sum of ``daily()``'s days."""
    return {"total": sum(d["total"] for d in days), "aligned": sum(d["aligned"] for d in days)}


def reported(account, domain: str) -> bool:
    """Whether any report ever named ``domain`` for the account (else its page is a 404)."""
    return DmarcDay.objects.filter(account=account, domain=domain).exists()


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
