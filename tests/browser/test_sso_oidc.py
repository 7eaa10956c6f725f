"""Signing in through the company's OpenID Connect provider in Chromium (issue 20): the email-first page sends
the person to their company's IdP (a real one on loopback, tests/idp/oidc/), they sign in on its form and land
on their dashboard; the account admin then finds the connection and the redirect URI under the team's settings."""

import pytest
from playwright.sync_api import expect

from accounts.models import AuditEvent
from tests.browser.conftest import screenshot
from tests.idp.oidc.server import oidc_idp_fixture  # noqa: F401
from tests.sso.factories import SsoConnectionFactory, SsoDomainFactory

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "idp-client-secret"


def test_a_customer_signs_in_through_the_company_idp_and_lands_on_the_dashboard(
    page, world, live_server, oidc_idp, settings
):
    settings.SSO_ALLOW_NETWORKS = ["127.0.0.0/8"]
    connection = SsoConnectionFactory(
        account=world.acme, name="Acme Okta", oidc_issuer=oidc_idp.issuer, oidc_client_secret=SECRET
    )
    SsoDomainFactory(connection=connection, domain="acme.test")
    callback = f"{live_server.url}/sso/oidc/{connection.provider_id}/login/callback/"
    oidc_idp.client(client_id=connection.oidc_client_id, client_secret=SECRET, redirect_uris=[callback])
    oidc_idp.person(username="alice", email="alice@acme.test", password="idp-pass-2026", name="Alice A")

    page.goto("/login/")
    page.get_by_test_id("sso-login-link").click()
    page.get_by_label("Work email").fill("alice@acme.test")
    screenshot(page, "sso-email-first")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Example Corp sign-in")).to_be_visible()
    assert page.url.startswith(oidc_idp.base)
    page.locator("#idp-username").fill("alice")
    page.locator("#idp-password").fill("idp-pass-2026")
    page.locator("#idp-submit").click()
    page.wait_for_url(f"{live_server.url}/a/acme/")
    expect(page.locator("h1")).to_contain_text("Acme")
    screenshot(page, "sso-oidc-dashboard")
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SSO_SIGNED_IN, actor=world.alice).count() == 1

    page.goto("/a/acme/team/")
    page.get_by_test_id("sso-link").click()
    page.get_by_role("link", name="Acme Okta").click()
    expect(page.get_by_test_id("redirect-uri")).to_have_text(callback)
    expect(page.get_by_test_id("domain-acme.test")).to_contain_text("Verified")
    screenshot(page, "sso-connection-page")
