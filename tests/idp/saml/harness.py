"""The test IdP (tests/idp/saml/server.py) as a pytest fixture: its own process on loopback, started once per
test session, stopped at the end. ``saml_idp.answer(redirect_url, email, mode)`` plays the person at the IdP's
form: it reads the AuthnRequest from the portal's redirect, signs in as ``email`` and returns the ACS URL and
the fields the IdP's page would post there (SAMLResponse, RelayState), for the test to post once or twice.

Use in a test module::

    from tests.idp.saml.harness import saml_idp  # noqa: F401
"""

import shutil
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import Request, urlopen

import pytest

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[3]


class _FormReader(HTMLParser):
    """The first form's action and its inputs' names and values."""

    def __init__(self):
        super().__init__()
        self.action, self.fields = None, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action")
        elif tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""


@dataclass
class SamlIdP:
    base: str
    cert_pem: str

    @property
    def entity_id(self) -> str:
        return f"{self.base}/metadata"

    @property
    def sso_url(self) -> str:
        return f"{self.base}/sso"

    def register(self, metadata: bytes) -> None:
        """Give the IdP a service provider's metadata (what its administrator uploads)."""
        request = Request(f"{self.base}/sp", data=metadata, method="POST")  # noqa: S310 - loopback
        with urlopen(request, timeout=10) as reply:  # noqa: S310
            assert reply.status == 204

    def answer(self, redirect_url: str, email: str, mode: str = "good") -> tuple[str, dict[str, str]]:
        """The portal sent the browser to ``redirect_url`` (the IdP's /sso with a SAMLRequest): sign in there
        as ``email`` and return where the IdP's page posts and what (SAMLResponse, RelayState)."""
        url = urlsplit(redirect_url)
        assert f"{url.scheme}://{url.netloc}{url.path}" == self.sso_url, redirect_url
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        form = {
            "SAMLRequest": query["SAMLRequest"],
            "RelayState": query.get("RelayState", ""),
            "email": email,
            "password": "anything",
            "mode": mode,
        }
        request = Request(self.sso_url, data=urlencode(form).encode(), method="POST")  # noqa: S310 - loopback
        try:
            with urlopen(request, timeout=10) as reply:  # noqa: S310
                page = reply.read().decode()
        except HTTPError as error:  # the IdP says why it could not answer
            raise AssertionError(f"the test IdP refused: {error.read().decode()}") from error
        reader = _FormReader()
        reader.feed(page)
        return reader.action, {k: v for k, v in reader.fields.items() if k in ("SAMLResponse", "RelayState")}


def saml_connection(account, idp: SamlIdP, *, fetch, domains=("acme.test",), **fields):
    """A SAML connection of ``account`` to the test IdP, its ``domains`` verified, and the IdP given the
    connection's SP metadata as the portal serves it (``fetch(path)``: the body at that path of the portal)."""
    from django.urls import reverse
    from django.utils import timezone

    from sso.models import SsoConnection, SsoDomain

    connection = SsoConnection.objects.create(
        account=account,
        protocol=SsoConnection.Protocol.SAML,
        name=fields.pop("name", "Okta"),
        saml_idp_entity_id=idp.entity_id,
        saml_idp_sso_url=idp.sso_url,
        saml_idp_x509_cert=idp.cert_pem,
        **fields,
    )
    for domain in domains:
        SsoDomain.objects.create(connection=connection, domain=domain, verified_at=timezone.now())
    idp.register(fetch(reverse("saml_metadata", kwargs={"organization_slug": connection.provider_id})))
    return connection


@pytest.fixture(scope="session")
def saml_idp():
    require(
        bool(shutil.which("xmlsec1")), "xmlsec1 is not installed (Debian package 'xmlsec1'; `make test` installs it)"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.idp.saml.server", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline().split()
        assert line and line[0] == "READY", f"the test IdP did not start: {line}"
        yield SamlIdP(base=line[1], cert_pem=Path(line[2]).read_text())
    finally:
        process.terminate()
        process.wait(timeout=10)
