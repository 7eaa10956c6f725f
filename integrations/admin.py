"""The delivery log, read-only, for the account's staff (issues 19, 20). Destinations are the account
admin's: staff read them here (never their secrets); changes go through the portal page and its services."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdminMixin

from .models import Attempt, Delivery, Destination


class _Scoped(ReadOnlyAdminMixin, admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(Destination)
class DestinationAdmin(_Scoped):
    list_display = ["name", "account", "kind", "enabled", "failing_since", "created_at"]
    list_filter = ["kind", "enabled"]
    list_select_related = ["account"]
    search_fields = ["name", "account__name"]
    fields = readonly_fields = ["account", "name", "kind", "url", "event_types", "language", "timezone", "enabled",
                                "failing_since", "created_at"]  # fmt: skip


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    fields = readonly_fields = ["at", "status_code", "duration_ms", "error", "response"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(_Scoped):
    list_display = ["created_at", "event_type", "destination", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "event_type"]
    list_select_related = ["destination__account"]
    search_fields = ["event_id", "destination__name", "destination__account__name"]
    fields = readonly_fields = ["destination", "event_id", "event_type", "status", "attempts", "next_attempt_at",
                                "delivered_at", "created_at", "body"]  # fmt: skip
    inlines = [AttemptInline]


@admin.register(Attempt)
class AttemptAdmin(_Scoped):
    list_display = ["at", "delivery", "status_code", "duration_ms", "error"]
    list_select_related = ["delivery__destination"]
    fields = readonly_fields = ["delivery", "at", "status_code", "duration_ms", "error", "response"]
