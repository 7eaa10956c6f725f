"""Secrets kept sealed (core/sealed.py): the text never stored as it is, opened again with any configured
key (a rotation puts the new key first), refused when no key opens it."""

import pytest
from cryptography.fernet import Fernet

from core import sealed


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
