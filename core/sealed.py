"""Secrets the portal must use again later (a customer's API key for a provider), kept encrypted at rest.

``seal(text)`` gives a Fernet token (AES-128-CBC + HMAC-SHA256, from ``cryptography``, a dependency already)
and ``unseal(token)`` the text again. The keys are ``settings.SEALING_KEYS`` (Fernet keys, newest first:
``MultiFernet`` encrypts with the first and decrypts with any, so a key is rotated by putting a new one in
front and re-sealing). With none set, one key is derived from ``SECRET_KEY`` (HKDF-SHA256) so development
and tests need no set-up; production sets its own (see README). Nothing here logs or returns a secret in an
error: a token that no key opens raises ``Unreadable``.

Written here, not taken from a Django encrypted-field package: those wrap the same Fernet in a model field
and bring their own key settings; a field that decrypts on every load would also put the secret in every
queryset, where a page could show it. Here the secret is opened only where it is sent.
"""

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class Unreadable(ValueError):
    """No sealing key opens this token (the keys changed, or the value was not sealed here)."""


def _derived(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tam-portal-sealed", info=b"sealed secrets v1")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


@cache
def _box(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys] if keys else [Fernet(_derived(secret_key))])


def _current() -> MultiFernet:
    return _box(tuple(getattr(settings, "SEALING_KEYS", []) or []), settings.SECRET_KEY)


def seal(text: str) -> str:
    return _current().encrypt(text.encode()).decode("ascii")


def unseal(token: str) -> str:
    try:
        return _current().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        raise Unreadable("the sealed value cannot be opened with the configured keys") from None
