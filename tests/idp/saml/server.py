"""A SAML 2.0 identity provider on loopback for the tests: pysaml2's IdP, signing with Debian's ``xmlsec1``,
its key and self-signed certificate made at start (cryptography). Run as its own process by
``tests/idp/saml/harness.py``::

    python -m tests.idp.saml.server --port 0

It prints one line, ``READY <base url> <certificate file>``, then serves:

- ``GET /metadata``: its metadata (entity id = this URL);
- ``POST /sp``: a service provider's metadata (XML), which the IdP answers from then on, as an IdP's
  administrator would upload it (and a copy under another entity id, for the ``audience`` answers);
- ``GET /sso?SAMLRequest=...&RelayState=...`` (HTTP-Redirect binding): the sign-in form, email and password;
- ``POST /sso``: the form's answer. Any password is accepted (the IdP's own checks are not under test); the
  email typed is the one asserted. A test-only field ``mode`` picks what is issued: ``good`` (the default),
  ``audience`` (an assertion for another service provider), ``expired`` (NotOnOrAfter 30 minutes ago),
  ``unsigned`` (neither the response nor its assertion signed) or ``tampered`` (signed, then the email changed).
  The answer is the HTTP-POST binding's page: a form to the service provider's ACS URL holding the
  SAMLResponse, submitted by a script (a browser) or read by a test, which can post it as often as it likes.
"""

import argparse
import base64
import datetime
import hashlib
import html
import re
import sys
import tempfile
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT
from saml2.assertion import Policy
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

MODES = ("good", "audience", "expired", "unsigned", "tampered")
OTHER_AUDIENCE = "https://elsewhere.invalid/saml/metadata/"


def self_signed() -> tuple[str, str]:
    """An RSA key and a self-signed certificate valid 2000-2099 (whatever clock a test pins), as PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test SAML IdP")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2099, 12, 31, tzinfo=datetime.UTC))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem.decode(), cert.public_bytes(serialization.Encoding.PEM).decode()


def make_key_and_cert(directory: Path) -> tuple[Path, Path]:
    """The key and certificate files xmlsec1 signs with."""
    key_pem, cert_pem = self_signed()
    key_file, cert_file = directory / "idp.key", directory / "idp.pem"
    key_file.write_text(key_pem)
    cert_file.write_text(cert_pem)
    return key_file, cert_file


def idp_server(base: str, key_file: Path, cert_file: Path) -> Server:
    config = IdPConfig()
    config.load(
        {
            "entityid": f"{base}/metadata",
            "key_file": str(key_file),
            "cert_file": str(cert_file),
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "metadata": {},
            "allow_unknown_attributes": True,
            "service": {
                "idp": {
                    "name": "Test SAML IdP",
                    "endpoints": {
                        "single_sign_on_service": [(f"{base}/sso", BINDING_HTTP_REDIRECT)],
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                }
            },
        }
    )
    return Server(config=config)


FORM = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test IdP: sign in</title></head>
<body><h1>Test IdP</h1><form method="post" action="/sso">
<input type="hidden" name="SAMLRequest" value="{request}"><input type="hidden" name="RelayState" value="{relay}">
<label>Email <input type="email" name="email" required></label>
<label>Password <input type="password" name="password" required></label>
<button type="submit">Sign in at the IdP</button></form></body></html>"""

POST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test IdP: signing in</title></head>
<body onload="document.forms[0].submit()"><form method="post" action="{acs}">
<input type="hidden" name="SAMLResponse" value="{response}"><input type="hidden" name="RelayState" value="{relay}">
<noscript><button type="submit">Continue</button></noscript></form></body></html>"""


class IdP:
    def __init__(self, base: str, key_file: Path, cert_file: Path):
        self.base, self.key_file, self.cert_file = base, key_file, cert_file
        self.server = idp_server(base, key_file, cert_file)

    def register(self, metadata: str) -> None:
        entity_id = re.search(r'entityID="([^"]+)"', metadata).group(1)
        for xml in (metadata, metadata.replace(f'entityID="{entity_id}"', f'entityID="{OTHER_AUDIENCE}"')):
            self.server.metadata.load("inline", xml)

    def metadata(self) -> str:
        from saml2.metadata import entity_descriptor

        return str(entity_descriptor(self.server.config))

    def respond(self, saml_request: str, email: str, mode: str) -> tuple[str, str]:
        """The ACS URL and the base64 SAMLResponse answering ``saml_request`` (as the redirect binding sent it)."""
        request = self.server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT).message
        acs = request.assertion_consumer_service_url
        audience = OTHER_AUDIENCE if mode == "audience" else request.issuer.text
        # NotOnOrAfter of the conditions and of the subject confirmation: 5 minutes ahead, or 30 minutes ago
        lifetime = {"minutes": -30 if mode == "expired" else 5}
        policy = Policy({"default": {"lifetime": lifetime, "name_form": NAME_FORMAT_URI}}, mds=self.server.metadata)
        # the person's names from the address: nora.kowalska@ is Nora Kowalska
        given, _, family = email.split("@")[0].replace(".", " ").title().partition(" ")
        signed = mode != "unsigned"
        subject = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
        response = self.server.create_authn_response(
            identity={"mail": [email], "givenName": [given], "sn": [family]},
            in_response_to=request.id,
            destination=acs,
            sp_entity_id=audience,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject, sp_name_qualifier=audience),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
            sign_response=signed,
            sign_assertion=signed,
            release_policy=policy,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        xml = str(response)
        if mode == "tampered":
            xml = xml.replace(email, "ceo@" + email.split("@", 1)[1])
        return acs, base64.b64encode(xml.encode()).decode()


def handler_for(idp: IdP):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet: pytest shows the test's output, not every request
            pass

        def _send(self, status: int, body: str, content_type: str = "text/html; charset=utf-8"):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/metadata":
                return self._send(200, idp.metadata(), "application/samlmetadata+xml")
            if url.path == "/sso" and "SAMLRequest" in query:
                page = FORM.format(
                    request=html.escape(query["SAMLRequest"]), relay=html.escape(query.get("RelayState", ""))
                )
                return self._send(200, page)
            return self._send(404, "not found", "text/plain")

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            if urlsplit(self.path).path == "/sp":
                idp.register(body)
                return self._send(204, "", "text/plain")
            form = {k: v[0] for k, v in parse_qs(body).items()}
            mode = form.get("mode", "good")
            if urlsplit(self.path).path != "/sso" or mode not in MODES or not form.get("email"):
                return self._send(400, "bad request", "text/plain")
            try:
                acs, response = idp.respond(form["SAMLRequest"], form["email"], mode)
            except Exception as exc:  # the test reads why, the server keeps serving
                return self._send(400, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}", "text/plain")
            page = POST_PAGE.format(
                acs=html.escape(acs), response=html.escape(response), relay=html.escape(form.get("RelayState", ""))
            )
            return self._send(200, page)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="saml-idp-"))
    key_file, cert_file = make_key_and_cert(directory)
    httpd = ThreadingHTTPServer((args.host, args.port), None)
    base = f"http://{args.host}:{httpd.server_address[1]}"
    httpd.RequestHandlerClass = handler_for(IdP(base, key_file, cert_file))
    print(f"READY {base} {cert_file}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sys.stdout.flush()


if __name__ == "__main__":
    main()
