from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import harness

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("harness/client", harness.client, name="harness-client"),
    path("harness/person", harness.person, name="harness-person"),
]
