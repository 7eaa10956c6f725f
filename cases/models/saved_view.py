from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The queue's filters a view keeps (cases.filters.QueueFilter); anything else in a URL is dropped.
FILTERS = ("view", "status", "severity", "q")


class SavedViewQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A staff member's own views and those shared with the team; nobody else's (customers: none)."""
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return self.none()
        return self.filter(Q(owner=user) | Q(shared=True))

    def owned_by(self, user):
        return self.filter(owner=user) if user.is_authenticated else self.none()


class SavedView(models.Model):
    """A named set of the staff queue's filters, per person, optionally shared with the team (issue 15)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=80)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    shared = models.BooleanField(_("shared with the team"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="savedview_name_per_owner")]
        indexes = [models.Index(fields=["shared"], name="savedview_shared", condition=Q(shared=True))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('staff-queue')}?{urlencode({**self.filters, 'saved': self.pk})}"

    @staticmethod
    def filters_from(data: QueryDict) -> dict[str, str]:
        return {key: data.get(key, "").strip()[:200] for key in FILTERS if data.get(key, "").strip()}
