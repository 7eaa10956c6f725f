from django.contrib import admin

from accounts.admin import AccountScopedAdmin, ReadOnlyAdminMixin, staffed_accounts

from .models import Blocklist, ListingEvent, ListingStatus, MessageStream, MonitoredTarget, Sweep


@admin.register(Blocklist)
class BlocklistAdmin(admin.ModelAdmin):
    """The catalogue (MISSION: DLV-2): zones, the codes each documents, delisting links. Superusers edit it."""

    list_display = ["name", "zone", "kind", "importance", "operator", "requires_key", "enabled"]
    list_filter = ["kind", "importance", "enabled"]
    search_fields = ["name", "zone", "operator"]
    list_editable = ["enabled"]


@admin.register(MessageStream)
class MessageStreamAdmin(AccountScopedAdmin):
    list_display = ["name", "account", "description"]
    list_select_related = ["account"]
    search_fields = ["name", "account__name"]
    list_filter = [("account", admin.RelatedOnlyFieldListFilter)]


@admin.register(MonitoredTarget)
class MonitoredTargetAdmin(AccountScopedAdmin):
    list_display = ["value", "kind", "account", "stream", "role", "created_at"]
    list_select_related = ["account", "stream"]
    list_filter = ["kind", "role", ("account", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["value", "account__name"]
    fields = ["account", "value", "stream", "role"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "stream":
            kwargs["queryset"] = MessageStream.objects.filter(account__in=staffed_accounts(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ListingStatus)
class ListingStatusAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["target", "blocklist", "result", "listed", "listed_since", "checked_at"]
    list_select_related = ["target__account", "blocklist"]
    list_filter = ["result", "listed", "blocklist"]
    search_fields = ["target__value", "target__account__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(target__account__in=staffed_accounts(request))


@admin.register(ListingEvent)
class ListingEventAdmin(ReadOnlyAdminMixin, AccountScopedAdmin):
    list_display = ["at", "kind", "target", "blocklist", "account", "alerted_at"]
    list_select_related = ["target", "blocklist", "account"]
    list_filter = ["kind", "blocklist", ("account", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["target__value", "account__name"]
    date_hierarchy = "at"


@admin.register(Sweep)
class SweepAdmin(ReadOnlyAdminMixin, AccountScopedAdmin):
    list_display = ["created_at", "account", "trigger", "status", "queries_total", "listed", "resolver"]
    list_select_related = ["account"]
    list_filter = ["status", "trigger", ("account", admin.RelatedOnlyFieldListFilter)]
