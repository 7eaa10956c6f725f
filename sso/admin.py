"""Single sign-on, read-only, for the account's staff (issue 20): connections (never their secrets) and
domains. Changes go through the team's single sign-on page and its services (sso/services.py), audited."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdminMixin

from .models import SsoConnection, SsoDomain


class _Scoped(ReadOnlyAdminMixin, admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(SsoConnection)
class SsoConnectionAdmin(_Scoped):
    list_display = ["name", "account", "protocol", "enabled", "require_sso", "just_in_time", "updated_at"]
    list_filter = ["protocol", "enabled", "require_sso"]
    list_select_related = ["account"]
    search_fields = ["name", "account__name"]
    fields = readonly_fields = ["account", "name", "protocol", "enabled", "default_role", "just_in_time",
                                "require_sso", "oidc_issuer", "oidc_client_id", "saml_idp_entity_id",
                                "saml_idp_sso_url", "created_by", "created_at", "updated_at"]  # fmt: skip


@admin.register(SsoDomain)
class SsoDomainAdmin(_Scoped):
    list_display = ["domain", "connection", "verified_at"]
    list_select_related = ["connection__account"]
    search_fields = ["domain", "connection__account__name"]
    fields = readonly_fields = ["connection", "domain", "verified_at"]
