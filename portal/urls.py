from allauth.account import views as allauth_views
from allauth.account.decorators import secure_admin_login
from anymail import urls as anymail_urls
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from api import api as rest_api
from api import views as api_views

from . import health, i18n, metrics, privacy_views, views
from .auth import InvitePasswordResetForm

# Only the webhooks of the providers the portal is set up for (settings.ANYMAIL_WEBHOOK_PROVIDERS): anymail's
# other views cannot check a request without their provider's keys and would answer it with a 500.
ANYMAIL_ROUTES = [p for p in anymail_urls.urlpatterns if p.name.split("_")[0] in settings.ANYMAIL_WEBHOOK_PROVIDERS]
for pattern in ANYMAIL_ROUTES:
    pattern.callback.login_required = False  # what @login_not_required does, for views we do not own

# The admin signs in through the portal's sign-in page, second factor included: never with a password only.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("a/<slug:slug>/", views.account_dashboard, name="account-dashboard"),
    path("a/<slug:slug>/panel/<slug:name>/", views.account_panel, name="account-panel"),
    path("api/v1/docs", api_views.reference, name="api-reference"),
    path("api/v1/", rest_api.urls()),  # issue 20: before the apps, so the ingestion endpoints answer through it
    path("", include("accounts.urls")),
    path("", include("cases.urls")),
    path("", include("deliverability.urls")),
    path("", include("planning.urls")),
    path("", include("availability.urls")),
    path("", include("integrations.urls")),
    path("", include("sso.urls")),  # issue 20: single sign-on (team settings, "Sign in with your company")
    path("a/<slug:slug>/team/export/", privacy_views.data_export, name="data-export"),
    path("a/<slug:slug>/team/export/<int:pk>/", privacy_views.data_export_download, name="data-export-download"),
    path("console/accounts/<slug:slug>/erase/", privacy_views.person_erase, name="person-erase"),
    path("console/", views.console, name="console"),
    path("language/", i18n.set_language, name="set-language"),
    path("healthz", health.healthz, name="healthz"),
    path("livez", health.livez, name="livez"),
    path("metrics", metrics.metrics, name="metrics"),
    # Sign-in (allauth's, then the second factor), sign-out and password management (Django's views, our
    # templates and outbox). allauth's pages reverse its own names: they are the same pages.
    path("login/", allauth_views.login, name="login"),
    path("login/", allauth_views.login, name="account_login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("logout/", auth_views.LogoutView.as_view(), name="account_logout"),
    path("reauthenticate/", allauth_views.reauthenticate, name="account_reauthenticate"),
    path("account/two-factor/", include("allauth.mfa.urls")),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        login_not_required(
            # the form queues the email through the outbox (accounts/invitations.py: password_reset_queue)
            auth_views.PasswordResetView.as_view(form_class=InvitePasswordResetForm)
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
    # Inbound email webhooks (cases.urls has SparkPost's raw relay): anymail's basic auth, not a session.
    path("anymail/", include((ANYMAIL_ROUTES, "anymail"))),
]
