from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
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
        RETURNED = "returned", _("Returned: carry these out first")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Reputation(models.TextChoices):
        """Google Postmaster Tools' reputation scale (facts: reputation.md)."""

        HIGH = "HIGH", _("High")
        MEDIUM = "MEDIUM", _("Medium")
        LOW = "LOW", _("Low")
        BAD = "BAD", _("Bad")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mediation_requests")
    provider = models.CharField(_("mailbox provider"), max_length=12, choices=Provider.choices)
    provider_name = models.CharField(_("provider name"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    ips = models.JSONField(_("affected IPs"), default=list, blank=True)
    domains = models.JSONField(_("affected domains"), default=list, blank=True)
    # Sizes are bounded (issue 16): a pasted bounce line, a few headers, a paragraph, never a mailbox dump.
    bounce_text = models.TextField(_("bounce or deferral text"), max_length=2000)
    first_seen = models.DateField(_("first seen"))
    daily_volume = models.PositiveIntegerField(
        _("messages a day to this provider"), validators=[MinValueValidator(1), MaxValueValidator(1_000_000_000)]
    )
    affected_percent = models.PositiveSmallIntegerField(
        _("share affected (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    complaint_rate = models.DecimalField(_("complaint rate (%)"), max_digits=5, decimal_places=3, null=True, blank=True)
    sample_headers = models.TextField(_("sample message headers"), max_length=20000, blank=True)
    recent_changes = models.TextField(_("what changed recently"), max_length=2000, blank=True)
    # issue 19: what DMARC aggregate reports measured, attached by the customer (a snapshot when saved)
    dmarc_evidence = models.TextField(_("DMARC evidence"), blank=True, db_default="")
    # What each provider's own sender-support form asks for (MISSION: DLV-3; mediation/providers.py).
    ndr_code = models.CharField(
        _("enhanced status code in the bounce"),
        max_length=9,
        blank=True,
        db_default="",  # columns added after release carry a database default (tests/portal/test_migrations_safe.py)
        validators=[RegexValidator(r"^[245]\.\d{1,3}\.\d{1,3}$", _("An enhanced status code such as 5.7.515."))],
    )
    snds_enrolled = models.BooleanField(_("the IPs are registered in SNDS"), default=False, db_default=False)
    jmrp_enrolled = models.BooleanField(
        _("enrolled in JMRP (Junk Mail Reporting Program)"), default=False, db_default=False
    )
    cfl_enrolled = models.BooleanField(
        _("enrolled in Yahoo's Complaint Feedback Loop"), default=False, db_default=False
    )
    dkim_domain = models.CharField(_("DKIM d= domain"), max_length=253, blank=True, db_default="")
    spam_rate = models.DecimalField(
        _("Postmaster Tools spam rate (%)"), max_digits=5, decimal_places=3, null=True, blank=True
    )
    domain_reputation = models.CharField(
        _("Postmaster Tools domain reputation"), max_length=6, choices=Reputation.choices, blank=True, db_default=""
    )
    ip_reputation = models.CharField(
        _("Postmaster Tools IP reputation"), max_length=6, choices=Reputation.choices, blank=True, db_default=""
    )
    returned_items = models.JSONField(_("to carry out first"), default=list, blank=True, db_default=[])
    preconditions = models.JSONField(_("preconditions"), default=dict, blank=True)  # as checked at submission
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    provider_response = models.TextField(_("provider's response"), max_length=5000, blank=True)

    OPEN = (Status.SUBMITTED, Status.RESPONDED)
    EDITABLE = (Status.DRAFT, Status.RETURNED)  # the customer's to change and submit
    WITHDRAWABLE = (Status.SUBMITTED, Status.RESPONDED, Status.RETURNED)

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
                    "comment": event.details.get("comment", ""),
                    "items": event.details.get("items", []),
                }
            )
        return rows

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    def customer_recipients(self) -> list:
        """Who at the customer hears what happened: whoever asked, the account's admins and its alert
        contacts (``notify`` writes each address once)."""
        asker = [self.created_by] if self.created_by and self.created_by.is_active else []
        return [*asker, *self.account.admin_users(), *self.account.contacts.receiving_alerts()]
