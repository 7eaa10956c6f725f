"""SAML 2.0 sign-in against a real identity provider on loopback (tests/idp/saml/: pysaml2, signed by xmlsec1).

The test client starts the sign-in at the portal, the harness plays the person at the IdP's form and hands
back the SAMLResponse the IdP's page would post; the test posts it to the portal's ACS (once, or twice)."""

import html
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, Membership, User
from sso.models import SsoConnection, SsoDomain
from tests.accounts.factories import MembershipFactory, TamFactory, UserFactory
from tests.idp.saml.harness import saml_connection, saml_idp  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")


def start(client, email: str) -> str:
    """ "Sign in with your company": the address's domain picks the connection, and the portal's page sends
    the browser on to its IdP with an AuthnRequest (the page's "Continue" link)."""
    page = client.post(reverse("sso-login"), {"email": email})
    assert page.status_code == 200, page.content[:500]
    found = re.search(r'<a href="([^"]+)" data-testid="sso-continue"', page.content.decode())
    return html.unescape(found.group(1))


def post_to_acs(client, acs: str, fields: dict):
    """What the IdP's page makes the browser do: post to the ACS, follow the portal's redirect to its end."""
    response = client.post(urlsplit(acs).path, fields)
    assert response.status_code == 302
    return client.get(response["Location"])


def through_idp(client, idp, email, mode="good", *, at_idp=None):
    """Start at the portal as ``email``, sign in at the IdP as ``at_idp`` (the same by default)."""
    acs, fields = idp.answer(start(client, email), at_idp or email, mode)
    return post_to_acs(client, acs, fields), (acs, fields)


