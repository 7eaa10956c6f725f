"""django-anymail's inbound signal → the same pipeline as the MTA pipe. Thin: the logic is in ``ingest``.

If storing fails the exception propagates, anymail answers 500, and the provider retries the delivery.
SparkPost (the provider's own relay webhooks) gets a view of its own that keeps the exact bytes: anymail's
decodes them as UTF-8 (8-bit windows-1250 mail would fail) and hands on a re-serialised message (which
breaks DKIM signatures and refolds headers). Nothing the customer sent should change on the way in.
"""

import logging
from base64 import b64decode

from anymail.exceptions import AnymailConfigurationError
from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent, EventType, inbound
from anymail.webhooks.sparkpost import SparkPostInboundWebhookView
from django.dispatch import receiver

from cases.models import InboundMessage

from .ingest import receive

log = logging.getLogger(__name__)


@receiver(inbound, dispatch_uid="cases.email.inbound")
def handle_inbound(sender, event, esp_name, **kwargs):
    message = event.message
    raw = getattr(message, "raw_bytes", None) or message.as_bytes()
    outcome = receive(
        raw,
        source=InboundMessage.Source.WEBHOOK,
        envelope_sender=getattr(message, "envelope_sender", None),
        envelope_recipient=getattr(message, "envelope_recipient", "") or "",
    )
    log.info("inbound email via %s: %s", esp_name, outcome.as_dict())


class SparkPostRawInboundView(SparkPostInboundWebhookView):
    """SparkPost relay webhooks, as anymail handles them (basic auth, batching), keeping the raw bytes."""

    def esp_to_anymail_event(self, event_class, event, raw_event):
        if event_class != "relay_message" or event.get("protocol") != "smtp":
            raise AnymailConfigurationError("Point only SparkPost's SMTP relay webhook at this URL.")
        content = event["content"]
        if content.get("email_rfc822_is_base64"):
            raw = b64decode(content["email_rfc822"])
        else:
            raw = content["email_rfc822"].encode("utf-8", "surrogateescape")
        message = AnymailInboundMessage.parse_raw_mime_bytes(raw)
        message.raw_bytes = raw
        message.envelope_sender = event.get("msg_from", None)
        message.envelope_recipient = event.get("rcpt_to", None)
        return AnymailInboundEvent(
            event_type=EventType.INBOUND, timestamp=None, event_id=None, esp_event=raw_event, message=message
        )
