"""SAML 2.0 connections through allauth's ``saml`` provider (python3-saml checks the signatures, the audience,
the destination, the validity window and InResponseTo; nothing here parses or verifies XML).

- ``saml_app(connection)``: the unsaved ``SocialApp`` allauth's provider works with (sso/adapters.py asks it
  for a connection whose protocol is SAML). Its ``client_id`` is the connection's provider id
  (``acct-<pk>``): the URLs allauth builds from it (ACS, metadata, login) are per connection.
- Only sign-ins the portal started are accepted: an unsolicited (IdP-initiated) response is refused, and the
  request id a response answers is used once, in the browser session that started it (a response posted again
  finds no request to answer: ``finish_acs`` shows the sign-in failure page).
- ``sp_details(request, connection)``: what the company's IdP administrator types in: ACS URL, SP entity id
  (the metadata URL), metadata URL.
"""

import functools

from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.saml import views as saml_views
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from cryptography import x509
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from .models import SsoConnection

PROVIDER = SAMLProvider.id

# Where the common IdPs put the email and the names (Okta and Google Workspace: names the administrator types;
# Entra ID: its claim URIs; SAML's own attribute profile: the LDAP OIDs). The first one present wins.
ATTRIBUTES = {
    "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id"],
    "email": [
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "email",
        "mail",
        "Email",
    ],
    "first_name": [
        "urn:oid:2.5.4.42",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "firstName",
        "first_name",
        "givenName",
    ],
    "last_name": [
        "urn:oid:2.5.4.4",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "lastName",
        "last_name",
        "sn",
    ],
}


def saml_app(connection: SsoConnection) -> SocialApp | None:
    """``None`` while the IdP's entity id, sign-in URL or certificate is missing: nobody can start it then."""
    if not (connection.saml_idp_entity_id and connection.saml_idp_sso_url and connection.saml_idp_x509_cert):
        return None
    return SocialApp(
        provider=PROVIDER,
        provider_id=connection.provider_id,
        name=connection.name,
        client_id=connection.provider_id,
        settings={
            "idp": {
                "entity_id": connection.saml_idp_entity_id,
                "sso_url": connection.saml_idp_sso_url,
                "x509cert": connection.saml_idp_x509_cert,
            },
            "attribute_mapping": ATTRIBUTES,
            # Single-label host names (an intranet's "portal") are names like others for the URLs it checks.
            "advanced": {"strict": True, "reject_idp_initiated_sso": True, "allow_single_label_domains": True},
        },
    )


def certificate_pem(text: str) -> str:
    """The IdP's signing certificate as PEM, from PEM or the bare base64 that IdP consoles show; ``ValueError``
    when it is not an X.509 certificate."""
    pem = OneLogin_Saml2_Utils.format_cert(text.strip(), heads=True)
    x509.load_pem_x509_certificate(pem.encode())
    return pem


def sp_details(request: HttpRequest, connection: SsoConnection) -> dict[str, str]:
    """The service provider's details for the IdP's administrator (allauth's SP entity id is the metadata URL)."""

    def url(name: str) -> str:
        return request.build_absolute_uri(reverse(name, kwargs={"organization_slug": connection.provider_id}))

    metadata = url("saml_metadata")
    return {"acs_url": url("saml_acs"), "entity_id": metadata, "metadata_url": metadata}


def full_name(attributes: dict[str, list[str]]) -> str:
    """The person's name from the assertion's attributes (what allauth keeps as the account's extra data)."""

    def first(names: list[str]) -> str:
        return next((values[0] for name in names if (values := attributes.get(name))), "")

    return " ".join(part for part in (first(ATTRIBUTES["first_name"]), first(ATTRIBUTES["last_name"])) if part)


def with_host(view):
    """python3-saml reads the Host header itself: a request without one (HTTP/1.0) gets the name Django
    resolved for it, rather than a 500."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.META.setdefault("HTTP_HOST", request.get_host())
        return view(request, *args, **kwargs)

    return wrapped


acs = with_host(saml_views.acs)
sls = with_host(saml_views.sls)
metadata = with_host(saml_views.metadata)


@login_not_required
@with_host
def finish_acs(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """allauth's end of the ACS; a response that answers no request of this browser session (posted a second
    time, or never asked for) is the sign-in failure page, not a bare 403."""
    try:
        return saml_views.finish_acs(request, organization_slug=organization_slug)
    except PermissionDenied:
        return render(request, "socialaccount/authentication_error.html", {}, status=400)
