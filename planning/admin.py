"""Planning in the admin. Every save and deletion goes through ``planning.services`` (audited like the
pages' changes): a record through ``planning_record_save``/``_remove``, typed actuals through ``actuals_edit``."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from accounts.admin import AccountScopedAdmin, ServiceAdminMixin, staffed_accounts

from . import services
from .cutover import Stream
from .forms import MigrationPlanAdminForm, WarmupPlanAdminForm
from .migration_pages import authentication_warning
from .models import (
    ActionItem,
    BusinessReview,
    CapacityRules,
    DailyActual,
    FeatureRequest,
    MigrationPlan,
    MigrationStream,
    Milestone,
    MonthlyForecast,
    PeakEvent,
    WarmupPlan,
)
from .services.migration_edit import EDITABLE


class PlanningAdminMixin(ServiceAdminMixin):
    def save_model(self, request, obj, form, change):
        services.planning_record_save(obj=obj, actor=request.user, changed=form.changed_data)

    def delete_model(self, request, obj):
        services.planning_record_remove(obj=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        """Inline rows (actions of a review) one by one through the same services."""
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.planning_record_remove(obj=obj, actor=request.user)
        for obj in formset.new_objects:
            services.planning_record_save(obj=obj, actor=request.user, changed=[])
        for obj, fields in formset.changed_objects:
            services.planning_record_save(obj=obj, actor=request.user, changed=fields)
        formset.save_m2m()


class DailyActualInline(admin.TabularInline):
    model = DailyActual
    extra = 1
    fields = ["day", "provider", "sent", "delivered", "bounced", "blocked", "complaints", "deferrals", "rate_limited",
              "spam_rate", "source"]  # fmt: skip


@admin.register(WarmupPlan)
class WarmupPlanAdmin(PlanningAdminMixin, AccountScopedAdmin):
    """Plans and their actuals (MISSION: DLV-1); actuals typed here count like uploaded ones."""

    list_display = ["name", "account", "template", "start_date", "target_daily", "status"]
    list_select_related = ["account"]
    list_filter = ["status", "template", ("account", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "account__name"]
    inlines = [DailyActualInline]
    form = WarmupPlanAdminForm
    filter_horizontal = ["sending_streams"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "sending_streams":  # the streams of the staff member's accounts only
            kwargs["queryset"] = db_field.remote_field.model.objects.filter(account__in=staffed_accounts(request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        saved = [*formset.new_objects, *(obj for obj, _fields in formset.changed_objects)]
        services.actuals_edit(plan=form.instance, actor=request.user, saved=saved, removed=formset.deleted_objects)


@admin.register(CapacityRules)
class CapacityRulesAdmin(PlanningAdminMixin, admin.ModelAdmin):
    """The rules of thumb behind capacity advice (MISSION: TAM-5)."""

    list_display = ["per_ip_daily", "split_monthly", "min_daily_per_ip", "template"]


@admin.register(MonthlyForecast)
class MonthlyForecastAdmin(PlanningAdminMixin, AccountScopedAdmin):
    list_display = ["account", "month", "volume"]
    list_select_related = ["account"]


@admin.register(PeakEvent)
class PeakEventAdmin(PlanningAdminMixin, AccountScopedAdmin):
    list_display = ["account", "name", "day", "daily_volume"]
    list_select_related = ["account"]


@admin.register(FeatureRequest)
class FeatureRequestAdmin(PlanningAdminMixin, AccountScopedAdmin):
    list_display = ["title", "account", "priority", "status", "updated_at"]
    list_select_related = ["account"]
    list_filter = ["status", "priority", ("account", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "description", "account__name"]


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 1


@admin.register(BusinessReview)
class BusinessReviewAdmin(PlanningAdminMixin, AccountScopedAdmin):
    list_display = ["held_on", "account", "attendees"]
    list_select_related = ["account"]
    inlines = [ActionItemInline]


class MigrationStreamInline(admin.TabularInline):
    model = MigrationStream
    extra = 1


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 1
    fields = ["kind", "title", "owner", "owner_side", "due_on"]


@admin.register(MigrationPlan)
class MigrationPlanAdmin(PlanningAdminMixin, AccountScopedAdmin):
    """Migration plans (MISSION: TAM-3): a change to a plan goes through ``migration_plan_edit`` like the
    portal's (audited, refused when stale, signatures cleared and both sides told to sign again)."""

    list_display = ["name", "account", "start_date", "weeks", "status"]
    list_select_related = ["account"]
    list_filter = ["status", ("account", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "account__name", "previous_provider"]
    inlines = [MigrationStreamInline, MilestoneInline]
    form = MigrationPlanAdminForm
    readonly_fields = ["authentication"]

    @admin.display(description=_("Authentication before the first warm-up message"))
    def authentication(self, obj):
        return (authentication_warning(obj) or _("In time.")) if obj.pk else ""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "warmup_plan":
            kwargs["queryset"] = db_field.related_model.objects.filter(account__in=staffed_accounts(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:  # a new plan as typed; a change is saved with its inlines in ``save_related``
            services.planning_record_save(obj=obj, actor=request.user, changed=form.changed_data)

    def save_related(self, request, form, formsets, change):
        if not change:
            return super().save_related(request, form, formsets, change)
        by_model = {formset.model: formset for formset in formsets}
        for formset in formsets:
            formset.save(commit=False)
        streams, milestones = by_model.get(MigrationStream), by_model.get(Milestone)
        kept = (
            [f.cleaned_data for f in streams.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            if streams
            else None
        )
        plan = MigrationPlan.objects.get(pk=form.instance.pk)
        try:
            services.migration_plan_edit(
                plan=plan,
                actor=request.user,
                version=form.cleaned_data["seen_version"],
                values={name: form.cleaned_data[name] for name in EDITABLE if name in form.cleaned_data},
                streams=[Stream(row["name"], row["daily_volume"]) for row in kept] if streams else None,
                milestones=services.MilestoneEdits(
                    added=milestones.new_objects,
                    changed=[obj for obj, _fields in milestones.changed_objects],
                    removed=milestones.deleted_objects,
                )
                if milestones
                else None,
            )
        except services.StalePlan as error:
            messages.error(request, error.messages[0])
            return None
        if "status" in form.changed_data:
            services.migration_plan_set_status(plan=plan, actor=request.user, status=form.cleaned_data["status"])
        return None
