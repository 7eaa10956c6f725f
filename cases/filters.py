"""The GET filters of the case lists (the customer's list and the staff queue) and the inbound screen."""

import django_filters
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from core.filters import ListFilter

from . import search as case_search
from .models import Case, InboundMessage

OPEN, ALL = "open", "all"


class CaseFilter(ListFilter):
    """A customer's cases: open ones by default, or one status, or all; a severity; a subject or number."""

    status = django_filters.ChoiceFilter(
        choices=[(OPEN, _("Open")), *Case.Status.choices, (ALL, _("All"))], method="by_status"
    )
    severity = django_filters.ChoiceFilter(choices=Case.Severity.choices)
    q = django_filters.CharFilter(method="search")
    defaults = {"status": OPEN}

    def by_status(self, qs, name, value):
        return qs.open() if value == OPEN else qs if value == ALL else qs.filter(status=value)

    def search(self, qs, name, value):
        """Full-text search (cases/search.py), best match first; staff also search internal notes."""
        user = getattr(self.request, "user", None)
        return case_search.matching(qs, value, staff=bool(user and user.is_staff))

    @property
    def searching(self) -> bool:
        """A search orders the list by relevance rather than by the list's own order."""
        return bool(self.values.get("q"))


class QueueFilter(CaseFilter):
    """The staff queue adds a view: assigned to me, unassigned, past a deadline (``request.user``)."""

    view = django_filters.ChoiceFilter(
        choices=[("mine", _("Assigned to me")), ("unassigned", _("Unassigned")), ("breached", _("Past a deadline"))],
        method="by_view",
    )

    def by_view(self, qs, name, value):
        if value == "mine":
            return qs.assigned_to(self.request.user)
        if value == "unassigned":
            return qs.unassigned()
        return qs.breached(self.now)

    @cached_property
    def now(self):
        """The moment the past-a-deadline view is drawn for, and ``next_change`` counted from: one moment for both."""
        return timezone.now()

    @property
    def keeps(self) -> bool:
        """Whether the list may be kept in the panel cache (cases/fragments.py): not a search (relevance), nor the
        past-a-deadline view of all or of resolved cases (``next_change`` reads open cases' deadlines off their
        index; a closed case has none, ``cases.services.clocks.refresh``, but no index says so)."""
        if self.searching:
            return False
        return self.values.get("view") != "breached" or self.values.get("status") not in (ALL, Case.Status.RESOLVED)

    def next_change(self):
        """When the list changes by the clock alone, whatever is written (for a list that ``keeps``): the
        past-a-deadline view gains a case when the first deadline still ahead among the open cases of the person's
        accounts passes (of any status or severity: a moment at or before the first of the filtered ones, read off
        one index whatever the filters). None: never."""
        if self.values.get("view") != "breached":
            return None
        return Case.objects.open().next_breach(self.now, accounts=Account.objects.visible_to(self.request.user))


class InboundFilter(ListFilter):
    """Inbound email: what needs a person by default, or one status, or all."""

    show = django_filters.ChoiceFilter(
        choices=[("attention", _("Needs attention")), *InboundMessage.Status.choices, (ALL, _("All"))],
        method="by_status",
    )
    defaults = {"show": "attention"}

    def by_status(self, qs, name, value):
        return qs.needs_staff() if value == "attention" else qs if value == ALL else qs.filter(status=value)
