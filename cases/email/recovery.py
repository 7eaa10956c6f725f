"""Inbound messages stored but never processed to the end, processed again (issue 12; MISSION: nothing the
customer sent is ever lost).

An ``ingest_email`` that dies after storing the raw message (out of memory, the MTA's timeout, a dropped
database) leaves it ``received``. Every minute the beat runs ``retry_stale``: each message still ``received``
``InboundMessage.STALE_AFTER`` after it came, and claimed by nobody alive, is processed again, each on its
own, so one bad message never stops the others. A message that was claimed ``MAX_ATTEMPTS`` times and never
finished (it kills whatever processes it) is marked failed with the reason and waits in "Needs attention".
"""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from cases.models import InboundMessage
from core.text import _, to_json

from . import ingest

log = logging.getLogger(__name__)
BATCH = 50
GAVE_UP = _(
    "Processing started %(attempts)s times and never finished (the process may have run out of memory or "
    "time). It is no longer retried automatically: process it again or assign it."
)


def retry_stale(*, now=None, batch: int = BATCH) -> int:
    """Process the stale messages again; returns how many were tried."""
    now = now or timezone.now()
    taken = 0
    for pk, attempts in InboundMessage.objects.stale(now).values_list("pk", "attempts")[:batch]:
        try:
            if attempts >= InboundMessage.MAX_ATTEMPTS:
                if give_up(pk, attempts=attempts, now=now):
                    log.warning("inbound message %s: gave up after %s attempts", pk, attempts)
            else:
                ingest.process(pk, now=now)
            taken += 1
        except SoftTimeLimitExceeded:
            raise  # out of time: the rest waits for the next run
        except Exception:  # noqa: BLE001 - one message that cannot even be claimed never stops the others
            log.exception("inbound message %s: processing it again failed", pk)
    return taken


def give_up(message_id: int, *, attempts: int, now) -> bool:
    """Mark a message that keeps dying as failed, with the reason, unless someone holds it right now."""
    return bool(
        InboundMessage.objects.filter(pk=message_id, status=InboundMessage.Status.RECEIVED)
        .unclaimed(now)
        .update(
            status=InboundMessage.Status.FAILED,
            result="failed",
            claimed_at=None,
            attention=to_json(GAVE_UP % {"attempts": attempts}),
        )
    )
