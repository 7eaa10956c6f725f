from django.contrib import admin
from django.db import models

from accounts.admin import AccountScopedAdmin, ServiceAdminMixin

from . import services
from .models import AvailabilityProfile


@admin.register(AvailabilityProfile)
class AvailabilityProfileAdmin(ServiceAdminMixin, AccountScopedAdmin):
    """Each account's availability target and alert threshold (MISSION: AV-1); changes go through
    ``availability.services`` (audited)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # a bare host is an https:// link

    list_display = ["account", "target_pct", "sustained_seconds", "probe_enabled", "last_probe_at"]
    readonly_fields = ["last_probe_at", "last_probe_refusal"]
    list_select_related = ["account"]

    def save_model(self, request, obj, form, change):
        services.availability_profile_save(profile=obj, actor=request.user, changed=form.changed_data)

    def delete_model(self, request, obj):
        services.availability_profile_remove(profile=obj, actor=request.user)
