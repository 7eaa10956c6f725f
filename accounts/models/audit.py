from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from .accounts import TenantQuerySet


class AuditEventQuerySet(TenantQuerySet):
    def visible_to(self, user):
        """Staff see the trail of the accounts they work on; customers see no audit trail."""
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return self.none()
        return super().visible_to(user)

    def for_target(self, target):
        return self.filter(target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk))


class AuditEvent(models.Model):
    """Who changed what on an account, written in the same transaction as the change, only through
    ``accounts.audit.audit()``. Read-only."""

    class Kind(models.TextChoices):
        TAM_ASSIGNED = "tam_assigned", _("TAM assigned")
        MEMBER_ADDED = "member_added", _("Member added")
        MEMBER_ROLE_CHANGED = "member_role_changed", _("Member role changed")
        MEMBER_REMOVED = "member_removed", _("Member removed")
        CALENDAR_CHANGED = "calendar_changed", _("Business hours changed")
        ACCOUNT_CREATED = "account_created", _("Account created")
        ACCOUNT_CHANGED = "account_changed", _("Account details changed")
        CONTACT_CHANGED = "contact_changed", _("Contact changed")
        OUTBOUND_RETRIED = "outbound_retried", _("Failed email sent again")
        AVAILABILITY_TARGET_CHANGED = "availability_target_changed", _("Availability target changed")
        ARTICLE_CHANGED = "article_changed", _("Library article changed")
        CATALOGUE_CHANGED = "catalogue_changed", _("Blocklist catalogue changed")
        MONITORING_CHANGED = "monitoring_changed", _("Blocklist monitoring changed")
        DKIM_SELECTORS_CHANGED = "dkim_selectors_changed", _("DKIM selectors changed")
        MEDIATION_CHANGED = "mediation_changed", _("Mediation request changed")
        TOKEN_ISSUED = "token_issued", _("API token issued")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        ONCALL_SHIFT_ADDED = "oncall_shift_added", _("On-call shift added")
        ONCALL_SHIFT_CHANGED = "oncall_shift_changed", _("On-call shift changed")
        ONCALL_SHIFT_REMOVED = "oncall_shift_removed", _("On-call shift removed")
        INBOUND_REPLAYED = "inbound_replayed", _("Inbound email processed again")
        WARMUP_PLAN_CHANGED = "warmup_plan_changed", _("Warm-up plan changed")
        ACTUALS_RECORDED = "actuals_recorded", _("Warm-up actuals recorded")
        MIGRATION_PLAN_CHANGED = "migration_plan_changed", _("Migration plan changed")
        MIGRATION_SIGNED = "migration_signed", _("Migration plan signed")
        MILESTONE_CHANGED = "milestone_changed", _("Migration milestone changed")
        CAPACITY_CHANGED = "capacity_changed", _("Capacity forecast changed")
        FEATURE_REQUEST_CHANGED = "feature_request_changed", _("Feature request changed")
        REVIEW_CHANGED = "review_changed", _("Business review changed")
        ACTION_ITEM_CHANGED = "action_item_changed", _("Review action changed")
        CASE_CLASSIFICATION_CHANGED = "case_classification_changed", _("Case severity or category changed")
        CASE_HANDED_OVER = "case_handed_over", _("Critical case handed over at a shift change")
        PHONE_INTAKE_CLOSED = "phone_intake_closed", _("Severity 1 call closed: not a customer")
        TWO_FACTOR_REQUIRED = "two_factor_required", _("Two-factor sign-in requirement changed")
        AUTHENTICATOR_ADDED = "authenticator_added", _("Second factor added")
        AUTHENTICATOR_REMOVED = "authenticator_removed", _("Second factor removed")
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("Recovery codes generated again")
        SESSIONS_ENDED = "sessions_ended", _("Other sessions signed out")
        DATA_EXPORT_REQUESTED = "data_export_requested", _("Data export requested")
        DATA_EXPORT_DOWNLOADED = "data_export_downloaded", _("Data export downloaded")
        PERSON_ERASED = "person_erased", _("Person erased")
        SENDER_PROFILE_CHANGED = "sender_profile_changed", _("Sender profile changed")
        CASES_MERGED = "cases_merged", _("Duplicate case merged")
        CASES_LINKED = "cases_linked", _("Related cases linked")
        CASES_UNLINKED = "cases_unlinked", _("Related cases unlinked")
        CANNED_REPLY_ADDED = "canned_reply_added", _("Canned reply added")
        CANNED_REPLY_CHANGED = "canned_reply_changed", _("Canned reply changed")
        CANNED_REPLY_REMOVED = "canned_reply_removed", _("Canned reply removed")
        SAVED_VIEW_CHANGED = "saved_view_changed", _("Saved case view changed")
        CASE_FOLLOWED = "case_followed", _("Started following a case")
        CASE_UNFOLLOWED = "case_unfollowed", _("Stopped following a case")
        DMARC_ADDRESS_ROTATED = "dmarc_address_rotated", _("DMARC report address changed")
        DMARC_REPORT_UPLOADED = "dmarc_report_uploaded", _("DMARC report uploaded")
        DMARC_REPORT_REPLAYED = "dmarc_report_replayed", _("DMARC report processed again")
        WEBHOOK_CHANGED = "webhook_changed", _("Alert destination or webhook changed")
        SNDS_CHANGED = "snds_changed", _("Microsoft SNDS connection changed")
        POSTMASTER_CONNECTED = "postmaster_connected", _("Google Postmaster Tools connected")
        POSTMASTER_DISCONNECTED = "postmaster_disconnected", _("Google Postmaster Tools disconnected")
        POSTMASTER_IMPORT_REQUESTED = "postmaster_import_requested", _("Google Postmaster Tools import asked for")
        SSO_CHANGED = "sso_changed", _("Single sign-on changed")
        SSO_SIGNED_IN = "sso_signed_in", _("Signed in through single sign-on")

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
    # What was changed: kept as type, id and its name at the time, so the row outlives a deleted target.
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("target type"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="audit_account_recent"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def target_kind(self) -> str:
        """What the target is ("on-call shift", "warm-up plan"), in the reader's language."""
        model = self.target_type.model_class() if self.target_type_id else None
        return model._meta.verbose_name if model is not None else ""
