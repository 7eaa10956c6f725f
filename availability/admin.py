from django.contrib import admin

from accounts.admin import AccountScopedAdmin

from .models import AvailabilityProfile


@admin.register(AvailabilityProfile)
class AvailabilityProfileAdmin(AccountScopedAdmin):
    """Each account's availability target and alert threshold (MISSION: AV-1)."""

    list_display = ["account", "target_pct", "sustained_seconds", "probe_enabled", "last_probe_at"]
    readonly_fields = ["last_probe_at"]
    list_select_related = ["account"]
