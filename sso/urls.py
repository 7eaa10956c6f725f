"""Single sign-on: the account's settings (team pages) and the email-first sign-in."""

from allauth.socialaccount.providers.openid_connect import views as oidc
from django.urls import path

from . import saml, views

urlpatterns = [
    path("a/<slug:slug>/team/sso/", views.settings_page, name="sso-settings"),
    path("a/<slug:slug>/team/sso/<int:pk>/", views.connection_page, name="sso-connection"),
    path("a/<slug:slug>/team/sso/<int:pk>/domains/", views.domain_add, name="sso-domain-add"),
    path("a/<slug:slug>/team/sso/domains/<int:pk>/verify/", views.domain_verify, name="sso-domain-verify"),
    path("a/<slug:slug>/team/sso/domains/<int:pk>/confirm/", views.domain_confirm, name="sso-domain-confirm"),
    path("a/<slug:slug>/team/sso/domains/<int:pk>/remove/", views.domain_remove, name="sso-domain-remove"),
    path("login/sso/", views.sign_in, name="sso-login"),
    # allauth's OpenID Connect return address. Its "start" page would name the connection to anyone who tries
    # acct-1, acct-2...: the flow starts only from the email-first page, which this address sends people to.
    path("sso/oidc/<str:provider_id>/login/", views.start_elsewhere, name="openid_connect_login"),
    path("sso/oidc/<str:provider_id>/login/callback/", oidc.callback, name="openid_connect_callback"),
    # allauth's SAML 2.0 views per connection (sso/saml.py), its start page likewise the email-first page's;
    # the end of its ACS is ours (an answer posted a second time is a failed sign-in, not a bare 403).
    path("sso/saml/<str:organization_slug>/login/", views.start_elsewhere, name="saml_login"),
    path("sso/saml/<str:organization_slug>/acs/", saml.acs, name="saml_acs"),
    path("sso/saml/<str:organization_slug>/acs/finish/", saml.finish_acs, name="saml_finish_acs"),
    path("sso/saml/<str:organization_slug>/sls/", saml.sls, name="saml_sls"),
    path("sso/saml/<str:organization_slug>/metadata/", saml.metadata, name="saml_metadata"),
]
