from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, TenantQuerySet

from .case import Case


class OnCallShiftQuerySet(models.QuerySet):
    def covering(self, at):
        return self.filter(starts_at__lte=at, ends_at__gt=at)

    def agents_on_duty(self, at=None) -> list:
        """The active agents whose shift covers ``at`` (now by default): who answers the Severity 1 line and
        hears about a case nobody owns (MISSION CR-2, NC-4)."""
        shifts = self.covering(at or timezone.now()).filter(agent__is_active=True).select_related("agent")
        return list({shift.agent.pk: shift.agent for shift in shifts}.values())

    def upcoming(self, at):
        return self.filter(ends_at__gt=at).order_by("starts_at")


class OnCallShift(models.Model):
    """Who answers for the 24/7 Severity 1 line, when (MISSION CR-1). Shifts may overlap for hand-overs."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="oncall_shifts",
        limit_choices_to={"is_staff": True, "staff_role": "agent"},
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    handover_note = models.TextField(_("hand-over note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OnCallShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("on-call shift")
        verbose_name_plural = _("on-call shifts")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="oncall_window")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="shift_ends_after",
                violation_error_message=_("A shift must end after it starts."),
            )
        ]

    def __str__(self):
        return f"{self.agent} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class PhoneIntakeQuerySet(TenantQuerySet):
    unmatched_to_staff = True  # a call from a company not matched to an account yet

    def unmatched(self):
        return self.filter(account__isnull=True)


class PhoneIntake(models.Model):
    """A call to the Severity 1 line as the representative took it (MISSION CR-2). Never lost: an unknown
    company is recorded with no account, for staff to match."""

    received_at = models.DateTimeField(_("received"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    company_name = models.CharField(_("company name"), max_length=200)
    contact_name = models.CharField(_("contact name"), max_length=150)
    contact_phone = models.CharField(_("contact phone"), max_length=40)
    contact_email = models.EmailField(_("contact email"))
    description = models.TextField(_("description of the critical issue"))
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="phone_intakes",
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.SET_NULL, null=True, blank=True, related_name="phone_intakes"
    )
    callback_due_at = models.DateTimeField(_("callback due"))

    objects = PhoneIntakeQuerySet.as_manager()

    class Meta:
        verbose_name = _("Severity 1 call")
        verbose_name_plural = _("Severity 1 calls")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.company_name} — {self.contact_name} ({self.received_at:%Y-%m-%d %H:%M})"
