from django.contrib import admin

from accounts.admin import AccountScopedAdmin

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


class DailyActualInline(admin.TabularInline):
    model = DailyActual
    extra = 1
    fields = ["day", "provider", "sent", "delivered", "bounced", "complaints", "deferrals", "source"]


@admin.register(WarmupPlan)
class WarmupPlanAdmin(AccountScopedAdmin):
    """Plans and their actuals (MISSION: DLV-1); actuals typed here count like uploaded ones."""

    list_display = ["name", "account", "template", "start_date", "target_daily", "status"]
    list_select_related = ["account"]
    list_filter = ["status", "template", ("account", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "account__name"]
    inlines = [DailyActualInline]


@admin.register(CapacityRules)
class CapacityRulesAdmin(admin.ModelAdmin):
    """The rules of thumb behind capacity advice (MISSION: TAM-5)."""

    list_display = ["per_ip_daily", "split_monthly", "min_daily_per_ip", "template"]


@admin.register(MonthlyForecast)
class MonthlyForecastAdmin(AccountScopedAdmin):
    list_display = ["account", "month", "volume"]
    list_select_related = ["account"]


@admin.register(PeakEvent)
class PeakEventAdmin(AccountScopedAdmin):
    list_display = ["account", "name", "day", "daily_volume"]
    list_select_related = ["account"]


@admin.register(FeatureRequest)
class FeatureRequestAdmin(AccountScopedAdmin):
    list_display = ["title", "account", "priority", "status", "updated_at"]
    list_select_related = ["account"]
    list_filter = ["status", "priority", ("account", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "description", "account__name"]


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 1


@admin.register(BusinessReview)
class BusinessReviewAdmin(AccountScopedAdmin):
    list_display = ["held_on", "account", "attendees"]
    list_select_related = ["account"]
    inlines = [ActionItemInline]
