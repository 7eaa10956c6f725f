"""What the SLA report and the satisfaction rating keep (issue 15; MISSION NC-2, CR-2, CR-4, NC-5, CR-5, TAM-4)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import TenantQuerySet

from .case import Case


class ClockRecordQuerySet(TenantQuerySet):
    account_path = "case__account"

    def running(self):
        return self.filter(ended_at__isnull=True)

    def due_between(self, start, end):
        """The clocks whose deadline falls in [start, end): a month of the report."""
        return self.filter(due_at__gte=start, due_at__lt=end)


class ClockRecord(models.Model):
    """One deadline of one clock of a case, from when it was set until it was met, missed, paused or dropped.

    Written by ``cases.services.ledger`` whenever a case's stored deadlines change; the deadlines on the case
    are overwritten as clocks restart, this row keeps what each one was and how it ended."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("running")
        MET = "met", _("met")
        BREACHED = "breached", _("breached")
        # MISSION: NC-3 — the clock stopped while the case waited on the customer; it goes on as a new row.
        PAUSED = "paused", _("paused (waiting on the customer)")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clock_records")
    clock = models.CharField(_("clock"), max_length=10)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    # Counted in the account's support hours (a non-critical response clock) or around the clock.
    business_time = models.BooleanField(_("business time"), default=False)
    # Time to spare when it ended (negative: how late), in business time when ``business_time``.
    margin = models.DurationField(_("margin"), null=True, blank=True)

    objects = ClockRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("clock record")
        verbose_name_plural = _("clock records")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["due_at"], name="clockrecord_due")]
        constraints = [
            # One running deadline per clock and case: the ledger may run twice on one change, never doubling it.
            models.UniqueConstraint(
                fields=["case", "clock"], condition=Q(ended_at__isnull=True), name="clockrecord_one_running"
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.clock} {self.due_at:%Y-%m-%d %H:%M} {self.outcome}"


class CaseRatingQuerySet(TenantQuerySet):
    account_path = "case__account"


class CaseRating(models.Model):
    """MISSION: NC-5, CR-5, TAM-4 — how the customer rated a jointly agreed resolution; once per case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # "portal" or "email" (the signed link in the resolution email).
    channel = models.CharField(_("channel"), max_length=8, default="portal")
    created_at = models.DateTimeField(_("rated"), auto_now_add=True)

    objects = CaseRatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="caserating_score_1_5")]

    def __str__(self):
        return f"{self.case_id}: {self.score}/5"
