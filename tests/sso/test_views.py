"""The single sign-on pages: the tenant matrix of every URL routed to the sso app, the configuration page
(both protocols' fields, the secret never shown back, the redirect URI to give the IdP), domain verification
by DNS TXT record or by the TAM, and the audit trail of every change."""

import pytest

from accounts.models import AuditEvent
from sso.models import SsoConnection, SsoDomain
from tests.deliverability.authdns import authdns_fixture, authdns_settings_fixture  # noqa: F401
from tests.helpers import LOGIN, ROLES, Row, check_htmx_row, check_row, roles, text, visible_text
from tests.sso.factories import SsoConnectionFactory, SsoDomainFactory

pytestmark = pytest.mark.django_db
PAGE = "/a/acme/team/sso/"
ID, DOMAIN_ID, SAML_ID = 720001, 720002, 720003
SAML = f"/sso/saml/acct-{SAML_ID}/"
ONE = f"{PAGE}{ID}/"
DOMAIN = f"{PAGE}domains/{DOMAIN_ID}/"
CALLBACK = f"/sso/oidc/acct-{ID}/login/callback/?code=x&state=y"
# The company's admin and the staff who run the account (its TAMs, a superuser); a member, an agent, another
# company and another company's TAM get the 404 of a page that does not exist.
MANAGERS = roles(404, anonymous=LOGIN, alice=200, tina=200, tom=200, root=200)


def managers_to(url: str) -> dict:
    return roles(404, anonymous=LOGIN, alice=url, tina=url, tom=url, root=url)


def edit_form(**extra) -> dict:
    return {"name": "Okta EU", "protocol": "oidc", "enabled": "on", "default_role": "member", "just_in_time": "on",
            "oidc_issuer": "https://acme.okta.example", "oidc_client_id": "portal"} | extra  # fmt: skip


def acme_domains(o):
    return SsoDomain.objects.filter(connection__account__slug="acme").count()


MATRIX: dict[str, list[Row]] = {
    "sso-settings": [
        Row("GET", lambda o: PAGE, MANAGERS),
        # incomplete: the page again with its errors for whoever may use it
        Row("POST", lambda o: PAGE, MANAGERS, data=lambda o: {"new-name": "Entra"}),
    ],
    "sso-connection": [
        Row("GET", lambda o: ONE, MANAGERS),
        Row(
            "POST",
            lambda o: ONE,
            managers_to(ONE),
            data=lambda o: edit_form(),
            changes=lambda o: SsoConnection.objects.get(pk=ID).name,
        ),
    ],
    "sso-domain-add": [
        Row(
            "POST",
            lambda o: f"{ONE}domains/",
            managers_to(ONE),
            data=lambda o: {"domain": "eu.acme.example"},
            changes=acme_domains,
        )  # fmt: skip
    ],
    # No DNS answers (the resolver is a closed port): nothing verified, whoever asks.
    "sso-domain-verify": [Row("POST", lambda o: f"{DOMAIN}verify/", managers_to(ONE))],
    "sso-domain-confirm": [
        Row(
            "POST",
            lambda o: f"{DOMAIN}confirm/",
            roles(404, anonymous=LOGIN, tina=ONE, tom=ONE, root=ONE),
            changes=lambda o: SsoDomain.objects.get(pk=DOMAIN_ID).verified_at,
        )
    ],
    "sso-domain-remove": [Row("POST", lambda o: f"{DOMAIN}remove/", managers_to(ONE), changes=acme_domains)],
    "sso-login": [Row("GET", lambda o: "/login/sso/", roles("/", anonymous=200))],
    # allauth's start page would name the connection: everyone is sent to the email-first page instead.
    "openid_connect_login": [Row("GET", lambda o: f"/sso/oidc/acct-{ID}/login/", roles("/login/sso/"))],
    # Without a sign-in under way: the failure page, naming nothing.
    "openid_connect_callback": [Row("GET", lambda o: CALLBACK, roles(401))],
    # SAML 2.0 (sso/saml.py): the metadata is for the company's IdP to read, signed in or not; the start page
    # sends everyone to the email-first page; the ACS keeps what was posted for its end, which without a
    # sign-in under way is the failure page; single logout without a SAML message is a bad request.
    "saml_metadata": [Row("GET", lambda o: f"{SAML}metadata/", roles(200))],
    "saml_login": [Row("GET", lambda o: f"{SAML}login/", roles("/login/sso/"))],
    "saml_acs": [
        Row("POST", lambda o: f"{SAML}acs/", roles(f"{SAML}acs/finish/"), data=lambda o: {"SAMLResponse": "x"})
    ],
    "saml_finish_acs": [Row("GET", lambda o: f"{SAML}acs/finish/", roles(401))],
    "saml_sls": [Row("GET", lambda o: f"{SAML}sls/", roles(400))],
}
MATRIX_ROWS = [
    pytest.param(name, row, role, id=f"{name}-{row.method}-{role}")
    for name, rows in MATRIX.items()
    for row in rows
    for role in ROLES
]


