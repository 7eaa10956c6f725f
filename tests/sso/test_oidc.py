"""Signing in through a company's OpenID Connect provider, end to end against a real one on loopback
(django-oauth-toolkit in its own process: tests/idp/oidc/). Who gets in and who is refused (issue 20):
the address must be in the connection's verified domains; an IdP of one account never signs in anyone of
another account, nor staff; new people join just in time only when the connection says so; a wrong audience,
an expired ID token and a replayed code or state are refused; every sign-in is audited."""

import html
import re
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from accounts.models import Account, AuditEvent, Membership
from tests.helpers import text
from tests.idp.oidc.server import oidc_idp_fixture  # noqa: F401
from tests.sso.factories import SsoConnectionFactory, SsoDomainFactory

pytestmark = pytest.mark.django_db
PASSWORD = "idp-pass-2026"
SECRET = "idp-client-secret"
User = get_user_model()


@pytest.fixture(autouse=True)
def _loopback_idp(settings):
    settings.SSO_ALLOW_NETWORKS = ["127.0.0.0/8"]


def connect(idp, account, *, domains=("acme.test",), quirk="", **fields):
    """A connection of ``account`` at the test IdP, its domains verified, and the IdP's client for it."""
    connection = SsoConnectionFactory(account=account, oidc_issuer=idp.issuer, oidc_client_secret=SECRET, **fields)
    for domain in domains:
        SsoDomainFactory(connection=connection, domain=domain)
    callback = f"http://testserver/sso/oidc/{connection.provider_id}/login/callback/"
    idp.client(client_id=connection.oidc_client_id, client_secret=SECRET, redirect_uris=[callback], quirk=quirk)
    return connection


def start(client, email) -> str:
    """The email-first page's answer: where it sends the person (the IdP's authorization URL)."""
    page = client.post("/login/sso/", {"email": email})
    assert page.status_code == 200, page.content[:300]
    found = re.search(
        r'data-testid="sso-continue" href="([^"]+)"|href="([^"]+)" data-testid="sso-continue"', text(page)
    )
    return html.unescape(found.group(1) or found.group(2))


def through_idp(client, idp, email, *, username=None):
    """Start at the email-first page, sign in at the IdP as the person with that address; the portal's answer
    to the IdP's redirect back."""
    username = username or email.replace("@", "-")
    idp.person(username=username, email=email, password=PASSWORD, name="Nina Kowalska")
    back = urlsplit(idp.sign_in(start(client, email), username=username, password=PASSWORD))
    return client.get(f"{back.path}?{back.query}"), f"{back.path}?{back.query}"


def person(client):
    """Who the test client's session belongs to (an anonymous user when nobody)."""
    return client.get("/profile/").wsgi_request.user


def test_a_member_signs_in_with_the_company_idp_and_it_is_audited(client, world, oidc_idp):
    connection = connect(oidc_idp, world.acme)
    response, _ = through_idp(client, oidc_idp, "arthur@acme.test")
    assert response.status_code == 302 and response["Location"] == "/"
    assert person(client) == world.arthur
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SSO_SIGNED_IN)
    assert (event.account, event.actor, event.target_id) == (world.acme, world.arthur, str(connection.pk))
    # the second time through, the identity is already linked: the same person, one link
    client.logout()
    through_idp(client, oidc_idp, "arthur@acme.test")
    assert person(client) == world.arthur
    assert SocialAccount.objects.filter(user=world.arthur).count() == 1


def test_someone_new_joins_just_in_time_with_the_default_role(client, world, oidc_idp):
    connect(oidc_idp, world.acme, default_role="admin")
    response, _ = through_idp(client, oidc_idp, "nina@acme.test")
    assert response["Location"] == "/"
    nina = User.objects.get(email="nina@acme.test")
    assert person(client) == nina and nina.full_name == "Nina Kowalska" and not nina.has_usable_password()
    assert list(Membership.objects.filter(user=nina).values_list("account__slug", "role")) == [("acme", "admin")]
    joined = AuditEvent.objects.get(kind=AuditEvent.Kind.MEMBER_ADDED, account=world.acme)
    assert (joined.actor, joined.details["via"], joined.details["role"]) == (nina, "sso", "admin")


def refused(response, client) -> bool:
    """The sign-in came back refused: an error page, and nobody signed in."""
    return response.status_code in (401, 403) and not person(client).is_authenticated


def test_without_just_in_time_only_the_team_gets_in(client, world, oidc_idp):
    connect(oidc_idp, world.acme, just_in_time=False)
    response, _ = through_idp(client, oidc_idp, "nina@acme.test")
    assert refused(response, client)
    assert "cannot sign in to this company" in response.content.decode()
    assert not User.objects.filter(email="nina@acme.test").exists()


