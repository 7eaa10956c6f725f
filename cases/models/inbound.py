from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, TenantQuerySet
from core.text import MessageField, render

from .case import Case
from .timeline import CaseEvent


class InboundMessageQuerySet(TenantQuerySet):
    unmatched_to_staff = True  # a message not matched to an account yet waits for a person to place it

    def needs_staff(self, now=None):
        """Quarantined and failed messages, and those still not processed ``STALE_AFTER`` after they came."""
        now = now or timezone.now()
        return self.filter(
            Q(status__in=[InboundMessage.Status.QUARANTINED, InboundMessage.Status.FAILED]) | _stale_received(now)
        )

    def unclaimed(self, now):
        """Nobody is working on them: never claimed, or claimed by a worker that died (``CLAIM_FOR`` ago)."""
        return self.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - InboundMessage.CLAIM_FOR))

    def stale(self, now):
        """Stored but never processed to the end (the process died after storing it): the beat's work."""
        return self.filter(_stale_received(now)).unclaimed(now).order_by("received_at", "id")


def _stale_received(now) -> Q:
    """Still ``received`` ``STALE_AFTER`` after it came: whatever stored it died before processing it."""
    return Q(status=InboundMessage.Status.RECEIVED, received_at__lt=now - InboundMessage.STALE_AFTER)


class InboundMessage(models.Model):
    """Every email that reaches the support addresses, stored as raw bytes before anything else happens.
    Nothing is lost: a message that cannot be processed stays here for staff to assign or replay.

    Processing claims a message first (``claimed_at``, ``attempts``, committed on their own), so a second
    delivery of it at the same time does nothing, and a claim left by a process that died runs out after
    ``CLAIM_FOR``. A message still ``received`` after ``STALE_AFTER`` is processed again by the beat
    (``cases.tasks.retry_inbound``); after ``MAX_ATTEMPTS`` claims that never finished it is marked failed
    and waits in "Needs attention"."""

    STALE_AFTER = timedelta(minutes=5)
    CLAIM_FOR = timedelta(minutes=5)  # longer than processing takes (the beat task's limit is 4 minutes)
    MAX_ATTEMPTS = 3

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Added to a case")
        IGNORED = "ignored", _("Ignored")
        QUARANTINED = "quarantined", _("Quarantined")
        FAILED = "failed", _("Failed")

    class Source(models.TextChoices):
        PIPE = "pipe", _("MTA pipe")
        WEBHOOK = "webhook", _("Inbound webhook")
        REPLAY = "replay", _("Replayed by staff")

    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.PIPE)
    envelope_sender = models.CharField(_("envelope sender"), max_length=320, null=True, blank=True)
    envelope_recipient = models.CharField(_("envelope recipient"), max_length=320, blank=True)
    raw = models.BinaryField(_("raw message"))
    size = models.PositiveIntegerField(_("size"))
    fingerprint = models.CharField(max_length=64, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True, db_index=True)
    sender = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    result = models.CharField(_("result"), max_length=12, blank=True)
    # What became of it, made by a worker: a core.text message, shown in the reader's language. Rows written
    # before hold the English sentence, read as a msgid (cases/migrations/0008_inbound_reason_message.py).
    reason = MessageField(_("reason"), blank=True, legacy_msgid=True)
    error = models.TextField(_("error"), blank=True)
    account = models.ForeignKey(Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_messages")
    event = models.ForeignKey(CaseEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    processed_at = models.DateTimeField(null=True, blank=True)
    # How the sender was verified (issue 14): ``cases.email.verify`` (dmarc, dkim, spf, unverified, released; empty
    # when not believed), and in words for staff ("dmarc=pass header.from=globex.test").
    verified_how = models.CharField(_("sender verified by"), max_length=12, blank=True)
    verified_by = MessageField(_("sender verification"), blank=True)
    # Why it waits for a person, made by a worker: a core.text message (``to_json``), translated when shown.
    attention = models.JSONField(default=dict, blank=True, editable=False)

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "-received_at"], name="inbound_status")]

    def __str__(self):
        return f"{self.sender or '?'}: {self.subject or '(no subject)'}"

    @property
    def attention_text(self) -> str:
        """``attention`` in the reader's language."""
        return render(self.attention or "")
