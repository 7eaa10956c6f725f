from anymail import urls as anymail_urls
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from accounts import views as account_views
from cases import inbound_views
from cases import staff_views as case_staff
from cases import views as case_views
from cases.email.webhook import SparkPostRawInboundView

from . import health, i18n, views
from .auth import InvitePasswordResetForm, LoginView

urlpatterns = [
    path("", views.home, name="home"),
    path("a/<slug:slug>/", views.account_dashboard, name="account-dashboard"),
    path("a/<slug:slug>/panel/<slug:name>/", views.account_panel, name="account-panel"),
    path("a/<slug:slug>/team/", account_views.team, name="team"),
    path("a/<slug:slug>/team/<int:pk>/role/", account_views.member_role, name="member-role"),
    path("a/<slug:slug>/team/<int:pk>/remove/", account_views.member_remove, name="member-remove"),
    path("a/<slug:slug>/cases/", case_views.case_list, name="case-list"),
    path("a/<slug:slug>/cases/new/", case_views.case_new, name="case-new"),
    path("a/<slug:slug>/cases/<str:number>/", case_views.case_detail, name="case-detail"),
    path("a/<slug:slug>/cases/<str:number>/files/<int:pk>/", case_views.case_attachment, name="case-attachment"),
    path("a/<slug:slug>/cases/<str:number>/<slug:action>/", case_views.case_action, name="case-action"),
    path("", include("deliverability.urls")),
    path("", include("planning.urls")),
    path("", include("availability.urls")),
    path("console/", views.console, name="console"),
    path("console/cases/", case_staff.queue, name="staff-queue"),
    path("console/cases/<str:number>/", case_staff.staff_case, name="staff-case"),
    path("console/cases/<str:number>/<slug:action>/", case_staff.staff_case_action, name="staff-case-action"),
    path("console/severity1/", case_staff.phone_intake, name="phone-intake"),
    path("console/severity1/<int:pk>/match/", case_staff.intake_match, name="intake-match"),
    path("console/inbound/", inbound_views.inbound_list, name="inbound-list"),
    path("console/inbound/<int:pk>/", inbound_views.inbound_detail, name="inbound-detail"),
    path("console/inbound/<int:pk>/<slug:action>/", inbound_views.inbound_action, name="inbound-action"),
    path("console/oncall/", case_staff.oncall, name="oncall"),
    path("console/oncall/<int:pk>/remove/", case_staff.oncall_delete, name="oncall-delete"),
    path("profile/", account_views.profile, name="profile"),
    path("language/", i18n.set_language, name="set-language"),
    path("healthz", health.healthz, name="healthz"),
    # Sign-in, sign-out and password management (Django's views, our templates).
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        login_not_required(
            auth_views.PasswordResetView.as_view(
                form_class=InvitePasswordResetForm,
                # plain text only (Django's default name ends in .html, though it is the text/plain body)
                email_template_name="registration/password_reset_email.txt",
            )
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        login_not_required(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        login_not_required(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        login_not_required(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    # Inbound email webhooks: authenticated by anymail's basic auth, not by a portal session.
    path(
        "anymail/sparkpost/inbound/",
        login_not_required(SparkPostRawInboundView.as_view()),
        name="anymail-sparkpost-inbound",
    ),
    path("anymail/", include(anymail_urls)),
]

for pattern in anymail_urls.urlpatterns:
    pattern.callback.login_required = False  # what @login_not_required does, for views we do not own
