"""django-anymail's inbound signal → the same pipeline as the MTA pipe. Thin: the logic is in ``ingest``.

If storing fails the exception propagates, anymail answers 500, and the provider retries the delivery.
"""

import logging

from anymail.signals import inbound
from django.dispatch import receiver

from cases.models import InboundMessage

from .ingest import receive

log = logging.getLogger(__name__)


@receiver(inbound, dispatch_uid="cases.email.inbound")
def handle_inbound(sender, event, esp_name, **kwargs):
    message = event.message
    raw = message.as_bytes()
    outcome = receive(
        raw,
        source=InboundMessage.Source.WEBHOOK,
        envelope_sender=getattr(message, "envelope_sender", None),
        envelope_recipient=getattr(message, "envelope_recipient", "") or "",
    )
    log.info("inbound email via %s: %s", esp_name, outcome.as_dict())
