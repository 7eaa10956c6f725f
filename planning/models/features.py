"""Feature requests and business reviews (MISSION: TAM-5)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, TenantQuerySet


class FeatureRequestQuerySet(TenantQuerySet):
    def open(self):
        return self.exclude(status__in=[FeatureRequest.Status.DELIVERED, FeatureRequest.Status.DECLINED])


class FeatureRequest(models.Model):
    """A need or feature request of the customer, tracked with the TAM (MISSION: TAM-5)."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        UNDER_REVIEW = "review", _("Under review")
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "progress", _("In progress")
        DELIVERED = "delivered", _("Delivered")
        DECLINED = "declined", _("Declined")

    class Priority(models.IntegerChoices):
        CRITICAL = 1, _("Critical")
        HIGH = 2, _("High")
        NORMAL = 3, _("Normal")
        LOW = 4, _("Low")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="feature_requests")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    tam_notes = models.TextField(_("TAM's notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = FeatureRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("feature request")
        verbose_name_plural = _("feature requests")
        ordering = ["priority", "-created_at"]

    def __str__(self):
        return self.title


class BusinessReview(models.Model):
    """A business-review meeting with the customer: notes and action items (MISSION: TAM-5)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="business_reviews")
    held_on = models.DateField(_("held on"))
    attendees = models.CharField(_("attendees"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("business review")
        verbose_name_plural = _("business reviews")
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.account} {self.held_on}"


class ActionItemQuerySet(TenantQuerySet):
    account_path = "review__account"


class ActionItem(models.Model):
    review = models.ForeignKey(BusinessReview, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=200)
    owner = models.CharField(_("owner"), max_length=120)
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["done_at", "due_on"]

    def __str__(self):
        return self.title

    @property
    def overdue(self) -> bool:
        return self.done_at is None and self.due_on < self.review.account.today()  # the customer's day
