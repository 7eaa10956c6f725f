"""DNS rebinding in availability probes (issue 14, ASVS V12.6.1): a name checked when the profile was saved may
resolve to 127.0.0.1 / 10.x / 169.254.169.254 when the probe runs. The probe resolves it once, refuses any
non-public answer (the reason kept on the profile, in English and Polish), connects to the address it checked
(the name kept for Host, SNI and the certificate) and follows no redirect inward. Names come from a real
dnsmasq; the servers are real sockets on loopback, and a listener on 127.0.0.1 counts every connection it
gets (none must come). ``api.acme.example`` is "public" here: it resolves to 127.0.0.2, the one address the
tests allow (``AVAILABILITY_PROBE_ALLOW_NETWORKS``). MISSION: AV-1."""

import datetime
import http.server
import socket
import ssl
import threading

import dns.message
import dns.rdatatype
import dns.rrset
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils import translation

from availability import probes
from availability.models import AvailabilityProfile, SecondRollup
from tests.deliverability.authdns import authdns_fixture  # noqa: F401

PUBLIC = "127.0.0.2"  # allowed by the setting: stands for a public address


class Listener:
    """A TCP port on 127.0.0.1 that counts the connections it accepts (and closes them)."""

    def __init__(self, port: int = 0):
        self.sock = socket.create_server(("127.0.0.1", port))
        self.port, self.connections = self.sock.getsockname()[1], 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


@pytest.fixture
def inside():
    listener = Listener()
    yield listener
    listener.sock.close()


class Handler(http.server.BaseHTTPRequestHandler):
    hosts: list = []
    target = ""

    def do_GET(self):  # noqa: N802 - the stdlib's name
        Handler.hosts.append(self.headers["Host"])
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", Handler.target)
        else:
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def public_http():
    Handler.hosts = []
    server = serve(http.server.ThreadingHTTPServer((PUBLIC, 0), Handler))
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def names(authdns, settings):
    authdns.serve(
        {
            "api.acme.example": {"A": [PUBLIC]},
            "rebind.example": {"A": ["127.0.0.1"]},
            "metadata.example": {"A": ["169.254.169.254"]},
            "mixed.example": {"A": [PUBLIC, "10.0.0.7"]},
        }
    )
    settings.NETGUARD_NAMESERVERS = [authdns.nameserver]
    settings.AVAILABILITY_PROBE_ALLOW_PRIVATE = False
    settings.AVAILABILITY_PROBE_ALLOW_NETWORKS = [f"{PUBLIC}/32"]
    return authdns


@pytest.mark.parametrize(("name", "address"), [("rebind", "127.0.0.1"), ("metadata", "169.254.169.254")])
def test_a_name_resolving_inward_is_refused_and_never_connected(names, inside, name, address):
    with pytest.raises(probes.ProbeRefused) as refused:
        probes.probe_api(f"http://{name}.example:{inside.port}/status")
    assert str(refused.value) == (
        f"“{name}.example” is an internal address ({address}): probes reach public hosts only."
    )
    with pytest.raises(probes.ProbeRefused):
        probes.probe_smtp(f"{name}.example", inside.port, "probe@portal.test", "seed@acme.example", timeout=1)
    assert inside.connections == 0


def test_one_internal_address_among_public_ones_is_enough_to_refuse(names, public_http):
    with pytest.raises(probes.ProbeRefused, match="10.0.0.7"):
        probes.probe_api(f"http://mixed.example:{public_http}/status")
    assert Handler.hosts == []


def test_the_probe_connects_to_the_address_it_checked_and_keeps_the_name(names, public_http):
    assert probes.probe_api(f"http://api.acme.example:{public_http}/status") == "success"
    assert Handler.hosts == [f"api.acme.example:{public_http}"]  # the Host header names the host, not the address


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/", "http://rebind.example:{port}/admin"])
def test_a_redirect_inward_is_not_followed(names, public_http, inside, target):
    Handler.target = target.format(port=inside.port)
    with pytest.raises(probes.ProbeRefused, match="127.0.0.1"):
        probes.probe_api(f"http://api.acme.example:{public_http}/redirect")
    assert Handler.hosts == [f"api.acme.example:{public_http}"] and inside.connections == 0


def test_a_redirect_to_a_public_host_is_followed(names, public_http):
    Handler.target = f"http://api.acme.example:{public_http}/landed"
    assert probes.probe_api(f"http://api.acme.example:{public_http}/redirect") == "success"
    assert len(Handler.hosts) == 2


