from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, StaffRole, TenantQuerySet
from cases import rota

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

    def overlapping(self, start, end):
        """The shifts with any part in [start, end)."""
        return self.filter(starts_at__lt=end, ends_at__gt=start)

    def gaps(self, start, end) -> list[tuple]:
        """The periods in [start, end) that no active agent's shift covers (MISSION CR-1: staffed 24/7/365)."""
        shifts = self.overlapping(start, end).filter(agent__is_active=True).values_list("starts_at", "ends_at")
        return rota.gaps(shifts, start, end)

    def to_page(self, at=None, *, account=None) -> list:
        """Who hears about a Severity 1 call or a critical case nobody owns at ``at``: the agents on duty; during
        a gap in the rota, the account's TAMs (every active TAM when the company is unknown) and every active
        agent, so that nobody is told is never the answer (MISSION CR-1, CR-2, TAM-4)."""
        on_duty = self.agents_on_duty(at)
        if on_duty:
            return on_duty
        staff = get_user_model().objects.filter(is_active=True, is_staff=True)
        tams = account.active_tams() if account is not None else list(staff.filter(staff_role=StaffRole.TAM))
        agents = list(staff.filter(staff_role=StaffRole.AGENT))
        return list({person.pk: person for person in [*tams, *agents]}.values())


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
        """Calls not matched to an account and not closed as a non-customer call: still on the clock."""
        return self.filter(account__isnull=True, closed_at__isnull=True)


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
    # The clock of a call nobody could match (MISSION CR-2): each alert is claimed once by the sweep.
    warned_at = models.DateTimeField(_("warning sent"), null=True, blank=True, editable=False)
    breached_at = models.DateTimeField(_("breach escalated"), null=True, blank=True, editable=False)
    # A call that was not from a customer (a wrong number, a sales call) is closed with a reason, audited.
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    close_reason = models.TextField(_("why it was closed"), blank=True)

    objects = PhoneIntakeQuerySet.as_manager()

    class Meta:
        verbose_name = _("Severity 1 call")
        verbose_name_plural = _("Severity 1 calls")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.company_name} — {self.contact_name} ({self.received_at:%Y-%m-%d %H:%M})"
