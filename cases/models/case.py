from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import Account, TenantQuerySet
from core import choices
from core.text import MessageCharField

# The subject of a case opened from a Severity 1 call; stored as this id and the company, shown translated.
INTAKE_SUBJECT = gettext_noop("Severity 1 call: %(company)s")


class CaseQuerySet(models.QuerySet):
    """All tenant scoping of cases lives here."""

    def visible_to(self, user):
        return self.filter(account__in=Account.objects.visible_to(user))

    def open(self):
        return self.exclude(status=Case.Status.RESOLVED)

    def critical(self):
        return self.filter(severity=Case.Severity.CRITICAL)

    def due_for_sla_check(self, now):
        return self.filter(sla_check_at__lte=now).exclude(status=Case.Status.RESOLVED)

    def for_list(self):
        return self.select_related("account", "assignee")

    def for_page(self):
        """What a case page (customer's or staff's) reads besides the case: the TAMs, assignee and reporter."""
        return self.select_related("account__primary_tam", "account__backup_tam", "assignee", "reporter")

    def for_change(self, *, lean: bool = False):
        """The case under its row lock (``SELECT ... FOR UPDATE`` of the case alone: the joined rows may be on the
        nullable side of an outer join), with what a change reads besides it (``for_page``): how every service
        under ``cases.services.common.locked`` reads the case it changes. ``lean``: with its account alone (what
        routing an email reads; a change reads the rest if it needs it: the four joins cost more to build than
        the rest of the statement, issue 18). Unordered: a lock has no use for the list's order."""
        related = self.select_related("account") if lean else self.for_page()
        return related.select_for_update(of=("self",)).order_by()

    def for_kept_page(self):
        """A case page whose parts are kept in the panel cache (cases/fragments.py): the account alone. The TAMs,
        assignee and reporter are read only when a part showing them is drawn, not on every answer."""
        return self.select_related("account")

    def search(self, text: str, *, staff: bool = False):
        """Full-text search of subject, description and timeline; see cases/search.py."""
        from cases.search import matching  # cases.search builds on these models

        return matching(self, text, staff=staff)

    def assigned_to(self, user):
        return self.filter(assignee=user)

    def unassigned(self):
        return self.filter(assignee__isnull=True)

    def breached(self, now):
        """Past their next deadline (a clock ran out and nobody has acted since)."""
        return self.filter(next_deadline_at__lte=now)

    def next_breach(self, now, *, accounts, window: int = 100):
        """A moment after ``now`` at or before the first at which one of these cases of ``accounts`` turns
        ``breached`` by the clock alone (None: none ever will). The first ``window`` deadlines still ahead are read
        off the queue's index: the accounts' first among them, or else the last of them (no case of theirs falls
        due before it). Read per account, an agent's thousand accounts took 20 ms; a walk to their first one
        passed every other account's deadlines when theirs had none ahead (2 s at 1,000,000 cases)."""
        ahead = self.filter(next_deadline_at__gt=now).order_by("next_deadline_at")[:window]
        seen = self.model.objects.filter(pk__in=ahead.values("pk")).aggregate(
            theirs=models.Min("next_deadline_at", filter=Q(account__in=accounts)),
            last=models.Max("next_deadline_at"),
            read=models.Count("pk"),
        )
        return seen["theirs"] if seen["theirs"] is not None or seen["read"] < window else seen["last"]

    def by_next_deadline(self):
        return self.order_by(models.F("next_deadline_at").asc(nulls_last=True), "-created_at")


