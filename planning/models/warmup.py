"""Warm-up plans, their daily actuals per mailbox provider, and the tokens a customer's pipeline uses to
send actuals. MISSION: DLV-1, TAM-5."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, TenantQuerySet
from deliverability.reputation.signals import warmup_prefetch

from .. import warmup

MIN_YEAR, MAX_YEAR = 2000, 2100  # a plan dated outside these years cannot be computed (and is refused)
MAX_START_AHEAD = 366  # days: a warm-up is planned at most a year ahead

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
        return self.filter(account=account, status=WarmupPlan.Status.ACTIVE).select_related("account").with_ips()

    def with_ips(self):
        """With the streams' IPs a plan's ladder is scaled by, and what Microsoft SNDS reported about them
        (``reputation.signals``: one query each, not one per plan)."""
        return self.prefetch_related("sending_streams__targets", warmup_prefetch("sending_streams__targets"))


class WarmupPlan(models.Model):
    class Template(models.TextChoices):
        SPARKPOST = "sparkpost", warmup.TEMPLATES["sparkpost"]
        SENDGRID = "sendgrid", warmup.TEMPLATES["sendgrid"]
        SES = "ses", warmup.TEMPLATES["ses"]
        MAILGUN = "mailgun", warmup.TEMPLATES["mailgun"]
        CUSTOM = "custom", warmup.TEMPLATES["custom"]

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="warmup_plans")
    name = models.CharField(_("name"), max_length=120)
    template = models.CharField(_("template"), max_length=12, choices=Template.choices)
    start_date = models.DateField(_("start date"))
    target_daily = models.PositiveIntegerField(_("target daily volume"), validators=[MinValueValidator(1)])
    custom_start = models.PositiveIntegerField(_("custom: first day's volume"), null=True, blank=True)
    custom_growth = models.DecimalField(
        _("custom: daily growth"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    ips = models.TextField(_("IPs or pool (as typed before)"), blank=True)  # free text of older plans: shown only
    streams = models.CharField(_("message streams (as typed before)"), max_length=200, blank=True)
    sending_streams = models.ManyToManyField(
        "deliverability.MessageStream",
        verbose_name=_("message streams warmed"),
        blank=True,
        related_name="warmup_plans",
        help_text=_("The monitored message streams whose sending IPs this plan warms: the ladder is per IP."),
    )
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

    def clean(self):
        """Refused at input (the form and the admin): a start far ahead, a custom ramp that does not grow.
        A target above the template's top for the plan's IPs is refused by the forms (``target_error``),
        which know the streams chosen."""
        super().clean()
        errors = {}
        if self.start_date:
            today = self.account.today() if self.account_id else timezone.localdate()
            if self.start_date > today + timedelta(days=MAX_START_AHEAD):
                errors["start_date"] = _("A warm-up starts within a year from today.")
            elif self.start_date.year < MIN_YEAR:
                errors["start_date"] = _("Give the day the warm-up started (from the year 2000).")
        if self.custom_growth is not None and self.custom_growth <= 1:
            errors["custom_growth"] = _("A custom ramp needs a daily growth above 1 (1.4 is +40% a day).")
        if errors:
            raise ValidationError(errors)

    def problems(self) -> list[str]:
        """Why a saved plan (typed in before the checks, or changed in the database) cannot be computed:
        its pages then say so instead of failing. Empty for a plan that can."""
        found = []
        if not self.target_daily or self.target_daily < 1:
            found.append(_("The target daily volume must be at least 1."))
        if self.template not in warmup.TEMPLATES:
            found.append(_("The template is not one the portal knows."))
        if self.template == self.Template.CUSTOM and self.custom_growth is not None and self.custom_growth <= 1:
            found.append(_("A custom ramp needs a daily growth above 1 (1.4 is +40% a day)."))
        if not (date(MIN_YEAR, 1, 1) <= self.start_date <= date(MAX_YEAR, 12, 31)):
            found.append(_("The start date is not a date a warm-up can have."))
        if not self.shares():
            found.append(_("The split across mailbox providers is empty or unreadable."))
        return [str(problem) for problem in found]

    def target_error(self, ips: int) -> str | None:
        """Why the target cannot be reached by ``ips`` IPs on the template (its top is per IP), or None."""
        top = warmup.ceiling(self.template)
        if not (top and self.target_daily and self.target_daily > top * max(1, ips)):
            return None
        name = self.get_template_display().split(":")[0]
        if ips <= 1:
            return _(
                "%(template)s stops at %(top)s a day per IP: choose a target of at most %(top)s, or another template."
            ) % {"template": name, "top": f"{top:,}"}
        return _(
            "%(template)s stops at %(top)s a day per IP, %(pool)s for these %(n)s IPs: choose a target of at most "
            "%(pool)s, warm more IPs, or choose another template."
        ) % {"template": name, "top": f"{top:,}", "pool": f"{top * ips:,}", "n": ips}

    def sending_targets(self) -> list:
        """The monitored sending IPs of the plan's streams (prefetch ``sending_streams__targets``)."""
        return [t for stream in self.sending_streams.all() for t in stream.targets.all() if t.is_ip]

    def sending_ips(self) -> list[str]:
        """The sending IPs of the monitored streams this plan warms (prefetch ``sending_streams__targets``)."""
        found = {t.value for stream in self.sending_streams.all() for t in stream.targets.all() if t.is_ip}
        return sorted(found)

    def ip_count(self) -> int:
        """How many IPs share the ladder: the streams' sending IPs, one when none is known."""
        return max(1, len(self.sending_ips()))

    def base_curve(self) -> list[int]:
        """The pool's daily volumes: the template's per-IP curve times the IPs (MISSION: DLV-1)."""
        return warmup.pool_curve(
            self.template,
            self.target_daily,
            self.ip_count(),
            start=self.custom_start or 500,
            growth=float(self.custom_growth or 1.4),
        )

    def daily_plan(self) -> list[int]:
        """The whole plan with no holds, day by day: the curve's stages climbed at the daily caps."""
        return warmup.climb(self.base_curve())

    def shares(self) -> list[warmup.Share]:
        """The split across providers; rows that cannot be read (typed into the database) are left out."""
        shares = []
        for row in self.providers or DEFAULT_SPLIT:
            try:
                percent, cap = float(row.get("percent") or 0), int(float(row.get("cap") or 0))
                provider = str(row["provider"])
            except (AttributeError, KeyError, TypeError, ValueError):
                continue
            if 0 < percent <= 100:
                shares.append(warmup.Share(provider, percent, cap if cap > 0 else None))
        return shares


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
    rate_limited = models.PositiveIntegerField(
        _("of which rate limits (421/451)"), default=0, help_text=_("Deferrals that said the provider throttles.")
    )
    blocked = models.PositiveIntegerField(
        _("policy blocks (5.7.x)"), default=0, help_text=_("Rejections on policy or reputation, apart from bounces.")
    )
    spam_rate = models.DecimalField(
        _("spam rate (%, Postmaster Tools)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Gmail reports no complaint per message: its spam rate for the day, from Postmaster Tools."),
    )
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
        return warmup.Day(
            self.day, self.sent, self.delivered, self.bounced, self.complaints, self.deferrals,
            rate_limited=self.rate_limited, blocked=self.blocked,
            spam_rate=float(self.spam_rate) if self.spam_rate is not None else None,
        )  # fmt: skip
