"""Google Postmaster Tools in the admin (issue 19), read-only: staff see each account's connection (its
state, the last import and an import asked for on the page) and the imported domains and days, filtered by
account, domain, day and reputation. The tokens are never shown; connecting, disconnecting and "Import now"
happen on the account's reputation page (audited services)."""

from django.contrib import admin

from accounts.admin import AccountScopedAdmin, ReadOnlyAdminMixin

from ..models import PostmasterConnection, PostmasterDay, PostmasterDomain


@admin.register(PostmasterConnection)
class PostmasterConnectionAdmin(ReadOnlyAdminMixin, AccountScopedAdmin):
    list_display = ["account", "status", "connected_by", "connected_at", "last_run_at", "import_state"]
    list_select_related = ["account", "connected_by"]
    list_filter = ["status", "import_state", ("account", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["account__name", "account__slug"]
    exclude = ["refresh_token", "access_token", "access_expires_at"]


@admin.register(PostmasterDomain)
class PostmasterDomainAdmin(ReadOnlyAdminMixin, AccountScopedAdmin):
    list_display = ["name", "account", "imported_through", "last_import_at", "error_at"]
    list_select_related = ["account"]
    list_filter = [("account", admin.RelatedOnlyFieldListFilter), "imported_through"]
    search_fields = ["name", "account__name"]


@admin.register(PostmasterDay)
class PostmasterDayAdmin(ReadOnlyAdminMixin, AccountScopedAdmin):
    list_display = ["day", "account", "domain", "spam_ratio", "domain_reputation", "dropped_at"]
    list_select_related = ["account"]
    list_filter = ["domain_reputation", "day", ("account", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["domain", "account__name"]
    date_hierarchy = "day"
