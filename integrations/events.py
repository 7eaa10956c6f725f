"""The one way an event leaves the portal for the places an account chose (issues 19 and 20).

``emit(account=, type=, data=)`` is called by a service inside the transaction of the change it reports
(``case_open``, a listing recorded, an incident opened…): one delivery row per destination subscribed to
the event type is written in that transaction, so the rows commit with the change or not at all, and the
sending starts only after the commit (``transaction.on_commit``). This module imports ``accounts`` only;
the apps where events happen import it, never the other way round.

``data`` holds the facts of the event: plain values, times (``at``), a link (``url``) and messages or lazy
text (a status label), which the JSON event carries in English and a chat message in the destination's
language."""

import uuid

from django.db import transaction
from django.utils import timezone

from core.commit import kick

from .models import Delivery, Destination, EventType
from .payloads import body_for


def new_event_id() -> str:
    return f"evt_{uuid.uuid4().hex}"


def deliveries_for(destinations, *, account, type: str, data: dict) -> list[Delivery]:  # noqa: A002
    """One unsaved delivery per destination: the same event id, each in its destination's form."""
    event = {"event_id": new_event_id(), "type": type, "created": timezone.now(), "account": account, "data": data}
    return [
        Delivery(destination=d, event_id=event["event_id"], event_type=type, body=body_for(d, **event))
        for d in destinations
    ]


def wanted(account, type: str) -> bool:  # noqa: A002
    """Whether any destination of ``account`` takes ``type``: a caller whose event is costly to describe asks first."""
    return bool(Destination.objects.subscribed(account, type))


def emit(*, account, type: str, data: dict) -> int:  # noqa: A002
    """Queue ``type`` for every enabled destination of ``account`` subscribed to it; returns how many."""
    if type not in EventType.values:
        raise ValueError(f"not an event type: {type}")
    destinations = Destination.objects.subscribed(account, type)
    if not destinations:
        return 0
    rows = Delivery.objects.bulk_create(deliveries_for(destinations, account=account, type=type, data=data))
    transaction.on_commit(_kick)
    return len(rows)


def _kick():
    from .tasks import drain_webhooks

    kick(drain_webhooks)