def session_user(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


@pytest.fixture
def client():
    """A browser sends its Host header, which python3-saml reads when the sign-in starts."""
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def okta(world, saml_idp, client):  # noqa: F811 - the fixture imported above
    return saml_connection(
        world.acme, saml_idp, fetch=lambda path: client.get(path).content, default_role=Membership.Role.ADMIN
    )


def test_a_new_person_of_the_domain_joins_the_account_with_its_default_role(client, saml_idp, okta, world):  # noqa: F811
    response, _ = through_idp(client, saml_idp, "Nora.Kowalska@acme.test")

    assert response.status_code == 302 and response["Location"] == reverse("home")
    nora = session_user(client)
    assert nora.email == "nora.kowalska@acme.test" and nora.full_name == "Nora Kowalska"  # the IdP's names
    assert list(nora.memberships.values_list("account__slug", "role")) == [("acme", "admin")]
    assert AuditEvent.objects.filter(account=world.acme, actor=nora).exists()
    dashboard = client.get(reverse("home"), follow=True)
    assert dashboard.status_code == 200 and "Acme" in dashboard.content.decode()


def test_a_member_signs_in_as_themself(client, saml_idp, okta, world):  # noqa: F811
    through_idp(client, saml_idp, "arthur@acme.test")

    assert session_user(client) == world.arthur
    assert world.arthur.memberships.get().role == Membership.Role.MEMBER  # the default role is for new people
    # the second time the same identity comes back, it is the same person
    client.logout()
    through_idp(client, saml_idp, "arthur@acme.test")
    assert session_user(client) == world.arthur
    assert User.objects.filter(email__iendswith="@acme.test").count() == 2


def refused_page(response, status: int) -> str:
    assert response.status_code == status
    return " ".join(response.content.decode().split())


@pytest.mark.parametrize(
    "mode, why",
    [
        ("audience", "is not a valid audience"),
        ("expired", "Could not validate timestamp: expired"),
        ("unsigned", "No Signature found"),
        ("tampered", "Signature validation failed"),
    ],
)
def test_an_answer_the_portal_cannot_trust_is_refused(client, saml_idp, okta, caplog, mode, why):  # noqa: F811
    response, _ = through_idp(client, saml_idp, "nora@acme.test", mode=mode)

    assert "Sign-in failed" in refused_page(response, 401)
    assert why in caplog.text  # python3-saml's reason, in the log only
    assert session_user(client) is None
    assert not User.objects.filter(email__in=["nora@acme.test", "ceo@acme.test"]).exists()


def test_an_answer_posted_a_second_time_is_refused(client, saml_idp, okta, world):  # noqa: F811
    _, (acs, fields) = through_idp(client, saml_idp, "arthur@acme.test")
    assert session_user(client) == world.arthur
    client.logout()

    again = post_to_acs(client, acs, fields)  # the same browser
    assert "Sign-in failed" in refused_page(again, 400)
    assert session_user(client) is None

    elsewhere = Client(HTTP_HOST="localhost")
    replayed = post_to_acs(elsewhere, acs, fields)  # someone who captured it
    assert "Sign-in failed" in refused_page(replayed, 400)
    assert session_user(elsewhere) is None


def test_an_email_outside_the_verified_domains_is_refused(client, saml_idp, okta, world):  # noqa: F811
    SsoDomain.objects.create(connection=okta, domain="acme-labs.test")  # claimed, never verified
    for email in ("someone@elsewhere.test", "lab@acme-labs.test", "bob@globex.test"):
        response, _ = through_idp(client, saml_idp, "nora@acme.test", at_idp=email)
        assert "Sign-in refused" in refused_page(response, 403)
        assert session_user(client) is None
    assert not User.objects.filter(email__in=["someone@elsewhere.test", "lab@acme-labs.test"]).exists()
    assert not world.bob.socialaccount_set.exists()


def test_the_idp_of_another_account_cannot_sign_in_its_people(client, saml_idp, okta, world):  # noqa: F811
    saml_connection(
        world.globex,
        saml_idp,
        fetch=lambda path: client.get(path).content,
        domains=("globex.test",),
        name="Globex Entra",
    )
    # Acme's people through Globex's IdP: outside its domains
    response, _ = through_idp(client, saml_idp, "bob@globex.test", at_idp="alice@acme.test")
    assert "Sign-in refused" in refused_page(response, 403)
    # someone on Globex's team whose address is in Acme's domain, through Acme's IdP
    contractor = UserFactory(email="contractor@acme.test")
    MembershipFactory(account=world.globex, user=contractor, role="member")
    response, _ = through_idp(client, saml_idp, "contractor@acme.test")
    assert "Sign-in refused" in refused_page(response, 403)
    assert session_user(client) is None
    assert list(contractor.memberships.values_list("account__slug", flat=True)) == ["globex"]
    assert not world.alice.socialaccount_set.exists() and not contractor.socialaccount_set.exists()


def test_staff_never_sign_in_through_a_customers_idp(client, saml_idp, okta):  # noqa: F811
    helpdesk = TamFactory(email="helpdesk@acme.test")
    response, _ = through_idp(client, saml_idp, "helpdesk@acme.test")
    assert "Sign-in refused" in refused_page(response, 403)
    assert session_user(client) is None
    assert not helpdesk.memberships.exists()


def test_without_just_in_time_only_the_team_gets_in(client, saml_idp, okta, world):  # noqa: F811
    okta.just_in_time = False
    okta.save()
    response, _ = through_idp(client, saml_idp, "nora@acme.test")
    assert "Sign-in refused" in refused_page(response, 403)
    assert not User.objects.filter(email="nora@acme.test").exists()
    through_idp(client, saml_idp, "alice@acme.test")
    assert session_user(client) == world.alice


def test_a_deactivated_person_is_refused(client, saml_idp, okta, world):  # noqa: F811
    world.arthur.is_active = False
    world.arthur.save()
    response, _ = through_idp(client, saml_idp, "arthur@acme.test")
    assert "Sign-in refused" in refused_page(response, 403)
    assert session_user(client) is None


def test_a_disabled_connection_or_a_closed_account_signs_nobody_in(client, saml_idp, okta, world):  # noqa: F811
    acs, fields = saml_idp.answer(start(client, "arthur@acme.test"), "arthur@acme.test")
    okta.enabled = False
    okta.save()
    assert client.post(reverse("sso-login"), {"email": "arthur@acme.test"}).status_code == 400
    assert client.post(urlsplit(acs).path, fields).status_code == 302  # allauth keeps it for its next step
    assert client.get(reverse("saml_finish_acs", kwargs={"organization_slug": okta.provider_id})).status_code == 404
    okta.enabled = True
    okta.save()
    world.acme.status = world.acme.Status.CLOSED
    world.acme.save()
    assert client.post(reverse("sso-login"), {"email": "arthur@acme.test"}).status_code == 400
    assert session_user(client) is None


def test_a_connection_without_its_certificate_starts_no_sign_in(client, okta):
    SsoConnection.objects.filter(pk=okta.pk).update(saml_idp_x509_cert="")  # as no form would save it

    page = client.post(reverse("sso-login"), {"email": "arthur@acme.test"})
    assert page.status_code == 400
    assert "sign-in is not available" in page.content.decode()
    assert client.get(reverse("saml_metadata", kwargs={"organization_slug": okta.provider_id})).status_code == 404


def test_the_service_provider_metadata_names_this_connections_acs(client, saml_idp, okta):  # noqa: F811
    response = client.get(reverse("saml_metadata", kwargs={"organization_slug": okta.provider_id}))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    body = response.content.decode()
    assert f'entityID="http://localhost/sso/saml/{okta.provider_id}/metadata/"' in body
    assert f'Location="http://localhost/sso/saml/{okta.provider_id}/acs/"' in body
    assert "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" in body
    # an id that is no usable connection is a 404 like a missing one
    assert client.get(reverse("saml_metadata", kwargs={"organization_slug": "acct-999999"})).status_code == 404
    assert client.get(reverse("saml_metadata", kwargs={"organization_slug": "okta"})).status_code == 404


def test_the_start_page_of_a_connection_names_nobody(client, okta):
    """allauth's own start page would show the connection's name to anyone trying acct-1, acct-2...: it sends
    people to the email-first page instead."""
    response = client.get(reverse("saml_login", kwargs={"organization_slug": okta.provider_id}))
    assert response.status_code == 302 and response["Location"] == reverse("sso-login")


def test_the_connection_page_gives_the_idp_administrator_the_service_provider_details(client, world, okta):
    client.force_login(world.alice)
    page = client.get(reverse("sso-connection", kwargs={"slug": "acme", "pk": okta.pk}))

    assert page.status_code == 200
    body = page.content.decode()
    slug = okta.provider_id
    assert f'data-testid="saml-acs-url">http://localhost/sso/saml/{slug}/acs/<' in body
    assert f'data-testid="saml-entity-id">http://localhost/sso/saml/{slug}/metadata/<' in body
    assert f'data-testid="saml-metadata-url">http://localhost/sso/saml/{slug}/metadata/<' in body


def test_the_service_provider_details_in_polish(client, world, okta):
    world.alice.language = "pl"
    world.alice.save()
    client.force_login(world.alice)
    page = client.get(reverse("sso-connection", kwargs={"slug": "acme", "pk": okta.pk}), HTTP_ACCEPT_LANGUAGE="pl")

    body = page.content.decode()
    assert "Adres ACS (adres logowania jednokrotnego)" in body and "Adres metadanych SP" in body
    assert "Dodaj portal jako aplikację SAML 2.0" in body


def saml_form(idp, **extra) -> dict:
    return {
        "name": "Okta",
        "protocol": "saml",
        "enabled": "on",
        "default_role": "member",
        "just_in_time": "on",
        "saml_idp_entity_id": idp.entity_id,
        "saml_idp_sso_url": idp.sso_url,
    } | extra


def test_the_idp_certificate_is_checked_when_saved(client, world, saml_idp, okta):  # noqa: F811
    client.force_login(world.alice)
    url = reverse("sso-connection", kwargs={"slug": "acme", "pk": okta.pk})

    refused = client.post(url, saml_form(saml_idp, saml_idp_x509_cert="MIIBogus=="))
    assert refused.status_code == 200
    assert "This is not an X.509 certificate" in refused.content.decode()

    # the bare base64 an IdP console shows is kept as PEM, and sign-in works with it
    bare = "".join(line for line in saml_idp.cert_pem.splitlines() if "CERTIFICATE" not in line)
    saved = client.post(url, saml_form(saml_idp, name="Okta EU", saml_idp_x509_cert=bare))
    assert saved.status_code == 302
    okta.refresh_from_db()
    assert okta.name == "Okta EU" and okta.saml_idp_x509_cert.startswith("-----BEGIN CERTIFICATE-----\n")
    client.logout()
    through_idp(client, saml_idp, "arthur@acme.test")
    assert session_user(client) == world.arthur
