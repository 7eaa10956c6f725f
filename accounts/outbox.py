"""Write notifications to the durable outbox, and drain it.

``outbox_enqueue`` is called inside the transaction of the change it reports; the row commits with the
change or not at all. ``outbox_drain`` claims pending rows (``SELECT ... FOR UPDATE SKIP LOCKED`` so
several workers share the work), sends them, and schedules retries with backoff. A row left in
"sending" by a worker that died is claimed again after ``STUCK_AFTER``. Rows are written by
``accounts.notify`` (render per language, headers); a part that must be made when the email leaves (a
secret link) is filled by the function its kind registered with ``made_at_send_time``.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.commit import kick, on_commit_once

from .models import OutboundEmail

log = logging.getLogger(__name__)
BATCH = 50
MAX_ATTEMPTS = 10
STUCK_AFTER = timedelta(minutes=6)  # just above the drain task's 5-minute time limit
_FILLERS: dict[str, Callable] = {}  # kind -> fill(row) -> body, see made_at_send_time


def outbox_enqueue(
    *,
    kind: str,
    to: list[str],
    subject: str,
    body: str,
    html_body: str = "",
    account=None,
    reference: str = "",
    headers: dict | None = None,
    dedupe_key: str | None = None,
):
    """Queue one email. With a ``dedupe_key`` the same notification is queued at most once."""
    recipients = sorted({addr.strip().lower() for addr in to if addr and addr.strip()})
    if not recipients:
        return None
    row = OutboundEmail(
        kind=kind,
        to=recipients,
        subject=subject[:300],
        body=body,
        html_body=html_body,
        account=account,
        reference=reference,
        headers=headers or {},
        dedupe_key=dedupe_key,
        next_attempt_at=timezone.now(),
    )
    if dedupe_key:
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            return None
    else:
        row.save()
    on_commit_once(_kick)
    return row


def _kick():
    from .tasks import drain_outbox

    kick(drain_outbox)


def _claim(now) -> list[int]:
    with transaction.atomic():
        stuck = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENDING, claimed_at__lt=now - STUCK_AFTER)
        stuck.update(status=OutboundEmail.Status.PENDING)
        ids = list(
            OutboundEmail.objects.ready(now)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at")
            .values_list("id", flat=True)[:BATCH]
        )
        OutboundEmail.objects.filter(id__in=ids).update(status=OutboundEmail.Status.SENDING, claimed_at=now)
    return ids


def outbox_drain(*, limit_batches: int = 20) -> int:
    """Send what is due. Returns how many were sent. One failure never stops the others. Rows of a batch that
    were not reached (the task's time limit came) go back to pending at once, not after ``STUCK_AFTER``."""
    sent = 0
    for _ in range(limit_batches):
        ids = _claim(timezone.now())
        if not ids:
            break
        connection = get_connection()  # one SMTP session per batch
        try:
            for row in OutboundEmail.objects.filter(id__in=ids):
                sent += _send(row, connection)
        finally:
            OutboundEmail.objects.filter(id__in=ids, status=OutboundEmail.Status.SENDING).update(
                status=OutboundEmail.Status.PENDING
            )
            try:
                connection.close()
            except Exception:  # noqa: BLE001, S110 - a connection that will not close is dropped anyway
                pass
    return sent


def outbox_due() -> bool:
    """Mail due now that no drain has taken yet."""
    return OutboundEmail.objects.ready(timezone.now()).exists()


def made_at_send_time(kind: str):
    """Register ``fill(row) -> body`` for a kind of email with a part that is made when it leaves, never
    stored in the outbox (a set-password link). The app that owns the kind registers it when it is ready
    (``accounts/invitations.py``); the outbox knows no kind of email itself."""

    def register(fill: Callable[[OutboundEmail], str]):
        _FILLERS[kind] = fill
        return fill

    return register


def _body(row: OutboundEmail) -> str:
    fill = _FILLERS.get(row.kind)
    return fill(row) if fill is not None else row.body


def _send(row: OutboundEmail, connection=None) -> int:
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=_body(row),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=row.to,
        headers=row.headers,
        connection=connection,
    )
    if row.html_body:
        message.attach_alternative(row.html_body, "text/html")
    row.attempts += 1
    try:
        message.send()
    except SoftTimeLimitExceeded:
        raise  # the task is out of time: the finally in outbox_drain hands the row back
    except Exception as exc:  # noqa: BLE001 - record any delivery failure on the row and retry later
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = OutboundEmail.Status.FAILED
        else:
            row.status = OutboundEmail.Status.PENDING
            row.next_attempt_at = timezone.now() + timedelta(seconds=min(3600, 30 * 2 ** (row.attempts - 1)))
        row.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
        log.warning("outbox %s: %s", row.pk, row.last_error)
        return 0
    row.status, row.sent_at, row.last_error = OutboundEmail.Status.SENT, timezone.now(), ""
    row.save(update_fields=["status", "attempts", "sent_at", "last_error"])
    return 1
