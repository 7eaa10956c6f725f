from django.contrib import admin

from accounts.admin import AccountScopedAdmin

from .models import AvailabilityProfile


@admin.register(AvailabilityProfile)
class AvailabilityProfileAdmin(AccountScopedAdmin):
    """Each account's availability target and alert threshold (MISSION: AV-1)."""

    list_display = ["account", "target_pct", "sustained_seconds"]
    list_select_related = ["account"]
