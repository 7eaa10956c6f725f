"""The data-rights pages (issue 18): the account admin's data export, the TAM's erasure of a person."""

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import require
from accounts.models import Account, DataExport
from core.decorators import staff_required

from . import privacy


def _account(request, slug, action):
    account = get_object_or_404(Account.objects.visible_to(request.user), slug=slug)
    require(request.user, action, account)
    return account


@require_http_methods(["GET", "POST"])
def data_export(request, slug):
    """The admin asks for an export and downloads it; the list polls while one is being prepared."""
    account = _account(request, slug, "data.export")
    if request.method == "POST":
        privacy.data_export_request(account=account, actor=request.user)
        messages.success(request, _("Your export is being prepared. This page shows when it is ready."))
        return redirect("data-export", slug=account.slug)
    exports = DataExport.objects.filter(account=account).select_related("requested_by")[:20]
    busy = any(e.status in (DataExport.Status.PENDING, DataExport.Status.RUNNING) for e in exports)
    template = "portal/privacy/export.html" + ("#export-list" if request.htmx else "")
    return render(
        request, template, {"account": account, "exports": exports, "busy": busy, "days": privacy.export_days()}
    )


@require_GET
def data_export_download(request, slug, pk):
    account = _account(request, slug, "data.export")
    export = get_object_or_404(DataExport.objects.filter(account=account), pk=pk)
    if not export.downloadable:
        raise Http404
    privacy.data_export_download(export=export, actor=request.user)
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=f"{account.slug}-export.zip")


DONE = {
    "contacts_removed": gettext_lazy("Contact entries deleted"),
    "left_team": gettext_lazy("Left the team"),
    "login_anonymised": gettext_lazy("Login made anonymous"),
    "audit_rows_scrubbed": gettext_lazy("Audit rows with their address replaced"),
    "emails_forgotten": gettext_lazy("Emails to them deleted or readdressed"),
    "emails_scrubbed": gettext_lazy("Emails to others that named them changed"),
    "case_contacts_cleared": gettext_lazy("Cases whose contact was cleared"),
    "descriptions_scrubbed": gettext_lazy("Case subjects or descriptions changed"),
    "timeline_entries_scrubbed": gettext_lazy("Timeline entries changed"),
    "inbound_emails_forgotten": gettext_lazy("Received emails deleted"),
    "inbound_subjects_scrubbed": gettext_lazy("Other received emails whose subject changed"),
    "calls_cleared": gettext_lazy("Severity 1 calls cleared"),
    "calls_scrubbed": gettext_lazy("Severity 1 calls whose text changed"),
}


class EraseForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Their email address"))
    reason = forms.CharField(
        label=gettext_lazy("Why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The request this answers and how you verified who asked."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand this cannot be undone."),
        error_messages={"required": gettext_lazy("Tick the box to confirm: erasure cannot be undone.")},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def person_erase(request, slug):
    account = _account(request, slug, "person.erase")
    form = EraseForm(request.POST or None)
    done = None
    if request.method == "POST" and form.is_valid():
        try:
            done = privacy.person_erase(
                account=account,
                actor=request.user,
                email=form.cleaned_data["email"],
                reason=form.cleaned_data["reason"],
            )
        except privacy.PrivacyError as error:
            form.add_error(None, error)
        else:
            form = EraseForm()
    changes = [(label, done[key]) for key, label in DONE.items() if key in done] if done else None
    admins = list(account.admin_users()[:2])  # erasing the only one leaves nobody who can ask for an export
    only_admin = admins[0] if len(admins) == 1 else None
    context = {"account": account, "form": form, "done": changes, "only_admin": only_admin}
    return render(request, "portal/privacy/erase.html", context)