@pytest.fixture
def objects(world, settings):
    settings.AUTH_NAMESERVERS = ["127.0.0.1:9"]  # the discard port: nothing answers
    settings.AUTH_TIMEOUT = 0.3
    connection = SsoConnectionFactory(pk=ID, account=world.acme, name="Okta")
    SsoConnectionFactory(pk=SAML_ID, account=world.acme, name="Entra", saml=True)
    return SsoDomainFactory(pk=DOMAIN_ID, connection=connection, domain="acme.example", verified_at=None)


@pytest.mark.parametrize(("name", "row", "role"), MATRIX_ROWS)
def test_sso_matrix(client, world, objects, name, row, role):
    check_row(client, world, objects, row, role)


@pytest.mark.parametrize(("name", "row", "role"), [p for p in MATRIX_ROWS if p.values[1].method == "GET"])
def test_sso_matrix_with_htmx(client, world, objects, name, row, role):
    check_htmx_row(client, world, objects, row, role)


def test_the_failure_page_names_no_connection(client, world, objects):
    response = client.get(CALLBACK)
    assert "Okta" not in text(response) and "Acme" not in text(response)
    assert "did not complete" in visible_text(response)


def test_the_admin_adds_an_oidc_connection_and_sees_the_redirect_uri(client, world, english):
    client.force_login(world.alice)
    response = client.post(
        PAGE,
        {
            "new-name": "Okta",
            "new-protocol": "oidc",
            "new-enabled": "on",
            "new-default_role": "member",
            "new-just_in_time": "on",
            "new-oidc_issuer": "https://acme.okta.example",
            "new-oidc_client_id": "portal",
            "new-oidc_client_secret": "s3cret-value",
        },  # fmt: skip
    )
    connection = SsoConnection.objects.get(account=world.acme)
    assert response["Location"] == f"{PAGE}{connection.pk}/"
    page = client.get(response["Location"])
    shown = visible_text(page)
    assert f"http://testserver/sso/oidc/acct-{connection.pk}/login/callback/" in shown
    assert "s3cret-value" not in text(page)  # the secret is never shown back
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SSO_CHANGED)
    assert event.actor == world.alice and event.details["created"]["oidc_issuer"] == "https://acme.okta.example"
    assert "s3cret-value" not in str(event.details)


def test_the_client_secret_is_stored_encrypted_and_kept_when_left_empty(client, world, english):
    from django.db import connection as db

    found = SsoConnectionFactory(account=world.acme, oidc_client_secret="s3cret-value")
    with db.cursor() as cursor:
        cursor.execute("SELECT oidc_client_secret FROM sso_ssoconnection WHERE id = %s", [found.pk])
        stored = cursor.fetchone()[0]
    assert stored and "s3cret-value" not in stored
    client.force_login(world.alice)
    client.post(f"{PAGE}{found.pk}/", edit_form(name="Okta EU"))
    found = SsoConnection.objects.get(pk=found.pk)
    assert (found.name, found.oidc_client_secret) == ("Okta EU", "s3cret-value")
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.SSO_CHANGED).latest("pk")
    assert event.details["after"] == {"name": "Okta EU", "oidc_issuer": "https://acme.okta.example",
                                      "oidc_client_id": "portal"}  # fmt: skip


