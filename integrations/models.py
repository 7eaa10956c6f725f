"""Where an account's events go (issues 19 and 20, one mechanism): destinations (a Slack or Microsoft Teams
incoming webhook, or a signed HTTPS endpoint) subscribed to event types, the deliveries waiting for them
(a transactional outbox like ``accounts/outbox.py``) and each attempt's log line.

This app imports ``accounts`` only; the apps where events happen import ``integrations.events.emit``."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, TenantQuerySet
from accounts.timezones import TimeZoneField


class EventType(models.TextChoices):
    """The event types a destination subscribes to; the value is the ``type`` of the JSON event (stable API)."""

    CASE_OPENED = "case.opened", _("Case opened")
    CASE_CRITICAL = "case.critical", _("Severity 1 case opened")
    CASE_UPDATED = "case.updated", _("Case status changed")
    CASE_RESOLVED = "case.resolved", _("Case resolved")
    LISTING = "blocklist.listed", _("Listed on a blocklist")
    DELISTING = "blocklist.delisted", _("Delisted from a blocklist")
    AUTH_REGRESSION = "authentication.failing", _("Sender authentication started failing")
    INCIDENT_STARTED = "incident.started", _("Availability incident started")
    INCIDENT_ENDED = "incident.ended", _("Availability incident ended")
    WARMUP_DECISION = "warmup.decision", _("Warm-up decision: hold or step back")
    SNDS_RED = "reputation.snds_red", _("Microsoft SNDS: an IP turned red or hit spam traps")
    REPUTATION_DROPPED = "reputation.dropped", _("Mailbox-provider reputation dropped")
    TEST = "test", _("Test event")


class DestinationQuerySet(TenantQuerySet):
    def subscribed(self, account, event_type: str) -> list:
        """The enabled destinations of ``account`` that want ``event_type`` (a test goes to one, never here).
        Chosen in Python: an account has a handful, and JSON ``contains`` is not on every database."""
        return [d for d in self.filter(account=account, enabled=True) if event_type in d.event_types]


class Destination(models.Model):
    """One place an account's events go. The secret signs HTTPS deliveries; it is shown once after it is made
    (then only its last four characters); after a rotation the previous one stays valid until
    ``previous_secret_until`` (24 hours)."""

    class Kind(models.TextChoices):
        SLACK = "slack", _("Slack incoming webhook")
        TEAMS = "teams", _("Microsoft Teams incoming webhook")
        HTTPS = "https", _("HTTPS endpoint (signed JSON)")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="destinations")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=80)
    url = models.URLField(_("URL"), max_length=500)
    event_types = models.JSONField(_("events"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    timezone = TimeZoneField(_("time zone"), default="Europe/Warsaw")
    secret = models.CharField(max_length=64, editable=False)
    previous_secret = models.CharField(max_length=64, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DestinationQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert destination")
        verbose_name_plural = _("alert destinations")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    @staticmethod
    def new_secret() -> str:
        return f"whsec_{secrets.token_hex(24)}"

    @property
    def secret_hint(self) -> str:
        """What the pages show of the secret after it was shown once: its last four characters."""
        return f"…{self.secret[-4:]}"

    def signing_secrets(self, now=None) -> list[str]:
        """The secrets a receiver may verify with now: the current one, and the previous one within 24 hours."""
        now = now or timezone.now()
        keep = self.previous_secret and self.previous_secret_until and now < self.previous_secret_until
        return [self.secret, self.previous_secret] if keep else [self.secret]


class DeliveryQuerySet(TenantQuerySet):
    account_path = "destination__account"

    def ready(self, now):
        return self.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)


class Delivery(models.Model):
    """One event on its way to one destination. ``body`` is the JSON event (HTTPS) or the chat message
    (Slack/Teams) as sent, made once when the event happened, so every retry sends the same bytes."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(_("event"), max_length=40, db_index=True)
    event_type = models.CharField(_("event type"), max_length=32, choices=EventType.choices)
    body = models.TextField()
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="integrations_delivery_due")]

    def __str__(self):
        return f"{self.event_type} → {self.destination_id}"


class AttemptQuerySet(TenantQuerySet):
    account_path = "delivery__destination__account"


class Attempt(models.Model):
    """One try of one delivery: what the endpoint answered (status, the first 1,000 characters of the body),
    how long it took, or why nothing was answered."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(_("time"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response = models.TextField(_("response"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.delivery_id} {self.status_code or self.error}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
