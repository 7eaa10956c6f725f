"""Migration plans (MISSION: TAM-3): TAMs make them with the customer; both sides see the schedule per
stream, the DNS milestones with owners and dates, rollback criteria and sign-offs; a printable page and
a CSV export. What the TAM does not do is said on the plan."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import can, require
from accounts.shortcuts import visible_account as _account
from core import spreadsheet
from core.idempotency import once

from . import migration_pages, services
from .cutover import Stream, weekly
from .models import MigrationPlan, WarmupPlan


class MigrationForm(forms.ModelForm):
    streams = forms.CharField(
        label=gettext_lazy("Streams and daily volumes"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "transactional 200000\nmarketing 800000"}),
        help_text=gettext_lazy("One stream per line: its name and messages a day."),
    )

    class Meta:
        model = MigrationPlan
        fields = ["name", "previous_provider", "start_date", "weeks", "warmup_plan", "rollback_criteria", "notes"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "rollback_criteria": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warmup_plan"].queryset = WarmupPlan.objects.filter(account=account)
        self.fields["weeks"].validators.append(self._weeks)

    @staticmethod
    def _weeks(value):
        if not 1 <= value <= 26:
            raise forms.ValidationError(_("A parallel run of 1 to 26 weeks (4 to 8 is usual)."))

    def clean_streams(self):
        streams = []
        for number, line in enumerate(self.cleaned_data["streams"].splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, volume = line.strip().rpartition(" ")
            try:
                amount = int(volume.replace(",", "").replace("_", ""))
            except ValueError:
                amount = -1
            if not name.strip() or amount <= 0:
                raise forms.ValidationError(
                    _("Line %(n)s: write a name and a daily volume, like “marketing 800000”.") % {"n": number}
                )
            streams.append(Stream(name.strip()[:80], amount))
        if not streams:
            raise forms.ValidationError(_("Name at least one stream."))
        return streams


@require_GET
def migration_list(request, slug):
    account = _account(request, slug)
    plans = MigrationPlan.objects.filter(account=account)
    return render(
        request,
        "planning/migration_list.html",
        {"account": account, "plans": plans, "tam": can(request.user, "migration.manage", account)},
    )


@require_http_methods(["GET", "POST"])
def migration_new(request, slug):
    account = _account(request, slug)
    require(request.user, "migration.manage", account)
    form = MigrationForm(
        request.POST or None, account=account, initial={"start_date": account.today() + timedelta(days=7)}
    )
    if request.method == "POST" and form.is_valid():
        made = once(
            request,
            lambda: services.migration_plan_create(
                account=account, actor=request.user, plan=form.save(commit=False), streams=form.cleaned_data["streams"]
            ),
        )
        return redirect(made.url)
    return render(request, "planning/migration_form.html", {"account": account, "form": form})


@require_http_methods(["GET", "POST"])
def migration_detail(request, slug, pk):
    account = _account(request, slug)
    plan = get_object_or_404(MigrationPlan.objects.filter(account=account).select_related("warmup_plan"), pk=pk)
    if request.method == "POST":
        require(request.user, "migration.sign", account)
        side = "tam" if request.user.is_staff else "customer"
        if "milestone" in request.POST:
            milestone = get_object_or_404(plan.milestones, pk=request.POST["milestone"])
            try:
                services.milestone_toggle(milestone=milestone, actor=request.user)
            except ValidationError as error:  # MISSION: TAM-3 (a provider-owned milestone is the TAM's)
                messages.error(request, error.messages[0])
        else:
            try:
                seen = request.POST.get("version", "")
                version = int(seen) if seen.isdigit() else None  # the plan as the page showed it
                services.migration_plan_sign(plan=plan, actor=request.user, side=side, version=version)
            except ValidationError as error:
                messages.info(request, error.messages[0])
            else:
                messages.success(request, _("Signed."))
        return redirect(plan)
    return render(request, "planning/migration_detail.html", _detail(request, account, plan))


def _detail(request, account, plan) -> dict:
    line = migration_pages.timeline(plan)  # MISSION: TAM-3 — dated from the warm-up's real progress
    streams = list(plan.streams.all())
    milestones = list(plan.milestones.select_related("done_by"))
    for m in milestones:
        m.markable = m.markable_by(request.user)
    signoffs = {s.side: s for s in plan.signoffs.select_related("user")}
    history = list(plan.signature_history.select_related("signed_by", "cleared_by"))
    for entry in history:
        entry.what = services.change_labels(entry.changes)
    return {
        "account": account,
        "plan": plan,
        "streams": streams,
        # MISSION: TAM-3, DLV-1: volume moved with no warm-up to follow lands on cold IPs
        "unwarmed_volume": sum(s.daily_volume for s in streams) if plan.is_running and not plan.warmup_plan_id else 0,
        "weeks": weekly(line.days),
        "moved": migration_pages.why_moved(plan, line, next((m for m in milestones if m.kind == "cutover"), None)),
        "warmup_paused": bool(line.warm and line.warm.paused),
        "milestones": migration_pages.milestone_rows(plan, line, milestones),
        "signoffs": signoffs,
        "history": history,
        "sign_again": bool(history) and len(signoffs) < 2,
        "can_sign": can(request.user, "migration.sign", account),
        "can_edit": can(request.user, "migration.manage", account),
        "today": account.today(),
    }


@require_GET
def migration_csv(request, slug, pk):
    account = _account(request, slug)
    plan = get_object_or_404(MigrationPlan.objects.filter(account=account).select_related("warmup_plan"), pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="migration-{plan.pk}.csv"'
    writer = spreadsheet.Writer(response)
    writer.writerow(
        ["date", "stream", "share_on_email_enterprise", "messages_on_email_enterprise", "messages_on_previous_provider"]
    )
    line = migration_pages.timeline(plan)
    for d in line.days:
        writer.writerow([d.day.isoformat(), d.stream, f"{d.share:.3f}", d.new, d.old])
    writer.writerow([])
    writer.writerow(["milestone", "owner", "due", "done"])
    for m in plan.milestones.all():
        due = line.due(m.kind, m.due_on)
        writer.writerow([str(m), m.owner, due.isoformat(), m.done_at.date().isoformat() if m.done_at else ""])
    return response


@require_POST
def migration_status(request, slug, pk):
    account = _account(request, slug)
    plan = get_object_or_404(MigrationPlan.objects.filter(account=account), pk=pk)
    require(request.user, "migration.manage", account)
    if request.POST.get("status") not in MigrationPlan.Status.values:
        raise Http404
    services.migration_plan_set_status(plan=plan, actor=request.user, status=request.POST["status"])
    return redirect(plan)
