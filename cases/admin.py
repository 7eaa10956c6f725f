"""Admin for cases: browsing with the filters a TAM uses daily; changes go through the services (actions),
and the timeline is read-only (it is the audit trail)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyAdminMixin, ServiceAdminMixin

from . import services
from .models import CannedReply, Case, CaseEvent, InboundMessage, OnCallShift, PhoneIntake, SlaAlert


class CaseEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseEvent
    fields = ["created_at", "kind", "public", "actor", "body"]
    readonly_fields = fields
    extra = 0
    ordering = ["created_at", "id"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "account", "subject", "severity", "status", "assignee", "next_deadline_at", "created_at"]
    list_filter = [
        "status",
        "severity",
        "category",
        "channel",
        ("account", admin.RelatedOnlyFieldListFilter),
        ("assignee", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["account", "assignee"]
    search_fields = ["number", "subject"]
    date_hierarchy = "created_at"
    inlines = [CaseEventInline]
    actions = ["assign_to_me"]
    readonly_fields = [f.name for f in Case._meta.fields]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False  # cases are opened through the portal, email or the Severity 1 form

    def has_change_permission(self, request, obj=None):
        # Saving the form would write the case past its services (no timeline row): every change is made on
        # the case page or the console, or by the action below, through ``cases.services``.
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the timeline is the audit trail; nothing is deleted

    @admin.action(description=_("Assign the selected cases to me"), permissions=["view"])
    def assign_to_me(self, request, queryset):
        for case in queryset.select_related("account"):
            services.case_assign(case=case, actor=request.user, assignee=request.user)
        messages.success(request, _("Assigned to you."))


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "case", "kind", "public", "actor"]
    list_filter = ["kind", "public"]
    list_select_related = ["case", "actor"]
    search_fields = ["case__number", "body"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(SlaAlert)
class SlaAlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "case", "clock", "level", "due_at"]
    list_filter = ["clock", "level"]
    list_select_related = ["case"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(PhoneIntake)
class PhoneIntakeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["received_at", "company_name", "contact_name", "account", "case", "taken_by"]
    list_select_related = ["account", "case", "taken_by"]
    search_fields = ["company_name", "contact_name", "contact_email"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(OnCallShift)
class OnCallShiftAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """The rota as in the console's on-call screen: every change goes through its services (audited)."""

    list_display = ["agent", "starts_at", "ends_at", "handover_note"]
    list_filter = [("agent", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["agent"]
    date_hierarchy = "starts_at"

    def save_model(self, request, obj, form, change):
        services.oncall_shift_save(shift=obj, actor=request.user, changed=form.changed_data)

    def delete_model(self, request, obj):
        services.oncall_shift_remove(shift=obj, actor=request.user)


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every inbound email, raw bytes kept; staff assign and replay from the console's inbound screen."""

    list_display = ["received_at", "sender", "subject", "status", "result", "case"]
    list_filter = ["status", "source"]
    list_select_related = ["case"]
    search_fields = ["sender", "subject", "message_id"]
    exclude = ["raw"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).defer("raw")


@admin.register(CannedReply)
class CannedReplyAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Canned replies as in the console (issue 15): saved and removed through their services, audited; an
    unknown placeholder is an error on the text (``CannedReply.clean``)."""

    list_display = ["name", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["name", "body_en", "body_pl"]

    def save_model(self, request, obj, form, change):
        services.canned_reply_save(reply=obj, actor=request.user, changed=form.changed_data)

    def delete_model(self, request, obj):
        services.canned_reply_remove(reply=obj, actor=request.user)