def test_an_address_outside_the_verified_domains_is_refused(client, world, oidc_idp):
    connection = connect(oidc_idp, world.acme)
    SsoDomainFactory(connection=connection, domain="pending.example", verified_at=None)
    # the IdP vouches for addresses the connection does not cover: another domain, a domain not yet verified
    for email in ("eve@elsewhere.example", "eve@pending.example"):
        oidc_idp.person(username="eve", email=email, password=PASSWORD)
        back = urlsplit(oidc_idp.sign_in(start(client, "arthur@acme.test"), username="eve", password=PASSWORD))
        assert refused(client.get(f"{back.path}?{back.query}"), client), email
    assert not User.objects.filter(email__startswith="eve@").exists()


def test_an_idp_of_another_account_never_signs_in_this_accounts_people(client, world, oidc_idp):
    """Globex's IdP vouches for Acme's Arthur (its admin typed his address): Acme's domain is not Globex's."""
    connect(oidc_idp, world.acme)
    globex = connect(oidc_idp, world.globex, domains=("globex.test",))
    oidc_idp.person(username="fake-arthur", email="arthur@acme.test", password=PASSWORD)
    started = start(client, "bob@globex.test")
    assert f"client_id={globex.oidc_client_id}" in started
    back = urlsplit(oidc_idp.sign_in(started, username="fake-arthur", password=PASSWORD))
    assert refused(client.get(f"{back.path}?{back.query}"), client)
    assert not SocialAccount.objects.exists()


def test_a_member_of_another_account_is_refused(client, world, oidc_idp):
    """Globex's verified domain covers an address whose person is on Acme's team: not Globex's to sign in."""
    connect(oidc_idp, world.globex, domains=("globex.test",))
    Membership.objects.create(account=world.acme, user=User.objects.create_user(email="mole@globex.test"))
    response, _ = through_idp(client, oidc_idp, "mole@globex.test")
    assert refused(response, client)
    assert not Membership.objects.filter(account=world.globex, user__email="mole@globex.test").exists()


def test_staff_are_refused_whatever_the_domain(client, world, oidc_idp):
    connect(oidc_idp, world.acme, domains=("tam.test",))  # even if a customer got the staff's domain verified
    response, _ = through_idp(client, oidc_idp, "tina@tam.test")
    assert refused(response, client)
    assert not SocialAccount.objects.exists()


def test_a_deactivated_person_is_refused(client, world, oidc_idp):
    connect(oidc_idp, world.acme)
    User.objects.filter(pk=world.arthur.pk).update(is_active=False)
    response, _ = through_idp(client, oidc_idp, "arthur@acme.test")
    assert refused(response, client)


def test_a_closed_account_signs_in_nobody(client, world, oidc_idp):
    connect(oidc_idp, world.acme)
    oidc_idp.person(username="arthur", email="arthur@acme.test", password=PASSWORD)
    started = start(client, "arthur@acme.test")
    Account.objects.filter(pk=world.acme.pk).update(status=Account.Status.CLOSED)  # closed while at the IdP
    back = urlsplit(oidc_idp.sign_in(started, username="arthur", password=PASSWORD))
    assert client.get(f"{back.path}?{back.query}").status_code == 404
    assert not person(client).is_authenticated
    assert client.post("/login/sso/", {"email": "arthur@acme.test"}).status_code == 400


def test_an_id_token_for_another_audience_is_refused(client, world, oidc_idp):
    """The IdP answers Acme's client with an ID token made out to Globex's client id."""
    globex = connect(oidc_idp, world.globex, domains=("globex.test",))
    connect(oidc_idp, world.acme, quirk=f"aud={globex.oidc_client_id}")
    response, _ = through_idp(client, oidc_idp, "arthur@acme.test")
    assert refused(response, client)
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SSO_SIGNED_IN).exists()


def test_an_expired_id_token_is_refused(client, world, oidc_idp):
    connect(oidc_idp, world.acme, quirk="expired")
    response, _ = through_idp(client, oidc_idp, "arthur@acme.test")
    assert refused(response, client)


def test_a_replayed_callback_or_code_is_refused(client, world, oidc_idp):
    connect(oidc_idp, world.acme)
    response, callback = through_idp(client, oidc_idp, "arthur@acme.test")
    assert response["Location"] == "/"
    client.logout()
    # the same code and state again: the state was used up
    assert refused(client.get(callback), client)
    # the old code with a new sign-in's state: the IdP gives a code once
    state = dict(p.split("=", 1) for p in urlsplit(start(client, "arthur@acme.test")).query.split("&"))["state"]
    old_code = dict(p.split("=", 1) for p in urlsplit(callback).query.split("&"))["code"]
    replay = f"{urlsplit(callback).path}?code={old_code}&state={state}"
    assert refused(client.get(replay), client)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SSO_SIGNED_IN).count() == 1
