"""State changes of the Microsoft SNDS connection (issue 19): the key entered, replaced or removed
(audited), and each import of data.aspx and ipStatus.aspx.

An import fetches both answers first and stores nothing until both arrived: a failure leaves the data as
it was, the connection says what went wrong, and a retry (``snds_tasks``) starts again from the fetch, so
nothing is half-imported; days missed meanwhile (data.aspx gives the newest day) are asked for by date on
the next import that succeeds, so nothing is lost. Storing is one transaction: each (IP, day) row is inserted
or replaced (``bulk_create(update_conflicts=True)``), so the same day imported twice is the same rows;
the blocked ranges are replaced. An IP that turns RED or gets trap hits is told to the account's alert
destinations once (``reputation.snds_red``), not again while it stays so."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit
from accounts.models import Account, AuditEvent
from accounts.notify import absolute_url
from core.panel_cache import changed
from core.sealed import Unreadable, seal, unseal
from core.text import _
from integrations.events import emit

from ..models import MonitoredTarget, SndsBlock, SndsConnection, SndsDay
from . import snds_client, snds_csv, snds_reads
from .signals import send_changed

log = logging.getLogger(__name__)
EVENT = "reputation.snds_red"
CATCH_UP_DAYS = 14  # days missed (an outage, a rejected key) asked for again, one by one
FIELDS = [f.name for f in SndsDay._meta.concrete_fields if f.name not in ("id", "account", "ip", "day")]


@transaction.atomic
def snds_connect(*, account: Account, actor, key: str) -> SndsConnection:
    """Keep the key sealed; a new key replaces the old one (the state starts again: not imported yet)."""
    key = key.strip()
    connection = SndsConnection.objects.select_for_update().filter(account=account).first()
    action = "replaced" if connection else "connected"
    connection = connection or SndsConnection(account=account)
    connection.key_sealed, connection.key_hint = seal(key), key[-4:]
    connection.state, connection.error, connection.connected_by = SndsConnection.State.NEW, "", actor
    connection.save()
    audit(actor=actor, account=account, kind=AuditEvent.Kind.SNDS_CHANGED, target=connection, action=action)
    return connection


@transaction.atomic
def snds_disconnect(*, account: Account, actor) -> bool:
    """Forget the key (the imported days stay: they are the account's history)."""
    connection = SndsConnection.objects.select_for_update().filter(account=account).first()
    if connection is None:
        return False
    audit(actor=actor, account=account, kind=AuditEvent.Kind.SNDS_CHANGED, target=connection, action="removed")
    connection.delete()
    return True


def _record(account_id: int, state: str, error, now) -> None:
    SndsConnection.objects.filter(account_id=account_id).update(state=state, error=error, last_attempt_at=now)
    changed(account_id)


def snds_import(*, account_id: int, now=None) -> SndsConnection:
    """Fetch and store one account's SNDS data; raises ``snds_client.FetchError`` (after recording it on the
    connection) when the fetch failed."""
    now = now or timezone.now()
    connection = SndsConnection.objects.select_related("account").get(account_id=account_id)
    try:
        key = unseal(connection.key_sealed)
    except Unreadable:  # the sealing keys changed: the admin enters the key again
        unreadable = snds_client.KeyRejected(_("The stored key cannot be read any more: enter it again"))
        _record(account_id, SndsConnection.State.KEY_REJECTED, unreadable.message, now)
        raise unreadable from None
    newest = SndsDay.objects.filter(account_id=account_id).aggregate(day=Max("day"))["day"]
    try:
        parsed = snds_csv.parse_data(snds_client.fetch("data.aspx", key))
        _catch_up(parsed, key, newest)
        blocks = snds_csv.parse_status(snds_client.fetch("ipStatus.aspx", key))
    except snds_client.KeyRejected as exc:
        _record(account_id, SndsConnection.State.KEY_REJECTED, exc.message, now)
        raise
    except snds_client.FetchError as exc:
        _record(account_id, SndsConnection.State.FAILING, exc.message, now)
        raise
    with transaction.atomic():
        _store(connection.account, parsed.lines, blocks, now)
        error = ""
        if parsed.skipped:
            error = _("%(n)s line could not be read", plural="%(n)s lines could not be read") % {
                "n": len(parsed.skipped)
            }
        connection.state, connection.error = SndsConnection.State.OK, error
        connection.last_attempt_at = connection.last_success_at = now
        connection.save(update_fields=["state", "error", "last_attempt_at", "last_success_at"])
        changed(account_id)
        if parsed.lines:  # the warm-up plans' Microsoft provider may hold or be released (planning listens)
            send_changed(account_id=account_id, provider=snds_reads.PROVIDER)
    return connection


def _catch_up(parsed: snds_csv.Parsed, key: str, newest) -> None:
    """The days between the newest one stored and the newest one SNDS gives now (the import failed or did not
    run for a while: an outage, a rejected key replaced), asked for one by one (at most ``CATCH_UP_DAYS``)."""
    if newest is None or not parsed.lines:
        return
    latest = max(line.day for line in parsed.lines)
    missing = [newest + timedelta(days=n) for n in range(1, (latest - newest).days)][-CATCH_UP_DAYS:]
    for day in missing:
        more = snds_csv.parse_data(snds_client.fetch("data.aspx", key, day), day=day)
        parsed.lines += more.lines
        parsed.skipped += more.skipped


def _store(account: Account, lines: list[snds_csv.Line], blocks: list[snds_csv.Block], now) -> None:
    targets = {t.value: t for t in MonitoredTarget.all_objects.filter(account=account).ips()}
    if lines:
        first = min(line.day for line in lines) - timedelta(days=7)
        ips = {line.ip for line in lines}
        known = {
            (row.ip, row.day): row.troubled
            for row in SndsDay.objects.filter(account=account, ip__in=ips, day__gte=first).only(
                "ip", "day", "filter_result", "trap_hits"
            )
        }
        rows = [SndsDay(account=account, target=targets.get(line.ip), **_fields(line)) for line in lines]
        SndsDay.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["account", "ip", "day"], update_fields=FIELDS
        )
        _announce(account, rows, known)
    unlinked = SndsDay.objects.filter(account=account, target__isnull=True, ip__in=list(targets))
    for ip in set(unlinked.values_list("ip", flat=True)):  # an IP monitored since: its older days are its own
        unlinked.filter(ip=ip).update(target=targets[ip])
    SndsBlock.objects.filter(account=account).delete()
    SndsBlock.objects.bulk_create(
        SndsBlock(account=account, first_ip=b.first_ip, last_ip=b.last_ip, detail=b.detail, seen_at=now) for b in blocks
    )


def _fields(line: snds_csv.Line) -> dict:
    values = {name: getattr(line, name) for name in line.__dataclass_fields__}
    values["imported_at"] = timezone.now()
    return values


def _announce(account: Account, rows: list[SndsDay], known: dict) -> None:
    """``reputation.snds_red`` for each IP that is RED or has trap hits now and was not on its day before
    this import nor on its latest earlier day: once per change, not every day it stays so."""
    url = absolute_url(reverse("snds", kwargs={"slug": account.slug}))
    for row in sorted(rows, key=lambda r: (r.ip, r.day)):
        was = known.get((row.ip, row.day))
        earlier = [day for (ip, day) in known if ip == row.ip and day < row.day]
        before = known[(row.ip, max(earlier))] if earlier else False
        known[(row.ip, row.day)] = row.troubled
        if not row.troubled or was or before:
            continue
        data = {
            "ip": row.ip,
            "day": row.day.isoformat(),
            "filter": row.filter_result.upper(),
            "trap_hits": row.trap_hits or 0,
            "complaint_rate": row.complaint_text,
            "monitored": row.target_id is not None,
            "source": "Microsoft SNDS",
            "url": url,
        }
        emit(account=account, type=EVENT, data=data)
