"""The sign-in pages with single sign-on (issue 20): the email-first page finds the connection by the address's
verified domain and never lists anyone's identity providers; a company that requires single sign-on has its
people's passwords refused (sign-in and reset) with a message that names their sign-in; the IdP's address is
held to the network guard."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import OutboundEmail
from tests.helpers import text, visible_text
from tests.sso.factories import SsoConnectionFactory, SsoDomainFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def okta(world):
    connection = SsoConnectionFactory(account=world.acme, name="Okta", require_sso=True)
    SsoDomainFactory(connection=connection, domain="acme.test")
    return connection


def test_the_sign_in_page_offers_the_company_sign_in(client, english):
    response = client.get("/login/")
    assert 'href="/login/sso/"' in text(response)
    assert "Sign in with your company (SSO)" in visible_text(response)


def test_a_password_is_refused_when_the_company_requires_sso(client, world, okta, english):
    response = client.post("/login/", {"login": "Arthur@acme.test", "password": world.password})
    assert response.status_code == 200
    shown = visible_text(response)
    assert 'Your company signs you in through Okta, not with a password: use "Sign in with Okta".' in shown
    assert "Sign in with Okta" in shown  # the button that starts it, with the address already typed
    assert 'name="email" value="Arthur@acme.test"' in text(response)
    assert not response.wsgi_request.user.is_authenticated


def test_a_password_still_works_where_sso_is_not_required(client, world, okta, english):
    okta.require_sso = False
    okta.save()
    response = client.post("/login/", {"login": "arthur@acme.test", "password": world.password})
    assert response.status_code == 302
    assert response.wsgi_request.user == world.arthur


def test_an_unverified_or_disabled_connection_requires_nothing(client, world, okta, english):
    okta.domains.update(verified_at=None)
    response = client.post("/login/", {"login": "arthur@acme.test", "password": world.password})
    assert response.wsgi_request.user == world.arthur


def test_a_password_reset_is_refused_when_the_company_requires_sso(client, world, okta, english):
    response = client.post("/password/reset/", {"email": "arthur@acme.test"})
    assert response.status_code == 200
    assert "Your company signs you in through Okta" in visible_text(response)
    assert not OutboundEmail.objects.exists() and not mail.outbox


def test_the_same_in_polish(client, world, okta):
    client.cookies["django_language"] = "pl"
    response = client.post(
        "/login/", {"login": "arthur@acme.test", "password": world.password}, HTTP_ACCEPT_LANGUAGE="pl"
    )
    assert "Twoja firma" in visible_text(response)
    assert "Okta" in visible_text(response)


def test_the_email_first_page_says_nothing_of_other_companies(client, world, okta, english):
    page = client.get("/login/sso/")
    assert "Okta" not in text(page) and "Acme" not in text(page)
    response = client.post("/login/sso/", {"email": "someone@unknown.example"})
    assert response.status_code == 400
    assert "Your company's sign-in is not available. Sign in with your password." in visible_text(response)


def test_an_idp_at_a_private_address_is_not_contacted(client, world, settings, english):
    """The issuer is typed by a customer: one pointing into our network is refused (core.netguard)."""
    settings.SSO_ALLOW_NETWORKS = []
    connection = SsoConnectionFactory(account=world.acme, oidc_issuer="http://127.0.0.1:9/o")
    SsoDomainFactory(connection=connection, domain="acme.test")
    response = client.post("/login/sso/", {"email": "arthur@acme.test"})
    assert response.status_code == 400
    assert "not available" in visible_text(response)


def test_the_start_address_of_a_connection_names_nothing(client, world, okta):
    response = client.get(reverse("openid_connect_login", kwargs={"provider_id": okta.provider_id}))
    assert response["Location"] == "/login/sso/"


def test_staff_keep_their_password_sign_in_even_under_a_customers_domain(client, world, okta, english):
    """A TAM confirmed a domain that staff addresses use too: staff still sign in with password and two factors."""
    SsoDomainFactory(connection=okta, domain="tam.test")
    response = client.post("/login/", {"login": "tina@tam.test", "password": world.password})
    assert response.status_code == 302
    assert "/two-factor/authenticate/" in response["Location"]


def test_a_disabled_connection_starts_nothing_and_requires_nothing(client, world, okta, english):
    okta.enabled = False
    okta.save()
    response = client.post("/login/sso/", {"email": "arthur@acme.test"})
    assert response.status_code == 400 and "not available" in visible_text(response)
    response = client.post("/login/", {"login": "arthur@acme.test", "password": world.password})
    assert response.wsgi_request.user == world.arthur


def test_an_address_at_an_international_domain_finds_its_connection(client, world, english):
    """The domain is stored in A-labels (xn--...); the person types it in Unicode."""
    connection = SsoConnectionFactory(account=world.acme, name="Okta", require_sso=True)
    SsoDomainFactory(connection=connection, domain="xn--dka-fna80b.example")  # łódka.example
    response = client.post("/login/", {"login": "ola@łódka.example", "password": "whatever-it-is"})
    assert "Your company signs you in through Okta" in visible_text(response)
