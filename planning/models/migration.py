"""Migration plans (MISSION: TAM-3)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, TenantQuerySet

from .warmup import WarmupPlan


class MigrationPlanQuerySet(TenantQuerySet):
    def unwarmed(self):
        """Running plans that move their streams' volume to Email Enterprise's IPs with no warm-up plan to follow:
        new IPs have no reputation, so the volume lands on cold IPs (MISSION: TAM-3, DLV-1)."""
        return (
            self.filter(warmup_plan__isnull=True, streams__isnull=False)
            .exclude(status__in=[MigrationPlan.Status.DONE, MigrationPlan.Status.ROLLED_BACK])
            .distinct()
        )


class MigrationPlan(models.Model):
    """Moving the customer's streams from the previous provider over weeks (MISSION: TAM-3)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Under way")
        DONE = "done", _("Completed")
        ROLLED_BACK = "rolled_back", _("Rolled back")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="migration_plans")
    name = models.CharField(_("name"), max_length=120)
    previous_provider = models.CharField(_("previous provider"), max_length=120)
    start_date = models.DateField(_("first day on Email Enterprise"))
    weeks = models.PositiveSmallIntegerField(_("parallel run (weeks)"), default=6)
    warmup_plan = models.ForeignKey(
        WarmupPlan, verbose_name=_("warm-up plan followed"), on_delete=models.SET_NULL, null=True, blank=True
    )
    rollback_criteria = models.TextField(
        _("rollback criteria"),
        default=_(
            "Move a stream back to the previous provider for the day when bounces exceed 2%, complaints exceed "
            "0.1%, or a mailbox provider defers its mail two days in a row; resume at the last good share."
        ),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Each edit adds one: a form made from an older version is stale (someone else saved meanwhile).
    version = models.PositiveIntegerField(_("version"), default=0, db_default=0, editable=False)

    objects = MigrationPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("migration plan")
        verbose_name_plural = _("migration plans")
        ordering = ["-start_date"]

    def __str__(self):
        return f"{self.account} · {self.name}"

    def get_absolute_url(self):
        return reverse("migration-plan", kwargs={"slug": self.account.slug, "pk": self.pk})

    @property
    def is_running(self) -> bool:
        return self.status not in (self.Status.DONE, self.Status.ROLLED_BACK)


class MigrationStreamQuerySet(TenantQuerySet):
    account_path = "plan__account"


class MigrationStream(models.Model):
    plan = models.ForeignKey(MigrationPlan, on_delete=models.CASCADE, related_name="streams")
    name = models.CharField(_("stream"), max_length=80)
    daily_volume = models.PositiveIntegerField(_("messages a day"))

    objects = MigrationStreamQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "name"]

    def __str__(self):
        return self.name


class MilestoneQuerySet(TenantQuerySet):
    account_path = "plan__account"

    def open_ones(self):
        """Not done, of a plan still running (not done, not rolled back)."""
        return self.filter(done_at__isnull=True).exclude(plan__status__in=["done", "rolled_back"])

    def with_timeline(self):
        """With what a plan's timeline reads (its streams, its warm-up and the warm-up's figures and IPs), in a
        fixed number of queries: ``planning.migration_pages.dated_now`` dates them as the plan's page does."""
        return self.select_related("plan__account", "plan__warmup_plan__account").prefetch_related(
            "plan__streams", "plan__warmup_plan__actuals", "plan__warmup_plan__sending_streams__targets"
        )


class Milestone(models.Model):
    class Kind(models.TextChoices):
        SPF_INCLUDE = "spf_include", _("Add our SPF include")
        DKIM = "dkim", _("Publish our DKIM keys")
        DMARC = "dmarc", _("Publish a DMARC record for the sending domain")
        RDNS = "rdns", _("Reverse DNS (PTR) for the new IPs")
        BOUNCE_DOMAIN = "bounce_domain", _("Point the bounce domain (CNAME) at us")
        CUTOVER = "cutover", _("Cut-over: all streams on Email Enterprise")
        REMOVE_OLD_SPF = "remove_old_spf", _("Remove the previous provider's SPF include")
        RETIRE_OLD_DKIM = "retire_old_dkim", _("Retire the previous provider's DKIM keys")
        OTHER = "other", _("Other")

    class Side(models.TextChoices):
        """Whose work the milestone is: a customer may mark only the customer's own done (MISSION: TAM-3)."""

        CUSTOMER = "customer", _("Customer")
        PROVIDER = "provider", _("Email Enterprise")

    plan = models.ForeignKey(MigrationPlan, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("milestone"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    owner = models.CharField(_("owner"), max_length=120)
    owner_side = models.CharField(
        _("owned by"), max_length=10, choices=Side.choices, default=Side.CUSTOMER, db_default=Side.CUSTOMER
    )
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "due_on", "pk"]

    def __str__(self):
        return self.title or self.get_kind_display()

    @property
    def is_authentication(self) -> bool:
        """SPF, DKIM, DMARC and reverse DNS: due before the warm-up's first message (MISSION: TAM-3, DLV-1)."""
        return self.kind in AUTHENTICATION_KINDS

    def markable_by(self, user) -> bool:
        """Whether this user may mark the milestone done or reopen it: the provider's own milestones are the
        TAM's to mark (who may sign the plan at all is ``accounts.access``'s answer). MISSION: TAM-3."""
        return self.owner_side == self.Side.CUSTOMER or user.is_staff


AUTHENTICATION_KINDS = ("spf_include", "dkim", "dmarc", "rdns")


class SignOffQuerySet(TenantQuerySet):
    account_path = "plan__account"


class SignOff(models.Model):
    plan = models.ForeignKey(MigrationPlan, on_delete=models.CASCADE, related_name="signoffs")
    side = models.CharField(_("side"), max_length=10, choices=[("customer", _("Customer")), ("tam", _("TAM"))])
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    signed_at = models.DateTimeField(_("signed"), auto_now_add=True)

    objects = SignOffQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "signed_at"]
        constraints = [models.UniqueConstraint(fields=["plan", "side"], name="signoff_one_per_side")]

    def __str__(self):
        return f"{self.plan_id} {self.side}"


class SignatureHistoryQuerySet(TenantQuerySet):
    account_path = "plan__account"


class SignatureHistory(models.Model):
    """A signature cleared because the plan changed after both sides signed: who signed and when, who changed
    the plan after, when, and what (MISSION: TAM-3)."""

    plan = models.ForeignKey(MigrationPlan, on_delete=models.CASCADE, related_name="signature_history")
    side = models.CharField(_("side"), max_length=10, choices=[("customer", _("Customer")), ("tam", _("TAM"))])
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed"))
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cleared_at = models.DateTimeField(_("changed after signing"))
    changes = models.JSONField(_("what changed"), default=list, blank=True)

    objects = SignatureHistoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("cleared signature")
        verbose_name_plural = _("cleared signatures")
        ordering = ["plan", "-cleared_at", "side"]

    def __str__(self):
        return f"{self.plan_id} {self.side} {self.signed_at:%Y-%m-%d}"
