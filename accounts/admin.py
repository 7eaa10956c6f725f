"""Admin for TAMs and superusers. A TAM sees and edits only their own accounts; a superuser sees all."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Account,
    AuditEvent,
    BusinessCalendar,
    CalendarException,
    Contact,
    Membership,
    OpeningWindow,
    OutboundEmail,
    User,
)


def staffed_accounts(request):
    return Account.objects.staffed_by(request.user)


def customers_for(request):
    """People a staff member may put on a team: customers of their accounts, or of no account yet."""
    qs = User.objects.filter(is_staff=False)
    if request.user.is_superuser:
        return qs
    return qs.filter(Q(memberships__account__in=staffed_accounts(request)) | Q(memberships__isnull=True)).distinct()


class AccountScopedAdmin(admin.ModelAdmin):
    """For models with an ``account`` foreign key: rows of the staff member's accounts only."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(account__in=staffed_accounts(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "account":
            kwargs["queryset"] = staffed_accounts(request)
        if db_field.name == "user":
            kwargs["queryset"] = customers_for(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = customers_for(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "email", "phone", "kind", "receives_alerts"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status", "primary_tam", "backup_tam", "timezone"]
    list_filter = [
        "status",
        ("primary_tam", admin.RelatedOnlyFieldListFilter),
        ("backup_tam", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["primary_tam", "backup_tam"]
    search_fields = ["name", "slug", "support_email"]
    inlines = [MembershipInline, ContactInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "status", "timezone"]}),
        (_("Technical Account Manager (MISSION TAM-1)"), {"fields": ["primary_tam", "backup_tam"]}),
        (_("Support (MISSION CR-1, NC-1, NC-2)"), {"fields": ["severity1_phone", "support_email", "support_calendar"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=staffed_accounts(request).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser moves an account to another TAM or renames its short name (used in case numbers).
        return [] if request.user.is_superuser else ["slug", "primary_tam"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in {"primary_tam", "backup_tam"}:
            kwargs["queryset"] = User.objects.filter(is_staff=True, is_active=True, staff_role="tam")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        primary, backup = obj.primary_tam, obj.backup_tam
        if change:
            old = Account.objects.only("primary_tam", "backup_tam").get(pk=obj.pk)
            obj.primary_tam_id, obj.backup_tam_id = old.primary_tam_id, old.backup_tam_id
        else:
            obj.primary_tam = obj.backup_tam = None
        super().save_model(request, obj, form, change)
        services.account_assign_tams(account=obj, actor=request.user, primary_tam=primary, backup_tam=backup)


@admin.register(Membership)
class MembershipAdmin(AccountScopedAdmin):
    list_display = ["user", "account", "role", "created_at"]
    list_filter = ["role", ("account", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "account"]
    search_fields = ["user__email", "user__full_name", "account__name"]


@admin.register(Contact)
class ContactAdmin(AccountScopedAdmin):
    list_display = ["name", "email", "account", "kind", "receives_alerts"]
    list_filter = ["kind", "receives_alerts", ("account", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["account"]
    search_fields = ["name", "email", "account__name"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "account", "actor"]
    list_filter = ["kind"]
    list_select_related = ["account", "actor"]
    search_fields = ["account__name", "actor__email"]
    readonly_fields = ["created_at", "kind", "account", "actor", "details"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(account__in=staffed_accounts(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OpeningWindowInline(admin.TabularInline):
    model = OpeningWindow
    extra = 0


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 0
    fields = ["first", "last", "closed", "opens", "closes", "note"]


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    """MISSION: TAM-2 — the provider extends or shortens business hours with dated exceptions."""

    list_display = ["name", "timezone", "always_open", "holiday_country", "updated_at"]
    list_filter = ["always_open", "holiday_country"]
    search_fields = ["name"]
    inlines = [OpeningWindowInline, CalendarExceptionInline]

    def _may_edit(self, request, obj) -> bool:
        return request.user.is_superuser or obj is None or obj.pk == request.user.calendar_id

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changed = list(form.changed_data) + [
            f"{fs.model._meta.verbose_name_plural}" for fs in formsets if fs.has_changed()
        ]
        if changed:
            AuditEvent.objects.create(
                actor=request.user,
                kind=AuditEvent.Kind.CALENDAR_CHANGED,
                details={"calendar": form.instance.name, "changed": [str(c) for c in changed]},
            )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "staff_role", "is_staff", "is_active", "last_login"]
    list_filter = ["staff_role", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "job_title", "phone", "language", "timezone"]}),
        (_("Staff"), {"fields": ["is_staff", "staff_role", "calendar", "is_superuser", "groups", "user_permissions"]}),
        (_("Status"), {"fields": ["is_active", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The durable outbox, for checking what was sent and retrying what failed."""

    list_display = ["created_at", "kind", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "reference"]
    readonly_fields = [
        "kind",
        "account",
        "to",
        "subject",
        "body",
        "html_body",
        "headers",
        "reference",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "sent_at",
    ]
    fields = readonly_fields
    actions = ["retry"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(account__in=staffed_accounts(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected failed emails again"), permissions=["view"])
    def retry(self, request, queryset):
        from django.utils import timezone

        queryset.filter(status=OutboundEmail.Status.FAILED).update(
            status=OutboundEmail.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
