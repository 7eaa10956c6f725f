"""Secrets the portal must use again later, kept encrypted at rest: a customer's SNDS key, Google's refresh and
access tokens for Postmaster Tools, an identity provider's client secret. The one way the portal seals them.

``seal(text)`` gives a Fernet token (AES-128-CBC + HMAC-SHA256, from ``cryptography``, a dependency already)
and ``unseal(token)`` the text again. The keys are ``settings.SEALING_KEYS`` (Fernet keys, newest first:
``MultiFernet`` encrypts with the first and decrypts with any, so a key is rotated by putting a new one in
front, running ``manage.py reseal``, then dropping the old one). With none set, one key is derived from
``SECRET_KEY`` (HKDF-SHA256) so development and tests need no set-up; production sets its own (see README).
Nothing here logs or returns a secret in an error: a token that no key opens raises ``Unreadable``.

``SealedTextField`` is a text column built on the same two functions for a secret read with its row (the
client secret a sign-in sends): plain text in Python, a token in the database, and "" when no key opens it
(the form then asks for the secret again). Other secrets stay tokens until the moment they are sent.

Written here, not taken from a Django encrypted-field package: those wrap the same Fernet and bring their own
key settings, a second way to configure what this module configures once.
"""

import base64
from functools import cache

from django.conf import settings
from django.db import models


class Unreadable(ValueError):
    """No sealing key opens this token (the keys changed, or the value was not sealed here)."""


def _derived(secret_key: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tam-portal-sealed", info=b"sealed secrets v1")
    return base64.urlsafe_b64encode(key.derive(secret_key.encode()))


@cache
def _box(keys: tuple[str, ...], secret_key: str):
    """The keys' ``MultiFernet``. ``cryptography`` is imported here, when a secret is first sealed or read, not
    with the models (~25 modules a process that reads none need not load: ``manage.py blocklist_check``)."""
    from cryptography.fernet import Fernet, MultiFernet

    current = [Fernet(k) for k in keys] if keys else [Fernet(_derived(secret_key))]
    return MultiFernet(current)


def _current():
    return _box(tuple(getattr(settings, "SEALING_KEYS", []) or []), settings.SECRET_KEY)


def _invalid_token() -> type[Exception]:
    from cryptography.fernet import InvalidToken

    return InvalidToken


def seal(text: str) -> str:
    return _current().encrypt(text.encode()).decode("ascii")


def unseal(token: str) -> str:
    try:
        return _current().decrypt(token.encode("ascii")).decode()
    except (_invalid_token(), ValueError):
        raise Unreadable("the sealed value cannot be opened with the configured keys") from None


def reseal(token: str) -> str:
    """The same secret sealed with the newest key (``Unreadable`` when no key opens it)."""
    try:
        return _current().rotate(token.encode("ascii")).decode("ascii")
    except (_invalid_token(), ValueError):
        raise Unreadable("the sealed value cannot be opened with the configured keys") from None


class SealedTextField(models.TextField):
    """Plain text in Python, a ``seal()`` token in the database; "" stays "" and an unreadable token reads
    as "" (a secret to enter again)."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return unseal(value)
        except Unreadable:
            return ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return seal(value) if value else value
