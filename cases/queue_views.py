"""The staff queue's saved views and bulk actions (issue 15). The queue itself is ``staff_views.queue``.

A saved view is a named set of the queue's filters; its owner changes or deletes it, and may share it with
the team (every member of staff then sees it in their list, applied to the accounts *they* work on).
Another person's private view is a 404, like a missing one. Bulk actions run each case through its own
service (``services.bulk``) and report per case.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.models import StaffRole, User
from core.decorators import staff_required
from core.idempotency import once

from . import services
from .models import SavedView
from .models.saved_view import FILTERS


class SavedViewForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the view"), max_length=80)
    shared = forms.BooleanField(label=gettext_lazy("Share with the team"), required=False)


class BulkForm(forms.Form):
    ACTIONS = [
        ("assign", gettext_lazy("Assign to")),
        ("start", gettext_lazy("Start work (in progress)")),
        ("wait", gettext_lazy("Wait on the customer")),
        ("propose", gettext_lazy("Propose a resolution")),
        ("follow", gettext_lazy("Follow (get their emails)")),
        ("unfollow", gettext_lazy("Stop following")),
    ]
    cases = forms.MultipleChoiceField(label=gettext_lazy("Cases"), choices=[])  # any number; checked by the service
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=ACTIONS)
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Agent"), required=False, queryset=User.objects.none(), empty_label=gettext_lazy("nobody")
    )
    body = forms.CharField(
        label=gettext_lazy("Text for the customer (waiting: what we need; proposal: the resolution)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            Q(staff_role=StaffRole.AGENT) | Q(staff_role=StaffRole.TAM), is_active=True, is_staff=True
        ).order_by("full_name")
        self.fields["cases"].choices = [(n, n) for n in self.data.getlist("cases")] if self.is_bound else []


def queue_context(request) -> dict:
    """What the queue page shows besides the cases: the saved views, the one applied, the bulk form."""
    applied = None
    if request.GET.get("saved", "").isdigit():
        applied = get_object_or_404(SavedView.objects.visible_to(request.user), pk=int(request.GET["saved"]))
    current = {key: request.GET[key] for key in FILTERS if request.GET.get(key)}
    return {
        "saved_views": SavedView.objects.visible_to(request.user).select_related("owner"),
        "applied_view": applied,
        "current_filters": current,
        "select_mode": request.GET.get("select") == "1",
        "bulk_form": BulkForm(),
        "view_form": SavedViewForm(initial={"name": applied.name, "shared": applied.shared} if applied else None),
        "queue_url": f"{reverse('staff-queue')}?{urlencode(current)}",
    }


def _errors(form) -> str:
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


@staff_required
@require_POST
def saved_view_create(request):
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(_back(request))
    try:
        outcome = once(
            request,
            lambda: services.saved_view_save(
                actor=request.user,
                name=form.cleaned_data["name"],
                filters=SavedView.filters_from(request.POST),
                shared=form.cleaned_data["shared"],
            ),
            result=lambda view: _back(request),  # the same filters, the new view in the list
        )
    except services.CaseStateError as exc:
        messages.error(request, str(exc))
        return redirect(_back(request))
    if not outcome.repeat:
        messages.success(request, _("View saved."))
    return redirect(outcome.url)


@staff_required
@require_POST
def saved_view_change(request, pk):
    """Rename, share or unshare one's own view, and keep the filters shown now."""
    view = get_object_or_404(SavedView.objects.owned_by(request.user), pk=pk)
    form = SavedViewForm(request.POST)
    try:
        if not form.is_valid():
            raise services.CaseStateError(_errors(form))
        services.saved_view_save(
            actor=request.user,
            view=view,
            name=form.cleaned_data["name"],
            filters=SavedView.filters_from(request.POST),
            shared=form.cleaned_data["shared"],
        )
    except services.CaseStateError as exc:
        messages.error(request, str(exc))
        return redirect(_back(request))
    messages.success(request, _("View changed."))
    return redirect(_back(request))


@staff_required
@require_POST
def saved_view_delete(request, pk):
    view = get_object_or_404(SavedView.objects.owned_by(request.user), pk=pk)
    services.saved_view_delete(actor=request.user, view=view)
    messages.success(request, _("View deleted."))
    return redirect("staff-queue")


@staff_required
@require_POST
def bulk(request):
    """One action on the selected cases; each case is done or refused on its own, and the page says which."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(_back(request, select=True))
    data = form.cleaned_data
    if data["action"] == "assign" and data["assignee"] is None:
        messages.error(request, _("Choose the agent to assign the cases to."))
        return redirect(_back(request, select=True))

    def run():
        outcomes = services.cases_bulk_change(
            actor=request.user,
            numbers=data["cases"],
            action=data["action"],
            assignee=data["assignee"],
            body=data["body"],
        )
        _report(request, outcomes)
        return _back(request, select=True)

    try:
        outcome = once(request, run)
    except services.CaseStateError as exc:
        messages.error(request, str(exc))
        return redirect(_back(request, select=True))
    return redirect(outcome.url)


def _report(request, outcomes) -> None:
    done = sum(1 for o in outcomes if o.done)
    if done:
        messages.success(
            request, ngettext("%(count)d case changed.", "%(count)d cases changed.", done) % {"count": done}
        )
    for o in outcomes:
        if not o.done:
            messages.error(request, _("%(number)s not changed: %(reason)s") % {"number": o.number, "reason": o.message})


def _back(request, *, select: bool = False) -> str:
    """The queue with the filters the form came from (never a URL taken from the request as is)."""
    current = SavedView.filters_from(request.POST) | ({"select": "1"} if select else {})
    return f"{reverse('staff-queue')}?{urlencode(current)}"
