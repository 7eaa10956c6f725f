from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Account, TenantQuerySet
from core.text import MessageField, from_json

from ..blocklists.dnsbl import Status
from .catalogue import Blocklist
from .targets import MonitoredTarget

STATUS_CHOICES = [
    (Status.LISTED.value, _("Listed")),
    (Status.CLEAR.value, _("Clear")),
    (Status.ERROR.value, _("Error")),
    (Status.UNKNOWN.value, _("Unknown")),
]


class SweepQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(account__in=Account.objects.visible_to(user))

    def unfinished(self):
        return self.filter(status__in=[Sweep.State.QUEUED, Sweep.State.RUNNING])

    def latest_for(self, account):
        """The account's most recent sweep, whatever its state (the progress bar shows it)."""
        return self.filter(account=account).order_by("-created_at").first()

    def last_finished(self, account):
        """The account's most recently finished successful sweep: what "checked N minutes ago" means."""
        return self.filter(account=account, status=Sweep.State.DONE).order_by("-finished_at").first()


class Sweep(models.Model):
    """One run over an account's targets: its progress, the resolver used and each zone's health check."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("sweep", "Failed")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Scheduled")
        MANUAL = "manual", _("Check now")
        ADDED = "added", _("Targets added")

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="sweeps")
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    queries_total = models.PositiveIntegerField(default=0)
    queries_done = models.PositiveIntegerField(default=0)
    resolver = models.CharField(_("resolver"), max_length=200, blank=True)
    # zone -> "" (ok) or the problem, a message stored with core.text.to_json
    zone_health = models.JSONField(_("zone health"), default=dict, blank=True)
    listed = models.PositiveIntegerField(_("listings found"), default=0)
    failure = models.TextField(_("failure"), blank=True)

    objects = SweepQuerySet.as_manager()

    class Meta:
        verbose_name = _("blocklist sweep")
        verbose_name_plural = _("blocklist sweeps")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account", "-created_at"], name="sweep_account_recent")]

    def __str__(self):
        return f"{self.account} {self.created_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.queries_total:
            return 0
        return min(99, self.queries_done * 100 // self.queries_total)

    @property
    def failed_zones(self) -> dict:
        """Zone -> what was wrong with it (a message, shown in the reader's language)."""
        return {zone: from_json(problem) for zone, problem in (self.zone_health or {}).items() if problem}


class SweepChunkQuerySet(TenantQuerySet):
    account_path = "sweep__account"


class SweepChunk(models.Model):
    """A slice of a sweep's targets, checked by one task on the ``dns`` queue; claimed once."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    sweep = models.ForeignKey(Sweep, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    target_ids = models.JSONField(default=list)
    status = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = SweepChunkQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sweep", "number"], name="chunk_unique_number")]

    def __str__(self):
        return f"{self.sweep_id}/{self.number} {self.status}"


KEY_LISTING = Q(blocklist__importance=Blocklist.Importance.MAJOR, policy=False)


class ListingStatusQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(target__account__in=Account.objects.visible_to(user))

    def of(self, account):
        return self.filter(target__account=account)

    def listed(self):
        """Current listings: the last conclusive answer was "listed", on an enabled list, of a target still
        monitored (a removed target keeps its history, not its listings)."""
        return self.filter(listed=True, blocklist__enabled=True, target__archived_at__isnull=True)

    def on_key_lists(self):
        """On a list major mailbox providers use, and not a policy listing (PBL-style: not a reputation)."""
        return self.filter(KEY_LISTING)

    def summary(self) -> dict:
        """How many rows, on how many lists, for how many targets, how many on key lists (one query)."""
        return self.aggregate(
            total=Count("id"),
            lists=Count("blocklist", distinct=True),
            targets=Count("target", distinct=True),
            key=Count("id", filter=KEY_LISTING),
        )

    def search(self, text: str):
        """By the account's name or the address/domain (a part of either)."""
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(target__account__name__icontains=text) | Q(target__value__icontains=text))

    def most_important_first(self):
        return self.order_by("blocklist__importance", "policy", "listed_since", "target__value")

    def current_for(self, user):
        """Every current listing on the accounts ``user`` may see, most important first (the staff
        console's listings page and panel). MISSION: DLV-2."""
        return (
            self.visible_to(user)
            .listed()
            .select_related("target__account", "target__stream", "blocklist")
            .most_important_first()
        )


class ListingStatus(models.Model):
    """The current state of one (target, list) pair. ``result`` is the latest answer; ``listed`` is the
    latest *conclusive* one, which only a listed/clear answer from a healthy zone may change."""

    target = models.ForeignKey(MonitoredTarget, on_delete=models.CASCADE, related_name="statuses")
    blocklist = models.ForeignKey(Blocklist, on_delete=models.CASCADE, related_name="statuses")
    result = models.CharField(_("result"), max_length=8, choices=STATUS_CHOICES)
    codes = models.JSONField(_("codes"), default=list, blank=True)
    meaning = MessageField(_("meaning"), blank=True, legacy_msgid=True)  # a catalogue msgid or a dnsbl message
    reason = models.TextField(_("reason"), blank=True)
    policy = models.BooleanField(_("policy listing"), default=False)
    checked_at = models.DateTimeField(_("checked"))
    listed = models.BooleanField(_("listed"), null=True)
    listed_since = models.DateTimeField(_("listed since"), null=True, blank=True)
    sweep = models.ForeignKey(Sweep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ListingStatusQuerySet.as_manager()

    class Meta:
        verbose_name = _("listing status")
        verbose_name_plural = _("listing statuses")
        constraints = [models.UniqueConstraint(fields=["target", "blocklist"], name="status_unique_pair")]
        indexes = [models.Index(fields=["listed", "blocklist"], name="status_listed")]

    def __str__(self):
        return f"{self.target} on {self.blocklist.zone}: {self.result}"


class ListingEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(account__in=Account.objects.visible_to(user))


class ListingEvent(models.Model):
    """A real transition: the target became listed on a list, or was delisted (MISSION: DLV-2)."""

    class Kind(models.TextChoices):
        LISTED = "listed", _("Listed")
        DELISTED = "delisted", _("Delisted")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="listing_events")
    target = models.ForeignKey(MonitoredTarget, on_delete=models.CASCADE, related_name="events")
    blocklist = models.ForeignKey(Blocklist, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=8, choices=Kind.choices)
    codes = models.JSONField(_("codes"), default=list, blank=True)
    meaning = MessageField(_("meaning"), blank=True, legacy_msgid=True)  # a catalogue msgid or a dnsbl message
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"))
    sweep = models.ForeignKey(Sweep, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    alerted_at = models.DateTimeField(_("alert sent"), null=True, blank=True)

    objects = ListingEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("listing event")
        verbose_name_plural = _("listing events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["account", "-at"], name="event_account_recent"),
            models.Index(fields=["sweep", "alerted_at"], name="event_sweep_alert"),
        ]

    def __str__(self):
        return f"{self.target} {self.kind} on {self.blocklist.zone}"
