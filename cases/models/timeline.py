import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import TenantQuerySet
from core import choices
from core.text import from_json

from .case import Case


class CaseEventQuerySet(TenantQuerySet):
    account_path = "case__account"


class CaseEvent(models.Model):
    """The timeline, and the audit trail: every change to a case is one row, written in the same transaction."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        ACKNOWLEDGED = "acknowledged", _("Automatic acknowledgement")
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        STATUS_CHANGED = "status_changed", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        CALLBACK_LOGGED = "callback_logged", _("Callback logged")
        UPDATE_POSTED = "update_posted", _("Status update")
        CADENCE_CHANGED = "cadence_changed", _("Update interval agreed")
        WORKAROUND_DELIVERED = "workaround_delivered", _("Workaround delivered")
        RESOLUTION_PROPOSED = "resolution_proposed", _("Resolution proposed")
        RESOLUTION_ACCEPTED = "resolution_accepted", _("Resolution accepted")
        RESOLUTION_REJECTED = "resolution_rejected", _("Resolution rejected")
        AGREEMENT_RECORDED = "agreement_recorded", _("Agreement recorded by TAM")
        REOPENED = "reopened", _("Reopened")
        PHONE_INTAKE = "phone_intake", _("Severity 1 call taken")
        SLA_WARNING = "sla_warning", _("Deadline approaching")
        SLA_BREACH = "sla_breach", _("Deadline missed, escalated to TAM")
        RESOLUTION_REMINDER = "resolution_reminder", _("Reminder about the proposed resolution")
        BOUNCE = "bounce", _("Our email bounced")
        CLASSIFICATION_CHANGED = "classification_changed", _("Severity or category changed")
        CLASSIFICATION_REQUESTED = "classification_requested", _("Change of severity or category requested")
        CLASSIFICATION_DECLINED = "classification_declined", _("Requested change declined")
        ESCALATED = "escalated", _("Escalated to the TAM by the customer")
        ESCALATION_ACKNOWLEDGED = "escalation_acknowledged", _("Escalation taken up by the TAM")
        RATED = "rated", _("Resolution rated by the customer")
        MERGED_INTO = "merged_into", _("Merged into another case")
        MERGED_FROM = "merged_from", _("A duplicate case was merged into this one")
        LINKED = "linked", _("Related case linked")
        UNLINKED = "unlinked", _("Related case unlinked")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    # Customers see public events only; internal notes and staff-only events never reach them.
    public = models.BooleanField(_("visible to the customer"), default=True)
    body = models.TextField(_("text"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="caseevent_case_time")]

    def __str__(self):
        return f"{self.case.number} {self.get_kind_display()}"

    def get_kind_display(self) -> str:
        # Every entry of a timeline shows it: one translation, not thirty (core/choices.py).
        return choices.label(self.Kind, self.kind)

    @property
    def text(self):
        """What the event says: words the portal wrote (``details["text"]``, a core.text message shown in the
        reader's language) or the body as its author wrote it. The body is never read as a message."""
        stored = (self.details or {}).get("text")
        return from_json(stored) if stored else self.body

    @property
    def sender_check(self):
        """How the author was known (issue 14), for staff: "dmarc=pass header.from=globex.test", "portal sign-in",
        "unverified — released by Tina"...; "" for events written before it was recorded."""
        stamp = (self.details or {}).get("sender") or {}
        return from_json(stamp.get("text", ""))

    @property
    def sender_mark(self) -> str:
        """For customers: the mechanism that verified an email's sender (DMARC, DKIM, SPF), else ""."""
        how = ((self.details or {}).get("sender") or {}).get("how", "")
        return how.upper() if how in ("dmarc", "dkim", "spf") else ""

    @property
    def refused_attachments(self) -> list:
        """Why files of an email were not kept: messages, or English text in rows written before them."""
        return [from_json(reason) for reason in (self.details or {}).get("refused_attachments", [])]


def attachment_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"case-attachments/{instance.case.account_id}/{instance.case_id}/{uuid.uuid4().hex}{suffix}"


class CaseAttachmentQuerySet(TenantQuerySet):
    account_path = "case__account"


class CaseAttachment(models.Model):
    """Files stored outside static files, served only through a permission-checked download view."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="attachments", null=True, blank=True)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name


class SlaAlertQuerySet(TenantQuerySet):
    account_path = "case__account"


class SlaAlert(models.Model):
    """One row per warning or breach of one deadline: the unique constraint makes the sweep idempotent."""

    class Clock(models.TextChoices):
        RESPONSE = "response", _("response")
        CALLBACK = "callback", _("callback")
        UPDATE = "update", _("next update")

    class Level(models.TextChoices):
        WARNING = "warning", _("warning")
        BREACH = "breach", _("breach")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sla_alerts")
    clock = models.CharField(max_length=10, choices=Clock.choices)
    level = models.CharField(max_length=10, choices=Level.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    # MISSION: TAM-4 — the TAM said "I'm on it" (recorded on the case's timeline too).
    acknowledged_at = models.DateTimeField(_("taken up"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken up by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SlaAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        constraints = [models.UniqueConstraint(fields=["case", "clock", "level", "due_at"], name="slaalert_once")]

    def __str__(self):
        return f"{self.case_id} {self.clock} {self.level} {self.due_at:%Y-%m-%d %H:%M}"


class PendingNotificationQuerySet(TenantQuerySet):
    account_path = "event__case__account"


class PendingNotification(models.Model):
    """ "Tell the people concerned about this event", written in the same transaction as the event. A Celery
    task expands it into emails in the durable outbox (recipients, languages, rendering) outside the change's
    transaction: the change stays fast and nothing is lost if the broker or a worker is down."""

    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="+")
    extra_staff = models.JSONField(default=list, blank=True)
    dedupe = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PendingNotificationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"notify about event {self.event_id}"
