from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Account

from .case import Case
from .timeline import CaseEvent


class InboundMessageQuerySet(models.QuerySet):
    def needs_staff(self):
        return self.filter(status__in=[InboundMessage.Status.QUARANTINED, InboundMessage.Status.FAILED])


class InboundMessage(models.Model):
    """Every email that reaches the support addresses, stored as raw bytes before anything else happens.
    Nothing is lost: a message that cannot be processed stays here for staff to assign or replay."""

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
    reason = models.TextField(_("reason"), blank=True)
    error = models.TextField(_("error"), blank=True)
    account = models.ForeignKey(Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_messages")
    event = models.ForeignKey(CaseEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "-received_at"], name="inbound_status")]

    def __str__(self):
        return f"{self.sender or '?'}: {self.subject or '(no subject)'}"
