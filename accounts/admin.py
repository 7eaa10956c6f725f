"""Admin for TAMs and superusers. A TAM sees and edits only their own accounts; a superuser sees all. Every list
is scoped by the model's ``visible_to`` (``accounts.access``)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .access import can_edit_calendar
from .models import (
    Account,
    ApiToken,
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


class ReadOnlyAdminMixin:
    """Audit trails and records that only services write: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceAdminMixin:
    """Admin writes go through the app's services, validated and audited like the portal's: a subclass's
    ``save_model`` and ``delete_model`` call them, and a bulk delete deletes one by one through
    ``delete_model`` (Django's default would delete the queryset directly, unaudited)."""

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class AccountScopedAdmin(admin.ModelAdmin):
    """For models with an ``account`` foreign key: rows of the staff member's accounts only (``visible_to``)."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "account":
            kwargs["queryset"] = staffed_accounts(request)
        if db_field.name == "user":
            kwargs["queryset"] = customers_for(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipFormSet(BaseInlineFormSet):
    """The team as edited in the admin: every account keeps an account admin; people are not swapped in place."""

    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        for f in kept:
            if f.instance.pk and "user" in f.changed_data:
                raise ValidationError(_("To replace a person, remove them and add the new person."))
        if kept and not any(f.cleaned_data.get("role") == Membership.Role.ADMIN for f in kept):
            raise ValidationError(_("Every account keeps at least one account admin."))


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
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
        (
            _("Support (MISSION CR-1, NC-1, NC-2)"),
            {"fields": ["severity1_phone", "support_email", "support_calendar", "response_target_hours"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # an account is closed (status), never deleted: that would take its cases and audit trail

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser moves an account to another TAM or renames its short name (used in case numbers).
        return [] if request.user.is_superuser else ["slug", "primary_tam"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in {"primary_tam", "backup_tam"}:
            kwargs["queryset"] = User.objects.filter(is_staff=True, is_active=True, staff_role="tam")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class AccountForm(form_class):
            def clean(self):
                data = super().clean()
                primary = data.get("primary_tam", self.instance.primary_tam if self.instance.pk else None)
                backup = data.get("backup_tam")
                if primary is not None and backup is not None and primary.pk == backup.pk:
                    self.add_error("backup_tam", _("The backup TAM must be someone other than the TAM."))
                return data

        return AccountForm

    def save_model(self, request, obj, form, change):
        """Through the services: a new account with ``account_create``; a change as details, then TAMs."""
        if not change:
            services.account_create(account=obj, actor=request.user)
            return
        account = Account.objects.get(pk=obj.pk)
        details = {f: getattr(obj, f) for f in form.changed_data if f in services.ACCOUNT_DETAIL_FIELDS}
        services.account_update(account=account, actor=request.user, **details)
        services.account_assign_tams(
            account=account, actor=request.user, primary_tam=obj.primary_tam, backup_tam=obj.backup_tam
        )

    def save_formset(self, request, form, formset, change):
        """Team and contact changes go through the services, so they are validated and audited like in the
        portal."""
        formset.save(commit=False)
        if formset.model is Contact:
            _save_contacts(request, formset)
        elif formset.model is Membership:
            _save_team(request, form.instance, formset)
        else:
            raise ValueError(f"no service saves {formset.model.__name__} rows")


def _save_team(request, account, formset):
    for m in formset.new_objects:
        services.membership_add(
            account=account, actor=request.user, email=m.user.email, full_name=m.user.full_name, role=m.role
        )
    promotions_first = sorted(formset.changed_objects, key=lambda item: item[0].role != Membership.Role.ADMIN)
    for m, _fields in promotions_first:
        services.membership_set_role(membership=Membership.objects.get(pk=m.pk), actor=request.user, role=m.role)
    for m in formset.deleted_objects:
        services.membership_remove(membership=Membership.objects.get(pk=m.pk), actor=request.user)


def _save_contacts(request, formset):
    for contact in formset.deleted_objects:
        services.contact_remove(contact=contact, actor=request.user)
    for contact in formset.new_objects:
        services.contact_save(contact=contact, actor=request.user, changed=[])
    for contact, fields in formset.changed_objects:
        services.contact_save(contact=contact, actor=request.user, changed=fields)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdminMixin, AccountScopedAdmin):
    """A read-only list across accounts; the team is changed on the account page (or the portal's team page),
    where every change goes through the services."""

    list_display = ["user", "account", "role", "created_at"]
    list_filter = ["role", ("account", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "account"]
    search_fields = ["user__email", "user__full_name", "account__name"]


@admin.register(Contact)
class ContactAdmin(ServiceAdminMixin, AccountScopedAdmin):
    """Changes go through the same services as the account page's contact rows (audited)."""

    list_display = ["name", "email", "account", "kind", "receives_alerts"]
    list_filter = ["kind", "receives_alerts", ("account", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["account"]
    search_fields = ["name", "email", "account__name"]

    def save_model(self, request, obj, form, change):
        services.contact_save(contact=obj, actor=request.user, changed=form.changed_data)

    def delete_model(self, request, obj):
        services.contact_remove(contact=obj, actor=request.user)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "kind", "account", "actor"]
    list_filter = ["kind"]
    list_select_related = ["account", "actor"]
    search_fields = ["account__name", "actor__email"]
    readonly_fields = ["created_at", "kind", "account", "actor", "details"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


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

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or can_edit_calendar(request.user, obj))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changed = list(form.changed_data) + [
            f"{fs.model._meta.verbose_name_plural}" for fs in formsets if fs.has_changed()
        ]
        services.calendar_record_changes(calendar=form.instance, actor=request.user, changed=changed)


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
class OutboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
        return super().get_queryset(request).visible_to(request.user)

    @admin.action(description=_("Send the selected failed emails again"), permissions=["view"])
    def retry(self, request, queryset):
        failed = queryset.select_related("account").filter(status=OutboundEmail.Status.FAILED)
        n = sum(services.outbound_email_retry(email=email, actor=request.user) for email in failed)
        self.message_user(request, ngettext("%(n)s email queued again.", "%(n)s emails queued again.", n) % {"n": n})


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, AccountScopedAdmin):
    """Per-account API tokens, made on the account's API tokens page (where the key is shown once). Nothing
    about a token is edited here: its account and revocation are fixed at issue; the one change is to revoke
    it, through the same service as the page."""

    list_display = ["name", "account", "prefix", "created_at", "last_used_at", "revoked_at", "usable"]
    list_filter = ["revoked_at", ("account", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["account"]
    search_fields = ["name", "prefix", "account__name"]
    fields = ["account", "name", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_usable()

    @admin.display(boolean=True, description=_("accepted by the APIs"))
    def usable(self, obj):
        return obj.usable

    def has_revoke_permission(self, request):
        return request.user.has_perm("accounts.change_apitoken")

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        tokens = list(queryset.select_related("account").filter(revoked_at__isnull=True))
        for token in tokens:
            services.api_token_revoke(token=token, actor=request.user)
        n = len(tokens)
        self.message_user(request, ngettext("%(n)s API token revoked.", "%(n)s API tokens revoked.", n) % {"n": n})