def test_each_protocol_asks_for_its_own_fields(client, world, english):
    client.force_login(world.alice)
    response = client.post(PAGE, {"new-name": "ADFS", "new-protocol": "saml", "new-default_role": "member"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"saml_idp_entity_id", "saml_idp_sso_url", "saml_idp_x509_cert"}
    assert not SsoConnection.objects.exists()


def test_a_domain_is_verified_by_its_txt_record(client, world, authdns, authdns_settings, english):
    found = SsoDomainFactory(connection__account=world.acme, domain="acme.example", verified_at=None)
    client.force_login(world.alice)
    authdns.serve({"acme.example": {"TXT": ["v=spf1 -all", "tam-portal-sso=somebody-elses-token"]}})
    response = client.post(f"{PAGE}domains/{found.pk}/verify/", follow=True)
    assert "No TXT record" in visible_text(response)
    assert not SsoDomain.objects.get(pk=found.pk).is_verified
    authdns.serve({"acme.example": {"TXT": ["v=spf1 -all", found.txt_record]}})
    response = client.post(f"{PAGE}domains/{found.pk}/verify/", follow=True)
    assert "acme.example is verified." in visible_text(response)
    assert SsoDomain.objects.get(pk=found.pk).is_verified
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.SSO_CHANGED).latest("pk")
    assert (event.actor, event.details) == (world.alice, {"domain_verified": "dns"})


def test_the_tam_confirms_a_domain_and_the_customer_cannot(client, world, english):
    found = SsoDomainFactory(connection__account=world.acme, domain="acme.example", verified_at=None)
    client.force_login(world.alice)
    page = client.get(f"{PAGE}{found.connection_id}/")
    assert "Confirm as TAM" not in visible_text(page)
    assert client.post(f"{PAGE}domains/{found.pk}/confirm/").status_code == 404
    client.force_login(world.tina)
    assert "Confirm as TAM" in visible_text(client.get(f"{PAGE}{found.connection_id}/"))
    client.post(f"{PAGE}domains/{found.pk}/confirm/")
    assert SsoDomain.objects.get(pk=found.pk).is_verified
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.SSO_CHANGED).latest("pk")
    assert (event.actor, event.details) == (world.tina, {"domain_verified": "staff"})


def test_one_domain_belongs_to_one_connection_in_the_whole_portal(client, world, english):
    SsoDomainFactory(connection__account=world.globex, domain="shared.example")
    mine = SsoConnectionFactory(account=world.acme)
    client.force_login(world.alice)
    response = client.post(f"{PAGE}{mine.pk}/domains/", {"domain": "Shared.Example."})
    assert response.status_code == 400
    assert "shared.example is already used for single sign-on" in visible_text(response)
    assert "Globex" not in text(response)
    assert not mine.domains.exists()


def test_the_team_page_links_here_for_those_who_manage_it(client, world):
    client.force_login(world.alice)
    assert 'data-testid="sso-link"' in text(client.get("/a/acme/team/"))
    client.force_login(world.arthur)
    assert 'data-testid="sso-link"' not in text(client.get("/a/acme/team/"))


def test_the_staff_domain_cannot_be_claimed(client, world, english):
    mine = SsoConnectionFactory(account=world.acme)
    client.force_login(world.alice)
    response = client.post(f"{PAGE}{mine.pk}/domains/", {"domain": "tam.test"})
    assert response.status_code == 400
    assert "tam.test is the portal staff's domain" in visible_text(response)
    assert not mine.domains.exists()


def test_the_admin_shows_staff_their_accounts_connections_read_only(client, world):
    SsoConnectionFactory(account=world.acme, name="Acme Okta", oidc_client_secret="s3cret-value")
    SsoConnectionFactory(account=world.globex, name="Globex Entra")
    client.force_login(world.tess)  # Globex's TAM
    page = text(client.get("/admin/sso/ssoconnection/"))
    assert "Globex Entra" in page and "Acme Okta" not in page
    client.force_login(world.root)
    found = SsoConnection.objects.get(name="Acme Okta")
    change = client.get(f"/admin/sso/ssoconnection/{found.pk}/change/")
    assert change.status_code == 200 and "s3cret-value" not in text(change)
    assert client.post(f"/admin/sso/ssoconnection/{found.pk}/change/", {"name": "X"}).status_code == 403
