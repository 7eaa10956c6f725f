from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .accounts import TenantQuerySet


class AuditEvent(models.Model):
    """Who changed what on an account, written in the same transaction as the change. Read-only."""

    class Kind(models.TextChoices):
        TAM_ASSIGNED = "tam_assigned", _("TAM assigned")
        MEMBER_ADDED = "member_added", _("Member added")
        MEMBER_ROLE_CHANGED = "member_role_changed", _("Member role changed")
        MEMBER_REMOVED = "member_removed", _("Member removed")
        CALENDAR_CHANGED = "calendar_changed", _("Business hours changed")
        ACCOUNT_CHANGED = "account_changed", _("Account details changed")
        MONITORING_CHANGED = "monitoring_changed", _("Blocklist monitoring changed")
        TOKEN_ISSUED = "token_issued", _("API token issued")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.created_at:%Y-%m-%d %H:%M}"
