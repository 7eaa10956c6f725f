"""A customer signs in through their company's SAML identity provider (tests/idp/saml/, on loopback) and lands
on their account's dashboard: the email-first page, the IdP's own form, the IdP's page posting back."""

import re
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from tests.browser.conftest import screenshot
from tests.idp.saml.harness import saml_connection, saml_idp  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_customer_signs_in_through_the_company_idp_to_the_dashboard(page, live_server, world, saml_idp):  # noqa: F811
    # the portal's address as the browser knows it (python3-saml checks the answer's Destination against it)
    base = live_server.url.replace("127.0.0.1", "localhost")
    saml_connection(
        world.acme,
        saml_idp,
        fetch=lambda path: urlopen(base + path, timeout=10).read(),  # noqa: S310 - the live server
        name="Acme Okta",
    )

    page.goto(base + "/login/sso/")
    page.get_by_label("Work email").fill("nora.kowalska@acme.test")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/sso\?SAMLRequest="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Test IdP")
    page.get_by_label("Email").fill("nora.kowalska@acme.test")
    page.get_by_label("Password").fill("the IdP's own password")
    page.get_by_role("button", name="Sign in at the IdP").click()

    expect(page).to_have_url(re.compile(r"/a/acme/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")
    expect(page.get_by_role("status")).to_contain_text("Successfully signed in as Nora Kowalska")
    screenshot(page, "sso-saml-dashboard")
    nora = Membership.objects.get(account=world.acme, user__email="nora.kowalska@acme.test")
    assert nora.role == Membership.Role.MEMBER
