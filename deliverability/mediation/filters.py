"""The staff mediation list's GET filter: the open requests by default, one status, or all."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import ListFilter
from deliverability.models import MediationRequest

ALL = "all"


class MediationFilter(ListFilter):
    """Staff mediation requests: the open ones by default, one status, or all."""

    status = django_filters.ChoiceFilter(
        choices=[("open", _("Open")), *MediationRequest.Status.choices, (ALL, _("All"))], method="by_status"
    )
    defaults = {"status": "open"}

    def by_status(self, qs, name, value):
        return qs.open() if value == "open" else qs if value == ALL else qs.filter(status=value)