@pytest.mark.django_db
def test_saved_while_public_refused_once_it_resolves_inward_with_the_reason_kept(world, names, inside, public_http):
    """The rebinding: the name was public when the TAM saved the profile; by the probe it points inward."""
    from availability.services import availability_profile_save

    url = f"http://api.acme.example:{inside.port}/status"
    profile = AvailabilityProfile(
        account=world.acme, probe_enabled=True, probe_api_url=url, probe_smtp_host="api.acme.example",
        probe_smtp_port=inside.port, probe_smtp_to="seed@acme.example",
    )  # fmt: skip
    availability_profile_save(profile=profile, actor=world.tina, changed=[])  # accepted: resolves to PUBLIC
    names.serve({"api.acme.example": {"A": ["127.0.0.1"]}})  # now it resolves inward
    assert probes.run(profile) == {"api": "refused", "smtp": "refused"}
    assert inside.connections == 0
    assert not SecondRollup.objects.filter(account=world.acme).exists()
    profile.refresh_from_db()
    english = "“api.acme.example” is an internal address (127.0.0.1): probes reach public hosts only."
    assert str(profile.last_probe_refusal) == f"{english}; {english}"
    with translation.override("pl"):
        polish = str(profile.last_probe_refusal)
    assert polish != str(profile.last_probe_refusal) and "127.0.0.1" in polish and "api.acme.example" in polish
    names.serve({"api.acme.example": {"A": [PUBLIC]}})  # back to public: the next probe runs, the reason goes
    profile.probe_smtp_host = ""
    profile.probe_api_url = f"http://api.acme.example:{public_http}/status"
    assert probes.run(profile) == {"api": "success"}
    profile.refresh_from_db()
    assert profile.last_probe_refusal == ""


# --- HTTPS: connected to the checked address, SNI and certificate for the name -----------------------------


def certificate(tmp_path, name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@pytest.fixture
def public_https(tmp_path, monkeypatch):
    cert_file, key_file = certificate(tmp_path, "api.acme.example")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # the probe's default context trusts this one certificate
    names_seen = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda sock, name, ctx: names_seen.append(name)
    Handler.hosts = []
    server = http.server.ThreadingHTTPServer((PUBLIC, 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    serve(server)
    yield server.server_address[1], names_seen
    server.shutdown()
    server.server_close()


def test_https_is_pinned_with_the_name_for_sni_and_the_certificate(names, public_https):
    port, names_seen = public_https
    assert probes.probe_api(f"https://api.acme.example:{port}/status") == "success"
    assert names_seen == ["api.acme.example"] and Handler.hosts == [f"api.acme.example:{port}"]


# --- the rebinding itself: a resolver whose answer changes between two questions ----------------------------


class FlippingDns:
    """A UDP name server (dnspython) answering ``flip.example`` with the allowed address the first time and
    127.0.0.1 every time after (TTL 0): what an attacker's name server does to a check-then-connect client."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port, self.asked = self.sock.getsockname()[1], 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            query = dns.message.from_wire(data)
            answer = dns.message.make_response(query)
            question = query.question[0]
            if question.rdtype == dns.rdatatype.A:
                self.asked += 1
                address = PUBLIC if self.asked == 1 else "127.0.0.1"
                answer.answer.append(dns.rrset.from_text(question.name, 0, "IN", "A", address))
            self.sock.sendto(answer.to_wire(), peer)


@pytest.fixture
def flipping(settings):
    server = FlippingDns()
    settings.NETGUARD_NAMESERVERS = [f"127.0.0.1:{server.port}"]
    settings.AVAILABILITY_PROBE_ALLOW_PRIVATE = False
    settings.AVAILABILITY_PROBE_ALLOW_NETWORKS = [f"{PUBLIC}/32"]
    yield server
    server.sock.close()


@pytest.fixture
def twin_ports(public_http):
    """A listener on 127.0.0.1 on the same port as the allowed server on 127.0.0.2."""
    listener = Listener(public_http)
    yield listener
    listener.sock.close()


def test_the_name_is_resolved_once_and_the_checked_address_is_the_one_connected(flipping, public_http, twin_ports):
    """Checked as 127.0.0.2, then asked again it would say 127.0.0.1: the probe never asks again."""
    assert probes.probe_api(f"http://flip.example:{public_http}/status") == "success"
    assert flipping.asked == 1
    assert Handler.hosts == [f"flip.example:{public_http}"] and twin_ports.connections == 0
