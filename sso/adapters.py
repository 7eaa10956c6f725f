"""How allauth's social accounts fit the portal's single sign-on.

- The apps are not allauth's ``SocialApp`` rows nor settings: each enabled connection of an open account is
  one unsaved ``SocialApp`` (provider id ``acct-<pk>``), built from ``SsoConnection`` when asked for.
- Before anyone is signed in (``pre_social_login``), the rules of who may come in through a connection:
  the address the identity provider vouches for is in one of the connection's verified domains; a member of
  staff never (staff keep their own sign-in with two factors); nor a person who cannot sign in (deactivated);
  nor anyone on another account's team. A member of this account's team is let in; someone new joins the team
  with the connection's default role when the connection adds people just in time, else is refused.
- Every sign-in through a connection is audited; nobody signs up through allauth's own pages.
"""

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.db.models import Q
from django.shortcuts import render

from accounts.models import Membership, User

from . import http, saml, services
from .models import SsoConnection

log = logging.getLogger(__name__)
PREFIX = "acct-"
BACKEND = "accounts.backends.RoleBackend"  # the backend that serves the session's user, as after a password


def _oidc_app(connection: SsoConnection) -> SocialApp:
    return SocialApp(
        provider="openid_connect",
        provider_id=connection.provider_id,
        name=connection.name,
        client_id=connection.oidc_client_id,
        secret=connection.oidc_client_secret,
        settings={"server_url": connection.oidc_issuer, "oauth_pkce_enabled": True},
    )


# One builder per protocol: the app allauth's provider of that protocol works with, and that provider's id.
APP_BUILDERS = {SsoConnection.Protocol.OIDC: _oidc_app, SsoConnection.Protocol.SAML: saml.saml_app}
PROVIDERS = {SsoConnection.Protocol.OIDC: "openid_connect", SsoConnection.Protocol.SAML: saml.PROVIDER}


def social_app(connection: SsoConnection) -> SocialApp | None:
    builder = APP_BUILDERS.get(connection.protocol)
    return builder(connection) if builder else None


def _pk(provider_id: str) -> int | None:
    pk = provider_id.removeprefix(PREFIX)
    return int(pk) if provider_id.startswith(PREFIX) and pk.isdigit() else None


def connection_of(provider_id: str) -> SsoConnection | None:
    """The usable connection behind an allauth provider id, ``None`` for any other id."""
    pk = _pk(provider_id)
    return None if pk is None else SsoConnection.objects.usable().select_related("account").filter(pk=pk).first()


class Refused(Exception):
    """Someone the connection may not sign in; ``reason`` goes to the log, never to the page."""


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        connections = SsoConnection.objects.usable()
        if provider and provider.startswith(PREFIX):
            found = connection_of(provider)
            connections = connections.filter(pk=found.pk) if found else connections.none()
        elif provider:
            protocols = [protocol for protocol, name in PROVIDERS.items() if name == provider]
            connections = connections.filter(protocol__in=protocols)
        if client_id:  # OpenID Connect's app is asked for by its client id, SAML's by the provider id (sso/saml.py)
            connections = connections.filter(
                Q(protocol=SsoConnection.Protocol.OIDC, oidc_client_id=client_id)
                | Q(protocol=SsoConnection.Protocol.SAML, pk=_pk(client_id))
            )
        return [app for app in map(social_app, connections) if app is not None]

    def get_requests_session(self):
        return http.session()

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False  # people join a team in pre_social_login (just in time), never through a signup form

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        connection = connection_of(sociallogin.account.provider)
        if connection is None:
            return  # not one of ours: nothing else is configured, allauth finds no app
        email = claimed_email(sociallogin)
        try:
            user = admit(connection, email=email, linked=sociallogin.user if sociallogin.is_existing else None)
        except Refused as refusal:
            log.warning("sso refused: connection %s, %s", connection.pk, refusal)
            raise ImmediateHttpResponse(
                render(request, "sso/refused.html", {"connection": connection}, status=403)
            ) from refusal
        if user is None or not user.memberships.exists():
            user = services.person_join(connection=connection, email=email, full_name=full_name(sociallogin), user=user)
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)
        sociallogin.user.backend = BACKEND
        services.sign_in_record(connection=connection, user=sociallogin.user, subject=sociallogin.account.uid)


def claimed_email(sociallogin) -> str:
    addresses = [address.email for address in sociallogin.email_addresses if address.email]
    email = addresses[0] if addresses else (sociallogin.user.email if not sociallogin.is_existing else "")
    return User.objects.normalize_email((email or "").strip()).lower()


def full_name(sociallogin) -> str:
    """The person's name as the identity provider gives it ("name", else given and family names)."""
    if sociallogin.provider.id == saml.PROVIDER:  # its extra data is the assertion's attributes
        return saml.full_name(sociallogin.account.extra_data)
    fields = sociallogin.provider.extract_common_fields(sociallogin.account.extra_data) or {}
    parts = (fields.get("first_name") or "", fields.get("last_name") or "")
    return (fields.get("name") or " ".join(part for part in parts if part)).strip()


def admit(connection: SsoConnection, *, email: str, linked: User | None) -> User | None:
    """The person to sign in through ``connection`` for ``email`` (``linked``: the user this identity already
    signed in as); ``None``: a new person who joins just in time. A person on no team yet (removed from it,
    say) comes back only just in time too. Raises ``Refused``."""
    if not email or not connection.covers(email):
        raise Refused(f"{email or 'no email'} is outside the connection's verified domains")
    user = linked or User.objects.filter(email__iexact=email).first()
    if user is None:
        if not connection.just_in_time:
            raise Refused("not on the team, and the connection adds nobody just in time")
        return None
    if user.is_staff:
        raise Refused("a member of staff")
    if not user.is_active:
        raise Refused("a deactivated person")
    teams = set(Membership.objects.filter(user=user).values_list("account_id", flat=True))
    if teams - {connection.account_id}:
        raise Refused("on another account's team")
    if not teams and not connection.just_in_time:
        raise Refused("not on the team, and the connection adds nobody just in time")
    return user
