"""Capacity planning data (MISSION: TAM-5)."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, TenantQuerySet

from .warmup import WarmupPlan


class CapacityRules(models.Model):
    """The rules of thumb capacity advice uses (one row; TAMs edit it in the admin). MISSION: TAM-5."""

    per_ip_daily = models.PositiveIntegerField(
        _("messages a day one IP carries"), default=3_500_000, validators=[MinValueValidator(1)]
    )
    split_monthly = models.PositiveIntegerField(
        _("monthly volume from which streams get separate IPs"), default=250_000, validators=[MinValueValidator(1)]
    )
    min_daily_per_ip = models.PositiveIntegerField(
        _("least daily volume that keeps an IP warm"), default=50_000, validators=[MinValueValidator(1)]
    )
    template = models.CharField(
        _("warm-up ramp for lead times"), max_length=12, choices=WarmupPlan.Template.choices[:3], default="sendgrid"
    )

    class Meta:
        verbose_name = _("capacity rules")
        verbose_name_plural = _("capacity rules")

    def __str__(self):
        return str(_("Capacity rules"))

    @classmethod
    def current(cls):
        from ..capacity import Rules

        row = cls.objects.first()
        if row is None:
            return Rules()
        # a row saved before the checks (a 0, an unknown ramp) falls back to the default, never a failed page
        default = Rules()
        return Rules(
            row.per_ip_daily or default.per_ip_daily,
            row.split_monthly or default.split_monthly,
            row.min_daily_per_ip or default.min_daily_per_ip,
            row.template if row.template in ("sparkpost", "sendgrid", "ses") else default.template,
        )


class MonthlyForecast(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="monthly_forecasts")
    month = models.DateField(_("month"))
    volume = models.PositiveBigIntegerField(_("messages in the month"))

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly forecast")
        verbose_name_plural = _("monthly forecasts")
        ordering = ["account", "month"]
        constraints = [models.UniqueConstraint(fields=["account", "month"], name="forecast_unique_month")]

    def __str__(self):
        return f"{self.account} {self.month:%Y-%m}: {self.volume}"


class PeakEvent(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="peak_events")
    name = models.CharField(_("event"), max_length=120)
    day = models.DateField(_("day"))
    daily_volume = models.PositiveBigIntegerField(_("messages that day"))

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("peak event")
        verbose_name_plural = _("peak events")
        ordering = ["account", "day"]

    def __str__(self):
        return f"{self.account} {self.name} {self.day}"

    def clean(self):
        """A new peak is a day still to come on the account's calendar: one in the past is refused (the page and
        the admin). MISSION: TAM-5."""
        super().clean()
        if self._state.adding and self.day and self.account_id and self.day < self.account.today():
            raise ValidationError(
                {"day": _("A peak is a day still to come: %(day)s has passed.") % {"day": self.day.isoformat()}}
            )
