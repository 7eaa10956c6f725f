"""OAuth 2.0 with Google for Postmaster Tools (issue 19): authorization code with PKCE (RFC 7636, S256),
offline access (a refresh token), scope ``postmaster.readonly``, refresh and revocation (RFC 7009).

The protocol's parameters and checks come from Authlib (``prepare_grant_uri``, the ``state`` check of
``parse_authorization_code_response``, ``prepare_token_request``, the S256 challenge); the requests go
through ``core.netguard`` (the one way the portal connects out) to the endpoints in settings, so the tests
point them at a local server. Tokens are kept sealed by ``core.sealed`` (``SEALING_KEYS``) in binary columns."""

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749 import parameters
from authlib.oauth2.rfc6749.errors import MismatchingStateException
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings

from core import netguard, sealed

SCOPE = "https://www.googleapis.com/auth/postmaster.readonly"
TIMEOUT = 20  # seconds per request
__all__ = ["MismatchingStateException", "OAuthError", "Pending", "Tokens"]


class OAuthError(Exception):
    """Google answered with an OAuth error (``error``: invalid_grant, …) or not at all (``status`` 0)."""

    def __init__(self, error: str, status: int = 0, description: str = ""):
        super().__init__(f"{error} ({status}) {description}".strip())
        self.error, self.status, self.description = error, status, description

    @property
    def revoked(self) -> bool:
        """The refresh token is no good any more: the account admin must connect again."""
        return self.error in ("invalid_grant", "unauthorized_client", "invalid_client")


@dataclass(frozen=True)
class Pending:
    """What the session keeps between "Connect" and Google's redirect back: the account, state, verifier."""

    account_id: int
    state: str
    verifier: str


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_at: datetime | None
    refresh_token: str = ""


# --- the stored tokens ----------------------------------------------------------------------------------


def seal(secret: str) -> bytes:
    """A token as its binary column keeps it (``core.sealed``); "" stays empty."""
    return sealed.seal(secret).encode("ascii") if secret else b""


def unseal(stored) -> str:
    if not stored:
        return ""
    try:
        return sealed.unseal(bytes(stored).decode("ascii"))
    except (sealed.Unreadable, UnicodeDecodeError):  # no key opens it: as good as revoked, connect again
        raise OAuthError("invalid_grant", 0, "the stored token cannot be decrypted with the configured keys") from None


# --- transport ----------------------------------------------------------------------------------------


def _opener():
    return netguard.opener(networks=settings.POSTMASTER_ALLOW_NETWORKS)


def check_url(url: str) -> None:
    scheme = urlsplit(url).scheme
    if scheme != "https" and not (scheme == "http" and settings.POSTMASTER_ALLOW_HTTP):
        raise OAuthError("insecure_endpoint", 0, url)


def request(url: str, *, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, dict]:
    """One HTTP request; (status, JSON body or {}, response headers). Network failures raise ``OSError``."""
    check_url(url)
    headers = {"Accept": "application/json", **(headers or {})}
    req = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - checked scheme, netguard opener
    if data is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with _opener().open(req, timeout=TIMEOUT) as response:
            return response.status, _json(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, _json(error.read()), dict(error.headers or {})


def _json(raw: bytes) -> dict:
    try:
        found = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


# --- the flow -----------------------------------------------------------------------------------------


def start(account_id: int, redirect_uri: str) -> tuple[str, Pending]:
    """The URL to send the admin to, and what to keep until Google sends them back."""
    pending = Pending(account_id=account_id, state=generate_token(32), verifier=generate_token(64))
    url = parameters.prepare_grant_uri(
        settings.POSTMASTER_AUTHORIZE_URL,
        client_id=settings.POSTMASTER_CLIENT_ID,
        response_type="code",
        redirect_uri=redirect_uri,
        scope=SCOPE,
        state=pending.state,
        code_challenge=create_s256_code_challenge(pending.verifier),
        code_challenge_method="S256",
        access_type="offline",  # Google's word for "give a refresh token"
        prompt="consent",  # and give it again when the admin connects again
        include_granted_scopes="true",
    )
    return url, pending


def code_from(callback_url: str, pending: Pending) -> str:
    """The authorization code of Google's redirect; ``MismatchingStateException`` when ``state`` is not
    ours (a forged or replayed redirect), ``OAuthError`` when the admin refused."""
    query = dict(urllib.parse.parse_qsl(urlsplit(callback_url).query))
    if "error" in query:
        raise OAuthError(query["error"], 0, query.get("error_description", ""))
    return parameters.parse_authorization_code_response(callback_url, state=pending.state)["code"]


def _token_call(grant_type: str, now: datetime, **fields) -> Tokens:
    body = parameters.prepare_token_request(
        grant_type,
        client_id=settings.POSTMASTER_CLIENT_ID,
        client_secret=settings.POSTMASTER_CLIENT_SECRET,
        **fields,
    )
    try:
        status, found, _headers = request(settings.POSTMASTER_TOKEN_URL, data=body.encode())
    except OSError as error:
        raise OAuthError("unreachable", 0, str(error)) from error
    if status != 200 or "access_token" not in found:
        raise OAuthError(str(found.get("error") or "http_error"), status, str(found.get("error_description", "")))
    expires_in = found.get("expires_in")
    return Tokens(
        access_token=found["access_token"],
        expires_at=now + timedelta(seconds=int(expires_in)) if expires_in else None,
        refresh_token=found.get("refresh_token", ""),
    )


def exchange(code: str, pending: Pending, redirect_uri: str, now: datetime) -> Tokens:
    tokens = _token_call(
        "authorization_code", now, code=code, redirect_uri=redirect_uri, code_verifier=pending.verifier
    )
    if not tokens.refresh_token:
        raise OAuthError("no_refresh_token", 200, "Google gave no refresh token (offline access refused)")
    return tokens


def refresh(refresh_token: str, now: datetime) -> Tokens:
    return _token_call("refresh_token", now, refresh_token=refresh_token)


def revoke(token: str) -> bool:
    """Ask Google to forget the grant (RFC 7009). True when it did or the token was already invalid."""
    body = urllib.parse.urlencode({"token": token}).encode()
    try:
        status, found, _headers = request(settings.POSTMASTER_REVOKE_URL, data=body)
    except (OSError, OAuthError):
        return False
    return status == 200 or found.get("error") == "invalid_token"
