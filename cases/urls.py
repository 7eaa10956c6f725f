"""The cases pages: the customer's (under the account) and the staff console's (queue, Severity 1 intake,
inbound mail, on-call rota)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import inbound_views, intake_views, queue_views, rating_views, report_views, staff_views, tool_views, views
from .email.webhook import SparkPostRawInboundView

urlpatterns = [
    path("a/<slug:slug>/cases/", views.case_list, name="case-list"),
    path("a/<slug:slug>/cases/new/", views.case_new, name="case-new"),
    path("a/<slug:slug>/cases/sla-report/", report_views.account_report, name="case-report"),
    path("a/<slug:slug>/cases/<str:number>/", views.case_detail, name="case-detail"),
    path("a/<slug:slug>/cases/<str:number>/files/<int:pk>/", views.case_attachment, name="case-attachment"),
    path("a/<slug:slug>/cases/<str:number>/rate/", rating_views.case_rate, name="case-rate"),
    path("a/<slug:slug>/cases/<str:number>/<slug:action>/", views.case_action, name="case-action"),
    path("rate/<str:token>/", rating_views.rate_by_email, name="case-rate-email"),
    path("console/cases/", staff_views.queue, name="staff-queue"),
    path("console/cases/sla-report/", report_views.staff_report, name="staff-case-report"),
    # Before the case pages below, whose <number> would take "bulk" and "views".
    path("console/cases/bulk/", queue_views.bulk, name="queue-bulk"),
    path("console/cases/views/", queue_views.saved_view_create, name="saved-view-create"),
    path("console/cases/views/<int:pk>/", queue_views.saved_view_change, name="saved-view-change"),
    path("console/cases/views/<int:pk>/delete/", queue_views.saved_view_delete, name="saved-view-delete"),
    path("console/cases/<str:number>/", staff_views.staff_case, name="staff-case"),
    # Issue 15, ahead of the actions' pattern: a canned reply into the reply form, who else is replying.
    path("console/cases/<str:number>/macro/", tool_views.staff_case_macro, name="staff-case-macro"),
    path("console/cases/<str:number>/replying/", tool_views.staff_case_replying, name="staff-case-replying"),
    path("console/cases/<str:number>/<slug:action>/", staff_views.staff_case_action, name="staff-case-action"),
    path("console/macros/", tool_views.macro_list, name="macro-list"),
    path("console/macros/<int:pk>/", tool_views.macro_edit, name="macro-edit"),
    path("console/macros/<int:pk>/remove/", tool_views.macro_remove, name="macro-remove"),
    path("console/severity1/", intake_views.phone_intake, name="phone-intake"),
    path("console/severity1/<int:pk>/match/", intake_views.intake_match, name="intake-match"),
    path("console/severity1/<int:pk>/close/", intake_views.intake_close, name="intake-close"),
    path("console/inbound/", inbound_views.inbound_list, name="inbound-list"),
    path("console/inbound/<int:pk>/", inbound_views.inbound_detail, name="inbound-detail"),
    path("console/inbound/<int:pk>/<slug:action>/", inbound_views.inbound_action, name="inbound-action"),
    path("console/oncall/", staff_views.oncall, name="oncall"),
    path("console/oncall/<int:pk>/remove/", staff_views.oncall_delete, name="oncall-delete"),
    # Inbound email webhook: authenticated by anymail's basic auth, not by a portal session. Before
    # portal.urls' "anymail/" include, which cases.urls is included ahead of.
    path(
        "anymail/sparkpost/inbound/",
        login_not_required(SparkPostRawInboundView.as_view()),
        name="anymail-sparkpost-inbound",
    ),
]
