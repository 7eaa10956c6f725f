"""Editing a migration plan in the portal (MISSION: TAM-3): its settings, streams, rollback criteria and
milestones (named owner and side) in one form, saved through one audited service. A form made before someone
else saved is refused with the typed changes kept; a change to a signed plan asks both sides to sign again."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import require
from accounts.shortcuts import visible_account as _account

from . import services
from .migration_views import MigrationForm
from .models import MigrationPlan, Milestone
from .services.migration_edit import EDITABLE, MILESTONE_FIELDS


class MigrationEditForm(MigrationForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = MILESTONE_FIELDS
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


MilestoneFormSet = forms.modelformset_factory(Milestone, form=MilestoneForm, extra=1, can_delete=True)


def _streams_text(plan: MigrationPlan) -> str:
    return "\n".join(f"{s.name} {s.daily_volume}" for s in plan.streams.all())


@require_http_methods(["GET", "POST"])
def migration_edit(request, slug, pk):
    account = _account(request, slug)
    plan = get_object_or_404(MigrationPlan.objects.filter(account=account), pk=pk)
    require(request.user, "migration.manage", account)
    data = request.POST if request.method == "POST" else None
    initial = {"version": plan.version, "streams": _streams_text(plan)}
    form = MigrationEditForm(data, instance=plan, account=account, initial=initial)
    milestones = MilestoneFormSet(data, queryset=plan.milestones.all(), prefix="m")
    if data is not None and form.is_valid() and milestones.is_valid():
        milestones.save(commit=False)
        edits = services.MilestoneEdits(
            added=milestones.new_objects,
            changed=[obj for obj, _fields in milestones.changed_objects],
            removed=milestones.deleted_objects,
        )
        try:
            changed = services.migration_plan_edit(
                plan=plan,
                actor=request.user,
                version=form.cleaned_data["version"],
                values={name: form.cleaned_data[name] for name in EDITABLE},
                streams=form.cleaned_data["streams"],
                milestones=edits,
            )
        except services.StalePlan as error:
            # nothing lost: the typed form comes back, now based on the version saved meanwhile
            form.data = form.data.copy()
            form.data["version"] = str(MigrationPlan.objects.get(pk=plan.pk).version)
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Saved.") if changed else _("Nothing changed."))
            return redirect(plan)
    return render(
        request,
        "planning/migration_edit.html",
        {"account": account, "plan": plan, "form": form, "milestones": milestones},
    )
