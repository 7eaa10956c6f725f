"""Single sign-on in an account's data export (issue 18; GDPR Art. 20): the account's identity providers and
their domains are in it, what makes them work elsewhere included; a secret never is, in plain text or sealed;
another account's connections never are."""

import json
import zipfile
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from portal import exports
from sso.models import SsoConnection
from tests.helpers import sign_in, text, visible_text
from tests.sso.factories import SsoConnectionFactory, SsoDomainFactory

pytestmark = pytest.mark.django_db
SECRET = "oidc-client-secret-PLAIN-7f3a9c"  # noqa: S105 - a test value
VERIFIED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _sealed(conn: SsoConnection) -> str:
    """The secret as the database holds it (a Fernet token, core/sealed.py), read past the field's unsealing."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT oidc_client_secret FROM {SsoConnection._meta.db_table} WHERE id = %s", [conn.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def connections(world):
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        oidc = SsoConnectionFactory(
            account=world.acme, name="Okta EU", oidc_issuer="https://acme.okta.example", oidc_client_id="portal-acme",
            oidc_client_secret=SECRET, default_role="admin", just_in_time=False, require_sso=True,
            created_by=world.alice,
        )  # fmt: skip
        saml = SsoConnectionFactory(account=world.acme, saml=True, name="Entra", enabled=False)
        globex = SsoConnectionFactory(
            account=world.globex, name="Globex IdP", oidc_issuer="https://globex.idp.example",
            oidc_client_secret="globex-secret-value",
        )  # fmt: skip
    SsoDomainFactory(connection=oidc, domain="acme.test", verified_at=VERIFIED)
    SsoDomainFactory(connection=saml, domain="acme-eu.test", verified_at=None)
    SsoDomainFactory(connection=globex, domain="globex.test")
    return oidc, saml, globex


def _export(world, tmp_path) -> zipfile.ZipFile:
    path = tmp_path / "export.zip"
    exports.build(world.acme, path, requested_by=world.alice, language="en")
    return zipfile.ZipFile(path)


def test_the_export_holds_the_accounts_connections_and_their_domains(world, connections, tmp_path):
    oidc, saml, _ = connections
    archive = _export(world, tmp_path)
    rows = {row["id"]: row for row in json.loads(archive.read("sso_connections.json"))}
    assert set(rows) == {oidc.pk, saml.pk}
    assert rows[oidc.pk] | {"created_at": None, "updated_at": None} == {
        "id": oidc.pk, "account_id": world.acme.pk, "protocol": "oidc", "name": "Okta EU", "default_role": "admin",
        "just_in_time": False, "require_sso": True, "enabled": True, "oidc_issuer": "https://acme.okta.example",
        "oidc_client_id": "portal-acme", "saml_idp_entity_id": "", "saml_idp_sso_url": "", "saml_idp_x509_cert": "",
        "created_at": None, "updated_at": None, "created_by_id": world.alice.pk,
        "created_by": {"name": world.alice.full_name, "email": world.alice.email},
    }  # fmt: skip
    assert rows[oidc.pk]["created_at"].startswith("2026-03-01T12:00:00")
    assert rows[oidc.pk]["updated_at"].startswith("2026-03-01T12:00:00")
    assert rows[saml.pk]["protocol"] == "saml" and rows[saml.pk]["enabled"] is False
    assert rows[saml.pk]["saml_idp_entity_id"] == "https://sts.example.net/idp/"
    assert rows[saml.pk]["saml_idp_sso_url"] == "https://sts.example.net/idp/sso"
    assert rows[saml.pk]["saml_idp_x509_cert"] == saml.saml_idp_x509_cert
    assert "BEGIN CERTIFICATE" in rows[saml.pk]["saml_idp_x509_cert"]
    domains = {row["domain"]: row for row in json.loads(archive.read("sso_domains.json"))}
    assert set(domains) == {"acme.test", "acme-eu.test"}
    assert domains["acme.test"]["connection_id"] == oidc.pk
    assert domains["acme.test"]["verified_at"].startswith("2026-03-02T09:30:00")
    assert domains["acme-eu.test"]["verified_at"] is None and domains["acme-eu.test"]["connection_id"] == saml.pk
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["counts"]["sso_connections"] == 2 and manifest["counts"]["sso_domains"] == 2
    assert manifest["parts_failed"] == []


def test_no_secret_is_in_the_export_in_plain_text_or_sealed(world, connections, tmp_path):
    oidc, _, _ = connections
    sealed = _sealed(oidc)
    assert sealed and SECRET not in sealed  # the database holds a token, not the secret
    archive = _export(world, tmp_path)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"portal-acme" in everything  # the connection is there, its secret is not
    assert SECRET.encode() not in everything
    assert sealed.encode() not in everything
    assert b"oidc_client_secret" not in everything
    for domain in oidc.domains.all():  # the proof a domain's TXT record carries stays out too
        assert domain.verification_token.encode() not in everything


def test_another_accounts_connections_are_not_in_the_export(world, connections, tmp_path):
    archive = _export(world, tmp_path)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Okta EU" in everything and b"acme-eu.test" in everything
    assert b"Globex IdP" not in everything and b"globex.idp.example" not in everything
    assert b"globex.test" not in everything and b"globex-secret-value" not in everything


@pytest.mark.parametrize(
    ("language", "included", "left_out"),
    [
        ("en", "single sign-on connections and their domains", "and the single sign-on client secret are not included"),
        ("pl", "połączenia logowania jednokrotnego i ich domeny", "ani sekretu klienta logowania jednokrotnego"),
    ],
)
def test_the_export_page_says_single_sign_on_is_in_and_its_secret_is_not(client, world, language, included, left_out):
    world.alice.language = language
    world.alice.save(update_fields=["language"])
    sign_in(client, world, "alice")
    page = visible_text(text(client.get("/a/acme/team/export/")))
    assert included in page and left_out in page
