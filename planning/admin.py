"""Planning in the admin. Every save and deletion goes through ``planning.services`` (audited like the
pages' changes): a record through ``planning_record_save``/``_remove``, typed actuals through ``actuals_edit``."""

from django.contrib import admin

from accounts.admin import AccountScopedAdmin, ServiceAdminMixin, staffed_accounts

from . import services
from .forms import WarmupPlanAdminForm
from .models import (
    ActionItem,
    BusinessReview,
    CapacityRules,
    DailyActual,
    FeatureRequest,
    MonthlyForecast,
    PeakEvent,
    WarmupPlan,
)


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
