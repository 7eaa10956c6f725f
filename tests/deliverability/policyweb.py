"""A real HTTPS server for MTA-STS policies: ``https://mta-sts.<domain>/.well-known/mta-sts.txt`` on port 443
of a loopback address of its own (127.x.y.z), with a certificate for each name asked (SNI) signed by a
test CA; the portal trusts that CA through ``settings.AUTH_POLICY_CA_BUNDLE`` and reaches the address
through ``settings.AUTH_POLICY_ALLOW_NETWORKS`` (it is not public). MISSION: DLV-1.

``web.files`` maps a URL to (body, content type, HTTP status); anything else is a 404. Tests publish
``mta-sts.<domain> A <web.address>`` in dnsmasq (tests/deliverability/authdns.py) so that the name resolves.

Use in a test module::

    from tests.deliverability.policyweb import policyweb_fixture, policyweb_settings_fixture  # noqa: F401
"""

import datetime
import errno
import random
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import require

# Valid whatever clock a test runs under (time-machine moves Python's, faketime the whole process's, OpenSSL
# checks against its own): the certificates' dates must never be why a check fails.
VALID_FROM = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
VALID_UNTIL = datetime.datetime(2099, 12, 31, tzinfo=datetime.UTC)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


class PolicyCA:
    """A CA made for one test module, and a certificate per host name, made when first asked."""

    def __init__(self, directory: Path):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name("Portal test CA"))
            .issuer_name(_name("Portal test CA"))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(VALID_FROM)
            .not_valid_after(VALID_UNTIL)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.dir = directory
        self.bundle = directory / "ca.pem"
        self.bundle.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        self.contexts: dict[str, ssl.SSLContext] = {}

    def context_for(self, host: str) -> ssl.SSLContext:
        if host not in self.contexts:
            key = ec.generate_private_key(ec.SECP256R1())
            cert = (
                x509.CertificateBuilder()
                .subject_name(_name(host))
                .issuer_name(self.cert.subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(VALID_FROM)
                .not_valid_after(VALID_UNTIL)
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
                .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .sign(self.key, hashes.SHA256())
            )
            pem = self.dir / f"{host}.pem"
            pem.write_bytes(
                cert.public_bytes(serialization.Encoding.PEM)
                + key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            )
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(pem)
            self.contexts[host] = context
        return self.contexts[host]


class PolicyWeb:
    """The HTTPS server; ``files[url] = (body, content_type, status)``."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="policyweb-")
        self.ca = PolicyCA(Path(self.tmp.name))
        self.files: dict[str, tuple[str, str, int]] = {}
        self.server = self._bind()
        self.address = self.server.server_address[0]
        default = self.ca.context_for("default.invalid")
        default.sni_callback = self._sni
        self.server.socket = default.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _sni(self, sock, server_name, _context):
        if server_name:
            sock.context = self.ca.context_for(server_name)

    def _bind(self) -> ThreadingHTTPServer:
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                host = (self.headers.get("Host") or "").split(":")[0]
                body, content_type, status = web.files.get(f"https://{host}{self.path}", ("", "text/plain", 404))
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                if 300 <= status < 400:
                    self.send_header("Location", f"https://elsewhere.example{self.path}")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        for _attempt in range(50):
            address = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"  # noqa: S311
            try:
                return ThreadingHTTPServer((address, 443), Handler)
            except OSError as exc:
                if exc.errno == errno.EACCES:
                    raise
        raise RuntimeError("no free loopback address for port 443")

    def serve(self, url: str, body: str, content_type: str = "text/plain", status: int = 200) -> None:
        self.files[url] = (body, content_type, status)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.tmp.cleanup()


def follow_files(web: PolicyWeb, data: dict) -> None:
    """Serve the files a finding's fix says to serve (``data["files"]``: [URL, content]), as text/plain."""
    for url, content in data.get("files", []):
        web.serve(url, content)


@pytest.fixture(name="policyweb", scope="module")
def policyweb_fixture():
    try:
        web = PolicyWeb()
    except PermissionError:
        require(False, "binding port 443 on loopback needs root or CAP_NET_BIND_SERVICE")
    try:
        yield web
    finally:
        web.close()


@pytest.fixture(name="policyweb_settings")
def policyweb_settings_fixture(settings, policyweb):
    """The portal trusts the test CA and may reach the server's loopback address."""
    settings.AUTH_POLICY_CA_BUNDLE = str(policyweb.ca.bundle)
    settings.AUTH_POLICY_ALLOW_NETWORKS = [f"{policyweb.address}/32"]
    return settings
