"""What the account's alert destinations were last told about a warm-up provider held by the mailbox
provider's own data (Microsoft SNDS, Google Postmaster Tools; issue 19): one row per plan and provider, so
an import that finds the same state says nothing again. MISSION: DLV-1."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import TenantQuerySet

from .warmup import WarmupPlan


class ReputationHoldQuerySet(TenantQuerySet):
    account_path = "plan__account"


class ReputationHold(models.Model):
    plan = models.ForeignKey(WarmupPlan, on_delete=models.CASCADE, related_name="reputation_holds")
    provider = models.CharField(_("mailbox provider"), max_length=12)
    held = models.BooleanField(_("held by the provider's data"), default=False, db_default=False)
    day = models.DateField(_("day of the data"), null=True, blank=True)
    changed_at = models.DateTimeField(_("told at"), auto_now=True)

    objects = ReputationHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("reputation hold")
        verbose_name_plural = _("reputation holds")
        constraints = [models.UniqueConstraint(fields=["plan", "provider"], name="reputation_hold_once")]

    def __str__(self):
        return f"{self.plan} · {self.provider}: {'hold' if self.held else 'clear'}"
