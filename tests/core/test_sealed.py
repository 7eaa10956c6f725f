"""Secrets kept sealed (core/sealed.py), the one way for the SNDS key, Google's tokens and an IdP's client
secret: the text never stored as it is, opened again with any configured key (a rotation puts the new key
first, ``manage.py reseal`` moves every stored secret to it), refused when no key opens it."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db.models import TextField
from django.db.models.functions import Cast

from core import sealed
from deliverability.reputation import postmaster_oauth
from deliverability.reputation.postmaster_oauth import OAuthError
from sso.models import SsoConnection
from tests.deliverability.postmaster.factories import PostmasterConnectionFactory
from tests.deliverability.snds.factories import SndsConnectionFactory
from tests.sso.factories import SsoConnectionFactory


def test_sealed_text_is_not_the_text_and_opens_again():
    token = sealed.seal("snds-key-1234")
    assert "snds-key-1234" not in token and sealed.unseal(token) == "snds-key-1234"
    assert sealed.seal("snds-key-1234") != token  # a fresh IV each time


def test_a_rotation_keeps_old_tokens_readable_and_a_foreign_token_is_refused(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SEALING_KEYS = [old]
    token = sealed.seal("secret")
    settings.SEALING_KEYS = [new, old]
    assert sealed.unseal(token) == "secret"
    settings.SEALING_KEYS = [new]
    with pytest.raises(sealed.Unreadable) as refused:
        sealed.unseal(token)
    assert "secret" not in str(refused.value)
    with pytest.raises(sealed.Unreadable):
        sealed.unseal("not a token")


def test_another_installations_secret_key_opens_nothing(settings):
    token = sealed.seal("idp-secret")
    settings.SECRET_KEY = "another-secret-key-of-another-installation-0123456789"
    with pytest.raises(sealed.Unreadable):
        sealed.unseal(token)
    with pytest.raises(OAuthError) as refused:
        postmaster_oauth.unseal(token.encode())
    assert refused.value.revoked  # the admin connects Google again


@pytest.mark.django_db
def test_the_client_secret_column_is_sealed_and_reads_as_text(world):
    connection = SsoConnectionFactory(account=world.acme, oidc_client_secret="s3cret-of-the-idp")
    stored = SsoConnection.objects.filter(pk=connection.pk).values_list(Cast("oidc_client_secret", TextField()))
    token = stored.get()[0]
    assert "s3cret" not in token and sealed.unseal(token) == "s3cret-of-the-idp"
    assert SsoConnection.objects.get(pk=connection.pk).oidc_client_secret == "s3cret-of-the-idp"


@pytest.mark.django_db
def test_a_rotation_reseals_every_stored_secret_so_the_old_key_can_go(settings, world):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SEALING_KEYS = [old]
    snds = SndsConnectionFactory(account=world.acme, key_sealed=sealed.seal("snds-key-9876"))
    gmail = PostmasterConnectionFactory(account=world.acme, refresh_token=postmaster_oauth.seal("1//r-acme"))
    idp = SsoConnectionFactory(account=world.acme, oidc_client_secret="idp-secret")
    settings.SEALING_KEYS = [new, old]
    out = StringIO()
    call_command("reseal", stdout=out)
    assert "3 connections sealed with the newest key, 0 unreadable" in out.getvalue()
    settings.SEALING_KEYS = [new]  # the old key dropped
    snds.refresh_from_db()
    gmail.refresh_from_db()
    assert sealed.unseal(snds.key_sealed) == "snds-key-9876"
    assert postmaster_oauth.unseal(gmail.refresh_token) == "1//r-acme"
    assert SsoConnection.objects.get(pk=idp.pk).oidc_client_secret == "idp-secret"
    token = SsoConnection.objects.filter(pk=idp.pk).values_list(Cast("oidc_client_secret", TextField())).get()[0]
    assert Fernet(new.encode()).decrypt(token.encode()) == b"idp-secret"  # under the newest key now
