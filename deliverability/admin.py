from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import AccountScopedAdmin, ReadOnlyAdminMixin, ServiceAdminMixin

from . import services
from .dmarc_reports import services as dmarc_services
from .library import services as library_services
from .library.content import render as render_markdown
from .models import (
    Article,
    AuthFinding,
    AuthRun,
    Blocklist,
    DmarcReport,
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

    # MISSION: DLV-2 — "removing" a target archives it and keeps its history, so the admin says so: its
    # pages (templates/admin/deliverability/monitoredtarget/) list nothing to be deleted.
    def delete_model(self, request, obj):
        services.target_remove(target=obj, actor=request.user)

    def get_deleted_objects(self, objs, request):
        """Nothing related is deleted (statuses and events stay with the archived target), so nothing to list
        and no permission on them is needed: only the targets themselves, to archive."""
        return [str(obj) for obj in objs], {}, set(), []

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # Django's says "deleted"; archive_selected says what happens
        return actions

    @admin.action(description=_("Archive the selected targets (history kept)"), permissions=["delete"])
    def archive_selected(self, request, queryset):
        if request.POST.get("post"):
            self.log_deletions(request, queryset)
            self.delete_queryset(request, queryset)  # one by one, through the service (ServiceAdminMixin)
            count = len(queryset)
            message = ngettext(
                "Archived %(count)d target: no longer monitored, its history kept.",
                "Archived %(count)d targets: no longer monitored, their history kept.",
                count,
            )
            self.message_user(request, message % {"count": count}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Archive targets"),
            "subtitle": None,
            "queryset": queryset,
            "opts": self.opts,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        template = "admin/deliverability/monitoredtarget/delete_selected_confirmation.html"
        return TemplateResponse(request, template, context)

    actions = ["archive_selected"]

    def response_delete(self, request, obj_display, obj_id):
        if IS_POPUP_VAR in request.POST:
            return super().response_delete(request, obj_display, obj_id)
        message = _("“%(target)s” is archived: no longer monitored, its history kept.") % {"target": obj_display}
        self.message_user(request, message, messages.SUCCESS)
        url = reverse("admin:deliverability_monitoredtarget_changelist", current_app=self.admin_site.name)
        return HttpResponseRedirect(url)


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


@admin.register(DmarcReport)
class DmarcReportAdmin(ReadOnlyAdminMixin, AccountScopedAdmin):
    """DMARC report files as received (issue 19); a refused one is counted again through the service."""

    list_display = ["received_at", "account", "source", "filename", "org_name", "report_id", "status", "messages"]
    list_select_related = ["account"]
    list_filter = ["status", "source", ("account", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["org_name", "report_id", "filename", "account__name"]
    exclude = ["raw"]
    actions = ["replay_selected"]

    def has_replay_permission(self, request):
        # the model's change permission as Django's admin checks it (ReadOnlyAdminMixin hides editing)
        return admin.ModelAdmin.has_change_permission(self, request)

    @admin.action(description=_("Count the selected refused reports again"), permissions=["replay"])
    def replay_selected(self, request, queryset):
        refused = list(queryset.filter(status=DmarcReport.Status.REFUSED).select_related("account"))
        for report in refused:
            dmarc_services.report_replay(report=report, actor=request.user)
        message = ngettext("%(count)d report queued again.", "%(count)d reports queued again.", len(refused))
        self.message_user(request, message % {"count": len(refused)}, messages.SUCCESS)


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


from .reputation import postmaster_admin, snds_admin  # noqa: E402, F401 - register the read-only admins of SNDS and Postmaster Tools
