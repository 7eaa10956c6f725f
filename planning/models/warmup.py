"""Warm-up plans, their daily actuals per mailbox provider, and the tokens a customer's pipeline uses to
send actuals. MISSION: DLV-1, TAM-5."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, TenantQuerySet

from .. import warmup

DEFAULT_SPLIT = [
    {"provider": "gmail", "percent": 40, "cap": None},
    {"provider": "microsoft", "percent": 25, "cap": None},
    {"provider": "yahoo", "percent": 15, "cap": None},
    {"provider": "apple", "percent": 10, "cap": None},
    {"provider": "other", "percent": 10, "cap": None},
]


class WarmupPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(account__in=Account.objects.visible_to(user))

    def active_for(self, account):
        """The account's running plans, with the account (whose calendar day a plan's status is read on)."""
        return self.filter(account=account, status=WarmupPlan.Status.ACTIVE).select_related("account")


class WarmupPlan(models.Model):
    class Template(models.TextChoices):
        SPARKPOST = "sparkpost", warmup.TEMPLATES["sparkpost"]
        SENDGRID = "sendgrid", warmup.TEMPLATES["sendgrid"]
        SES = "ses", warmup.TEMPLATES["ses"]
        CUSTOM = "custom", warmup.TEMPLATES["custom"]

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="warmup_plans")
    name = models.CharField(_("name"), max_length=120)
    template = models.CharField(_("template"), max_length=12, choices=Template.choices)
    start_date = models.DateField(_("start date"))
    target_daily = models.PositiveIntegerField(_("target daily volume"))
    custom_start = models.PositiveIntegerField(_("custom: first day's volume"), null=True, blank=True)
    custom_growth = models.DecimalField(
        _("custom: daily growth"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    ips = models.TextField(_("IPs or pool"), blank=True, help_text=_("The IPs (or the pool's name) being warmed."))
    streams = models.CharField(_("message streams"), max_length=200, blank=True)
    providers = models.JSONField(_("split across mailbox providers"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = WarmupPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("warm-up plan")
        verbose_name_plural = _("warm-up plans")
        ordering = ["-start_date", "name"]

    def __str__(self):
        return f"{self.account} · {self.name}"

    def get_absolute_url(self):
        return reverse("warmup-plan", kwargs={"slug": self.account.slug, "pk": self.pk})

    def base_curve(self) -> list[int]:
        return warmup.curve(
            self.template,
            self.target_daily,
            start=self.custom_start or 500,
            growth=float(self.custom_growth or 1.4),
        )

    def daily_plan(self) -> list[int]:
        """The whole plan with no holds, day by day: the curve's stages climbed at the daily caps."""
        return warmup.climb(self.base_curve())

    def shares(self) -> list[warmup.Share]:
        return [
            warmup.Share(row["provider"], float(row["percent"]), int(row["cap"]) if row.get("cap") else None)
            for row in (self.providers or DEFAULT_SPLIT)
            if float(row.get("percent") or 0) > 0
        ]


class DailyActualQuerySet(TenantQuerySet):
    account_path = "plan__account"


class DailyActual(models.Model):
    """What was sent to one mailbox provider on one day, and how it went."""

    class Source(models.TextChoices):
        CSV = "csv", _("CSV upload")
        API = "api", _("API")
        ADMIN = "admin", _("Admin")

    plan = models.ForeignKey(WarmupPlan, on_delete=models.CASCADE, related_name="actuals")
    day = models.DateField(_("day"))
    provider = models.CharField(_("mailbox provider"), max_length=12, choices=[(p, p) for p in warmup.PROVIDERS])
    sent = models.PositiveIntegerField(_("sent"))
    delivered = models.PositiveIntegerField(_("delivered"), default=0)
    bounced = models.PositiveIntegerField(_("bounced"), default=0)
    complaints = models.PositiveIntegerField(_("complaints"), default=0)
    deferrals = models.PositiveIntegerField(_("deferrals (4xx)"), default=0)
    source = models.CharField(_("source"), max_length=6, choices=Source.choices, default=Source.ADMIN)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DailyActualQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily actual")
        verbose_name_plural = _("daily actuals")
        ordering = ["plan", "day", "provider"]
        constraints = [models.UniqueConstraint(fields=["plan", "day", "provider"], name="actual_unique_day")]

    def __str__(self):
        return f"{self.plan_id} {self.day} {self.provider}: {self.sent}"

    def as_day(self) -> warmup.Day:
        return warmup.Day(self.day, self.sent, self.delivered, self.bounced, self.complaints, self.deferrals)