class Case(models.Model):
    class Severity(models.TextChoices):
        # MISSION: CR-0 — a software bug causing permanent (sustained) unavailability.
        CRITICAL = "critical", _("Critical (Severity 1)")
        # MISSION: NC-0 — a bug without sustained unavailability, a configuration request, or a question.
        NON_CRITICAL = "non_critical", _("Non-critical")

    class Category(models.TextChoices):
        BUG = "bug", _("Software bug")
        CONFIGURATION = "configuration", _("Configuration request")
        INFORMATION = "information", _("Request for information")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Portal")
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on the customer")
        RESOLUTION_PROPOSED = "resolution_proposed", _("Resolution proposed")
        RESOLVED = "resolved", _("Resolved")

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="cases")
    number = models.CharField(_("number"), max_length=32, unique=True)
    # What the customer typed, or (a case opened from a Severity 1 call) a message in the reader's language.
    subject = MessageCharField(_("subject"), max_length=200, msgids=[INTAKE_SUBJECT])
    description = models.TextField(_("description"))
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices, default=Severity.NON_CRITICAL)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.BUG)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.PORTAL)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.NEW)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_cases",
    )
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("followers"), blank=True, related_name="followed_cases"
    )
    # MISSION: NC-4 — the assigned agent has primary responsibility for contact with the customer.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    # Who to call back on a critical case (MISSION CR-2).
    callback_requested = models.BooleanField(_("callback requested"), default=False)
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)

    # Stored deadlines: computed once when a clock starts, never rewritten by a later calendar change.
    response_due_at = models.DateTimeField(_("response due"), null=True, blank=True)
    # When the running response clock started (or resumed): its warning falls half-way through a short clock.
    response_started_at = models.DateTimeField(_("response clock started"), null=True, blank=True)
    response_paused_remaining = models.DurationField(_("response time left when paused"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    callback_due_at = models.DateTimeField(_("callback due"), null=True, blank=True)
    callback_done_at = models.DateTimeField(_("called back"), null=True, blank=True)
    update_interval = models.DurationField(_("update interval"), default=timedelta(minutes=60))
    next_update_due_at = models.DateTimeField(_("next update due"), null=True, blank=True)
    last_update_at = models.DateTimeField(_("last update"), null=True, blank=True)
    workaround_delivered_at = models.DateTimeField(_("workaround delivered"), null=True, blank=True)
    # When the update interval was last agreed with the customer (after a workaround, updates follow it only).
    cadence_agreed_at = models.DateTimeField(_("update interval agreed"), null=True, blank=True)
    resolution_proposed_at = models.DateTimeField(_("resolution proposed"), null=True, blank=True)
    resolution_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # Derived from the clocks above by cases.sla; stored so the queue sorts and the sweep finds work by index.
    next_deadline_at = models.DateTimeField(_("next deadline"), null=True, blank=True, editable=False)
    sla_check_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Issue 15: a duplicate merged into another case of the same account is closed and points at it; mail
    # that answers it threads onto that case (cases.email.ingest).
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
    )
    # Related cases of the same account, shown on both (a symmetrical link).
    related_cases = models.ManyToManyField("self", verbose_name=_("related cases"), blank=True)

    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="case_account_recent"),
            models.Index(fields=["account", "status", "-created_at"], name="case_account_status"),
            # The customer's default list (open cases, newest first) and its count, as index-only scans.
            models.Index(fields=["account", "-created_at"], name="case_account_open", condition=~Q(status="resolved")),
            # The staff queue's order, open cases only: the first page is read off the index, with no sort
            # (PostgreSQL's ascending order already puts NULLs last, as the queue wants).
            models.Index(
                fields=["next_deadline_at", "-created_at"], name="case_queue_open", condition=~Q(status="resolved")
            ),
            # A TAM's "past a deadline" view and its count: each of their accounts' open cases by deadline. With
            # the queue's index alone PostgreSQL re-read every account's breached cases once per account of the
            # TAM (0.4 s at 1,000,000 cases).
            models.Index(
                fields=["account", "next_deadline_at"],
                name="case_account_deadline_open",
                condition=~Q(status="resolved"),
            ),
            # The SLA sweep reads only what is due.
            models.Index(fields=["sla_check_at"], name="case_sla_check", condition=Q(sla_check_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    def get_absolute_url(self):
        return reverse("case-detail", kwargs={"slug": self.account.slug, "number": self.number})

    # Lists and the queue show these on every row (core/choices.py: the same text, one translation).
    def get_status_display(self) -> str:
        return choices.label(self.Status, self.status)

    def get_severity_display(self) -> str:
        return choices.label(self.Severity, self.severity)

    def get_category_display(self) -> str:
        return choices.label(self.Category, self.category)

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.RESOLVED

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    def destination(self) -> "Case":
        """Where this case's conversation goes on: itself, or the case it was merged into (followed along a
        chain of merges, at most a few hops)."""
        case = self
        for _hop in range(5):
            if case.merged_into_id is None:
                break
            case = case.merged_into
        return case

    @property
    def is_critical(self) -> bool:
        return self.severity == self.Severity.CRITICAL

    @property
    def updates_owed(self) -> bool:
        """MISSION: CR-3, CR-4 — a critical case gets updates at the agreed interval, 24/7, until a workaround is
        delivered; after it, only at an interval agreed with the customer since (none agreed: no update clock)."""
        if not self.is_critical:
            return False
        if self.workaround_delivered_at is None:
            return True
        return self.cadence_agreed_at is not None and self.cadence_agreed_at >= self.workaround_delivered_at

    @property
    def callback_pending(self) -> bool:
        return self.callback_due_at is not None and self.callback_done_at is None


class CaseSequence(models.Model):
    """The last case number handed out per account (numbers are per account: ACME-000042)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, primary_key=True, related_name="+")
    prefix = models.CharField(max_length=16, unique=True)
    last = models.PositiveIntegerField(default=0)

    objects = TenantQuerySet.as_manager()

    def __str__(self):
        return f"{self.account_id}: {self.last}"
