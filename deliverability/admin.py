from django import forms
from django.contrib import admin
from django.db import models
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.admin import AccountScopedAdmin, ReadOnlyAdminMixin, ServiceAdminMixin

from . import services
from .library import services as library_services
from .library.content import render as render_markdown
from .models import (
    Article,
    AuthFinding,
    AuthRun,
    Blocklist,
    ListingEvent,
    ListingStatus,
    MediationRequest,
    MessageStream,
    MonitoredTarget,
    SenderProfile,
    Sweep,
)


@admin.register(Blocklist)
class BlocklistAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """The catalogue (MISSION: DLV-2): zones, the codes each documents, delisting links. Superusers edit it,
    through ``services.blocklist_save``/``_remove`` (audited, with no account: the catalogue is everyone's)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # a bare host is an https:// link

    list_display = ["name", "zone", "kind", "importance", "operator", "requires_key", "enabled"]
    list_filter = ["kind", "importance", "enabled"]
    search_fields = ["name", "zone", "operator"]
    list_editable = ["enabled"]

    def save_model(self, request, obj, form, change):
        services.blocklist_save(blocklist=obj, actor=request.user, changed=form.changed_data)

    def delete_model(self, request, obj):
        services.blocklist_remove(blocklist=obj, actor=request.user)


@admin.register(MessageStream)
class MessageStreamAdmin(ServiceAdminMixin, AccountScopedAdmin):
    """Changes go through the same services as the blocklists page (audited)."""

    list_display = ["name", "account", "description"]
    list_select_related = ["account"]
    search_fields = ["name", "account__name"]
    list_filter = [("account", admin.RelatedOnlyFieldListFilter)]

    def save_model(self, request, obj, form, change):
        services.stream_save(stream=obj, actor=request.user, changed=form.changed_data)

    def delete_model(self, request, obj):
        services.stream_remove(stream=obj, actor=request.user)


@admin.register(MonitoredTarget)
class MonitoredTargetAdmin(ServiceAdminMixin, AccountScopedAdmin):
    """Changes go through the same services as the blocklists page (audited)."""

    list_display = ["value", "kind", "account", "stream", "role", "created_at"]
    list_select_related = ["account", "stream"]
    list_filter = ["kind", "role", ("account", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["value", "account__name"]
    fields = ["account", "value", "stream", "role"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "stream":
            kwargs["queryset"] = MessageStream.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.target_save(target=obj, actor=request.user, changed=form.changed_data)

    def delete_model(self, request, obj):
        services.target_remove(target=obj, actor=request.user)


@admin.register(ListingStatus)
class ListingStatusAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["target", "blocklist", "result", "listed", "listed_since", "checked_at"]
    list_select_related = ["target__account", "blocklist"]
    list_filter = ["result", "listed", "blocklist"]
    search_fields = ["target__value", "target__account__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


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


@admin.register(Article)
class ArticleAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """The best-practice library (MISSION: TAM-6): TAMs write in Markdown; the preview is what readers see.
    Saved and deleted through ``services.article_save``/``_remove`` (audited, with no account)."""

    list_display = ["title", "category", "language", "translation_key", "status", "published_at", "author"]
    list_filter = ["status", "category", "language"]
    search_fields = ["title", "summary", "body", "tags", "translation_key"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["preview", "updated_at", "announced_at"]
    # translation_key pairs the English and the Polish version of one article (issue 16); happened_on dates
    # an industry trend.
    fields = ["title", "slug", "summary", "category", "happened_on", "tags", "topics", "language"]
    fields += ["translation_key", "status", "published_at", "body", "preview", "updated_at", "announced_at"]
    list_select_related = ["author"]

    @admin.display(description=_("preview"))
    def preview(self, obj):
        return mark_safe(render_markdown(obj.body)) if obj.pk else "—"  # noqa: S308 - sanitised by nh3

    def save_model(self, request, obj, form, change):
        services.article_save(article=obj, actor=request.user, changed=form.changed_data)

    def delete_model(self, request, obj):
        services.article_remove(article=obj, actor=request.user)


class SenderProfileForm(forms.ModelForm):
    providers = forms.MultipleChoiceField(
        label=_("main mailbox providers"),
        choices=SenderProfile.Provider.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SenderProfile
        fields = ["account", "industry", "daily_volume", "providers"]


@admin.register(SenderProfile)
class SenderProfileAdmin(AccountScopedAdmin):
    """MISSION: TAM-6 — the TAM records the customer's industry, volume and providers; the library recommends
    and announces what is relevant to them. Saved through ``library.services.sender_profile_save`` (audited)."""

    form = SenderProfileForm
    list_display = ["account", "industry", "daily_volume", "updated_at"]
    list_select_related = ["account"]
    list_filter = ["industry"]
    search_fields = ["account__name"]

    def get_readonly_fields(self, request, obj=None):
        return ["account"] if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = library_services.sender_profile_save(
            account=obj.account,
            actor=request.user,
            industry=data.get("industry", ""),
            daily_volume=data.get("daily_volume"),
            providers=data.get("providers", []),
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


class AuthFindingInline(admin.TabularInline):
    model = AuthFinding
    extra = 0
    fields = ["subject", "kind", "status", "title", "fix", "regression"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).worst_first()


@admin.register(AuthRun)
class AuthRunAdmin(ReadOnlyAdminMixin, AccountScopedAdmin):
    list_display = ["created_at", "account", "trigger", "status", "resolver"]
    list_select_related = ["account"]
    list_filter = ["status", "trigger", ("account", admin.RelatedOnlyFieldListFilter)]
    inlines = [AuthFindingInline]


@admin.register(MediationRequest)
class MediationRequestAdmin(ReadOnlyAdminMixin, AccountScopedAdmin):
    """Read-only here: TAMs handle requests in the staff console (Console → Mediation)."""

    list_display = ["created_at", "account", "provider", "status", "submitted_at"]
    list_select_related = ["account"]
    list_filter = ["status", "provider", ("account", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["account__name", "bounce_text"]
