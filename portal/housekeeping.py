"""Retention: what the portal keeps, for how long, and the daily task that lets go of the rest.

Each rule names its setting (days; 0 keeps forever) and its default. Rows go in small batches, each its own
short transaction, so housekeeping never holds a long lock on a large table while the portal serves.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

log = logging.getLogger(__name__)
BATCH = 1000
TIME_BUDGET_SECONDS = 240  # a run stops here; the next day's run continues


@dataclass(frozen=True)
class Rule:
    name: str
    setting: str
    default_days: int
    older_than: Callable[[datetime], QuerySet]  # the rows past their time
    let_go: Callable[[QuerySet], int] = lambda rows: rows.delete()[0]  # noqa: E731 - default: delete

    def days(self) -> int:
        return int(getattr(settings, self.setting, self.default_days))


def _inbound(cutoff):
    """Processed and ignored messages; a case still open keeps its messages' bytes (its evidence) until resolved."""
    from cases.models import Case, InboundMessage

    done = [InboundMessage.Status.PROCESSED, InboundMessage.Status.IGNORED]
    rows = InboundMessage.objects.filter(status__in=done, received_at__lt=cutoff).exclude(raw=b"")
    return rows.filter(Q(case__isnull=True) | Q(case__status=Case.Status.RESOLVED))


def _forget_raw(rows) -> int:
    """The raw bytes go; the row stays (its fingerprint still recognises a late retry of the same message)."""
    return rows.update(raw=b"")


def _audit(cutoff):
    from accounts.models import AuditEvent

    return AuditEvent.objects.filter(created_at__lt=cutoff)


def _sweeps(cutoff):
    """Old sweeps that a later one of the account replaced: its latest sweep (the progress shown) and its latest
    done one ("checked N days ago") stay however old, or the blocklists page would say "Not checked yet"."""
    from deliverability.models import Sweep

    later = Sweep.objects.filter(account=OuterRef("account"), created_at__gt=OuterRef("created_at"))
    replaced = Q(Exists(later)) & (~Q(status=Sweep.State.DONE) | Q(Exists(later.filter(status=Sweep.State.DONE))))
    return Sweep.objects.filter(replaced, created_at__lt=cutoff)  # their chunks go with them; listing history stays


def _sent_mail(cutoff):
    from accounts.models import OutboundEmail

    return OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT, created_at__lt=cutoff)


def _rollups(cutoff):
    """Whole UTC months only: a month's report is either all there or gone, never a part counted as 100%."""
    from availability.models import SecondRollup

    month = cutoff.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return SecondRollup.objects.filter(second__lt=int(month.timestamp()))


def _batches(cutoff):
    from availability.models import IngestBatch

    return IngestBatch.objects.filter(created_at__lt=cutoff)


def _form_tokens(cutoff):
    from accounts.models import FormSubmission

    return FormSubmission.objects.filter(created_at__lt=cutoff)


def _exports(cutoff):
    from accounts.models import DataExport

    return DataExport.objects.filter(created_at__lt=cutoff).exclude(status=DataExport.Status.EXPIRED)


def _expire_exports(rows) -> int:
    """The zip file goes; the row stays as "Expired" (the audit trail points at it)."""
    from accounts.models import DataExport

    for export in rows.exclude(file=""):
        export.file.delete(save=False)
    return rows.update(status=DataExport.Status.EXPIRED, file="")


RULES = [
    Rule("inbound_raw", "RETAIN_INBOUND_RAW_DAYS", 90, _inbound, _forget_raw),
    Rule("audit_events", "RETAIN_AUDIT_DAYS", 730, _audit),
    Rule("blocklist_sweeps", "RETAIN_SWEEP_DAYS", 90, _sweeps),
    Rule("sent_emails", "RETAIN_SENT_EMAIL_DAYS", 90, _sent_mail),
    Rule("availability_seconds", "RETAIN_AVAILABILITY_DAYS", 400, _rollups),
    Rule("availability_batches", "RETAIN_AVAILABILITY_DAYS", 400, _batches),
    Rule("data_exports", "RETAIN_EXPORT_DAYS", 7, _exports, _expire_exports),  # issue 18: a link, not an archive
    Rule("form_submissions", "RETAIN_FORM_SUBMISSION_DAYS", 7, _form_tokens),  # a repeat comes within minutes
]


def apply(rule: Rule, now: datetime, deadline: float) -> int:
    days = rule.days()
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    total = 0
    while time.monotonic() < deadline:
        ids = list(rule.older_than(cutoff).values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        with transaction.atomic():
            total += rule.let_go(rule.older_than(cutoff).filter(pk__in=ids))
    return total


def housekeeping(now: datetime | None = None) -> dict[str, int]:
    """Apply every rule; one failing rule is logged and the others still run."""
    now = now or timezone.now()
    deadline = time.monotonic() + TIME_BUDGET_SECONDS
    done: dict[str, int] = {}
    for rule in RULES:
        try:
            done[rule.name] = apply(rule, now, deadline)
        except Exception:
            log.exception("housekeeping: %s failed", rule.name)
            done[rule.name] = -1
    log.info("housekeeping done: %s", done)
    return done
