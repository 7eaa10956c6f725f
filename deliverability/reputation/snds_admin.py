"""Microsoft SNDS in the admin (issue 19), read-only: staff see each account's connection state and the
imported days; the key is entered, replaced and removed on the account's SNDS page (audited services),
and never shown here."""

from django.contrib import admin

from accounts.admin import AccountScopedAdmin, ReadOnlyAdminMixin

from ..models import SndsConnection, SndsDay


@admin.register(SndsConnection)
class SndsConnectionAdmin(ReadOnlyAdminMixin, AccountScopedAdmin):
    list_display = ["account", "key_hint", "state", "last_success_at", "last_attempt_at"]
    list_select_related = ["account"]
    list_filter = ["state"]
    search_fields = ["account__name"]
    exclude = ["key_sealed"]


@admin.register(SndsDay)
class SndsDayAdmin(ReadOnlyAdminMixin, AccountScopedAdmin):
    list_display = ["day", "account", "ip", "filter_result", "complaint_text", "trap_hits", "target"]
    list_select_related = ["account", "target"]
    list_filter = ["filter_result", "day", ("account", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["ip", "account__name", "sample_helo"]
    date_hierarchy = "day"
