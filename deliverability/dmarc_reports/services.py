"""State changes of DMARC reports (issue 19): the address, a file received, its ingestion, a replay.

A file is stored before anything else (``report_receive``), then counted by a Celery task
(``report_ingest``) that claims it with a conditional UPDATE: a second delivery of the task does nothing.
Counting adds the report's rows to the rollups and marks it counted in one transaction; the database
refuses a second counted report with the same organisation and report id, so the same report sent twice
(or by mail and uploaded) counts once even when both are counted at the same moment.
"""

import hashlib
import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import audit
from accounts.models import Account, AuditEvent
from core.text import _

from ..models import DmarcAddress, DmarcReport
from . import parse, rollups

log = logging.getLogger(__name__)
CLAIM_SECONDS = 10 * 60  # a claim older than this belonged to a worker that died


def address_for(account: Account) -> DmarcAddress:
    """The account's report address, made the first time it is asked for (no actor: nothing changed yet)."""
    return DmarcAddress.objects.get_or_create(account=account)[0]


@transaction.atomic
def address_rotate(*, account: Account, actor) -> DmarcAddress:
    """A new token: the old address stops being accepted (mail to it is quarantined)."""
    address = DmarcAddress.objects.select_for_update().get(pk=address_for(account).pk)
    address.token = DmarcAddress._meta.get_field("token").default()
    address.save(update_fields=["token"])
    audit(actor=actor, account=account, kind=AuditEvent.Kind.DMARC_ADDRESS_ROTATED, target=address)
    return address


def report_receive(
    *, account: Account, data: bytes, filename: str, source: str, actor=None
) -> tuple[DmarcReport, bool]:
    """Keep the file, then count it after commit. Returns (report, is_new); the same file again is the
    first copy (and is not counted again)."""
    digest = hashlib.sha256(data).hexdigest()
    try:
        with transaction.atomic():
            report = DmarcReport.objects.create(
                account=account, source=source, filename=filename[:200], raw=data, size=len(data), sha256=digest
            )
            if actor is not None:
                kind = AuditEvent.Kind.DMARC_REPORT_UPLOADED
                audit(actor=actor, account=account, kind=kind, target=report, filename=filename[:200])
    except IntegrityError:
        return DmarcReport.objects.defer("raw").get(account=account, sha256=digest), False
    from ..tasks import dmarc_ingest  # the task module imports this one

    transaction.on_commit(lambda: dmarc_ingest.delay(report.pk))
    return report, True


def _claim(report_id: int, now) -> bool:
    stale = now - timedelta(seconds=CLAIM_SECONDS)
    pending = DmarcReport.objects.filter(pk=report_id, status=DmarcReport.Status.PENDING)
    free = pending.filter(claimed_at__isnull=True) | pending.filter(claimed_at__lt=stale)
    return bool(free.update(claimed_at=now, attempts=F("attempts") + 1))


def report_ingest(*, report_id: int, now=None) -> DmarcReport:
    """Count one stored report, once. Idempotent: a report not pending (or claimed by a live worker) is
    left as it is."""
    now = now or timezone.now()
    if not _claim(report_id, now):
        return DmarcReport.objects.defer("raw").get(pk=report_id)
    report = DmarcReport.objects.get(pk=report_id)
    try:
        parsed = parse.parse(bytes(report.raw))
    except parse.Refused as refused:
        return _finish(report, DmarcReport.Status.REFUSED, refused.reason, now)
    except Exception as exc:  # noqa: BLE001 - one unreadable file never stops the others; it stays replayable
        log.exception("DMARC report %s could not be parsed", report.pk)
        failed = _("could not be read: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"[:200]}
        return _finish(report, DmarcReport.Status.REFUSED, failed, now)
    report.org_name, report.report_id, report.domain = parsed.org_name, parsed.report_id, parsed.domain
    report.begins, report.ends, report.messages = parsed.begins, parsed.ends, parsed.messages
    try:
        with transaction.atomic():
            rollups.add(report.account_id, parsed.rows)
            _finish(report, DmarcReport.Status.INGESTED, "", now)
    except IntegrityError:  # counted already: by mail and uploaded, or sent twice
        duplicate = _("the same report (%(org)s, %(id)s) was counted before") % {
            "org": parsed.org_name,
            "id": parsed.report_id,
        }
        return _finish(report, DmarcReport.Status.DUPLICATE, duplicate, now)
    from ..tasks import dmarc_reverse_names

    transaction.on_commit(lambda: dmarc_reverse_names.delay(sorted({row.source_ip for row in parsed.rows})))
    return report


def _finish(report: DmarcReport, status: str, reason, now) -> DmarcReport:
    report.status, report.reason, report.claimed_at = status, reason, None
    report.ingested_at = now
    fields = ["status", "reason", "claimed_at", "ingested_at", "org_name", "report_id", "domain", "begins", "ends"]
    report.save(update_fields=[*fields, "messages"])
    return report


@transaction.atomic
def report_replay(*, report: DmarcReport, actor) -> bool:
    """Staff: count a refused report again (after the cause is fixed), through the same task as a new one.
    Only a refused report moves (a conditional UPDATE): a second click, or two people at once, replay it
    once; a counted or waiting one is left alone. Returns whether it was queued."""
    refused = DmarcReport.objects.filter(pk=report.pk, status=DmarcReport.Status.REFUSED)
    if not refused.update(status=DmarcReport.Status.PENDING, claimed_at=None):
        return False
    audit(actor=actor, account=report.account, kind=AuditEvent.Kind.DMARC_REPORT_REPLAYED, target=report)
    from ..tasks import dmarc_ingest

    transaction.on_commit(lambda: dmarc_ingest.delay(report.pk))
    return True


@transaction.atomic
def reports_replay_refused(*, account: Account, actor) -> int:
    """Staff: count every refused report of the account again ("replay all"); returns how many were queued.
    Each is audited and queued like one replayed alone; those already waiting are not queued twice."""
    ids = list(DmarcReport.objects.filter(account=account).refused().values_list("pk", flat=True))
    reports = DmarcReport.objects.filter(pk__in=ids).defer("raw").select_related("account")
    return sum(report_replay(report=report, actor=actor) for report in reports)
