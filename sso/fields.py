"""A text column stored encrypted (Fernet from ``cryptography``): an IdP's client secret is readable by the
portal, which must send it, but not by whoever reads a database dump or a backup.

The keys are ``settings.SSO_SECRET_KEYS`` (Fernet keys, newest first: rotation keeps old ones to read); with
none set, one key derived from ``SECRET_KEY``."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def _fernet() -> MultiFernet:
    keys = list(getattr(settings, "SSO_SECRET_KEYS", []) or [])
    if not keys:
        digest = hashlib.sha256(f"sso-secrets:{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    """The plain text of a stored value; a value no key opens (a rotated-away key) reads as empty, which the
    configuration page shows as a secret to enter again."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


class EncryptedTextField(models.TextField):
    """Plain text in Python, Fernet tokens in the database."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value is not None else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
