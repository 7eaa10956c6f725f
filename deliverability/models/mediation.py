from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, AuditEvent


class MediationRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(account__in=Account.objects.visible_to(user))

    def for_staff(self, user):
        return self.filter(account__in=Account.objects.staffed_by(user))

    def open(self):
        """Submitted and not yet resolved or given up: the TAM's work."""
        return self.filter(status__in=MediationRequest.OPEN)


class MediationRequest(models.Model):
    """A Tier 1 ISP block-resolution request on the standard form (MISSION: DLV-3, DLV-4)."""

    class Provider(models.TextChoices):
        GMAIL = "gmail", "Gmail (Google)"
        MICROSOFT = "microsoft", "Microsoft (Outlook.com, Hotmail)"
        YAHOO = "yahoo", "Yahoo / AOL"
        APPLE = "apple", "Apple (iCloud)"
        OTHER = "other", _("Another mailbox provider")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RESPONDED = "responded", _("Provider responded")
        RESOLVED = "resolved", _("Resolved")
        NOT_RESOLVED = "not_resolved", _("Not resolved")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mediation_requests")
    provider = models.CharField(_("mailbox provider"), max_length=12, choices=Provider.choices)
    provider_name = models.CharField(_("provider name"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    ips = models.JSONField(_("affected IPs"), default=list, blank=True)
    domains = models.JSONField(_("affected domains"), default=list, blank=True)
    bounce_text = models.TextField(_("bounce or deferral text"))
    first_seen = models.DateField(_("first seen"))
    daily_volume = models.PositiveIntegerField(_("messages a day to this provider"))
    affected_percent = models.PositiveSmallIntegerField(_("share affected (%)"))
    complaint_rate = models.DecimalField(_("complaint rate (%)"), max_digits=5, decimal_places=3, null=True, blank=True)
    sample_headers = models.TextField(_("sample message headers"), blank=True)
    recent_changes = models.TextField(_("what changed recently"), blank=True)
    preconditions = models.JSONField(_("preconditions"), default=dict, blank=True)  # as checked at submission
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    provider_response = models.TextField(_("provider's response"), blank=True)

    OPEN = (Status.SUBMITTED, Status.RESPONDED)

    objects = MediationRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediation request")
        verbose_name_plural = _("mediation requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account", "-created_at"], name="mediation_account_recent")]

    def __str__(self):
        return f"{self.account} · {self.provider_label} · {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("mediation", kwargs={"slug": self.account.slug, "pk": self.pk})

    @property
    def provider_label(self) -> str:
        return (
            self.provider_name
            if self.provider == self.Provider.OTHER and self.provider_name
            else self.get_provider_display()
        )

    def history(self) -> list[dict]:
        """Each step, oldest first, from the request's audit rows: when, by whom, the status it reached (in
        the reader's language) and the note. Steps copied from before the audit trail name the person only."""
        rows = []
        events = AuditEvent.objects.for_target(self).filter(kind=AuditEvent.Kind.MEDIATION_CHANGED)
        for event in events.select_related("actor").order_by("created_at", "id"):
            status = event.details.get("status", "")
            rows.append(
                {
                    "at": event.created_at,
                    "by": event.actor.get_full_name() if event.actor else event.details.get("by", ""),
                    "status": self.Status(status).label if status in self.Status.values else status,
                    "note": event.details.get("note", ""),
                }
            )
        return rows

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN
