"""Probes against real local servers made to fail on purpose: an HTTP server (200 / 429 / 500 / too slow /
nothing listening) and an aiosmtpd SMTP server (accepts / 421 / 550 / nothing listening); the attempts
land in the ledger by the definition. MISSION: AV-1."""

import http.server
import threading
import time

import pytest
from aiosmtpd.controller import Controller

from availability import probes, tasks
from availability.ledger import API, SMTP
from availability.models import AvailabilityProfile, SecondRollup
from tests.helpers import free_port


@pytest.fixture(autouse=True)
def local_servers_allowed(settings):
    """The servers below listen on loopback: this module's probes may reach them unless a test says not."""
    settings.AVAILABILITY_PROBE_ALLOW_PRIVATE = True


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the stdlib's name
        if self.path == "/slow":
            time.sleep(1.5)
        status = {"/ok": 200, "/busy": 429, "/broken": 500, "/slow": 200}.get(self.path, 404)
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def http_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class SmtpHandler:
    def __init__(self):
        self.reply = "250 OK"
        self.received = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.received += 1
        return self.reply


@pytest.fixture(scope="module")
def smtp_server():
    handler = SmtpHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.mark.parametrize(
    ("path", "outcome"),
    [("/ok", "success"), ("/busy", "client_error"), ("/broken", "server_error"), ("/nope", "client_error")],
)
def test_api_probe_outcomes(http_server, path, outcome):
    assert probes.probe_api(http_server + path) == outcome


def test_api_probe_timeouts_and_refusals(http_server):
    assert probes.probe_api(http_server + "/slow", timeout=0.3) == "timeout"
    assert probes.probe_api(f"http://127.0.0.1:{free_port()}/") == "server_error"  # nothing listening
    with pytest.raises(ValueError):
        probes.probe_api("file:///etc/passwd")


def test_smtp_probe_outcomes(smtp_server):
    controller, handler = smtp_server
    args = ("127.0.0.1", controller.port, "probe@portal.test", "seed@acme.example")
    handler.reply = "250 OK"
    assert probes.probe_smtp(*args) == "success" and handler.received >= 1
    handler.reply = "421 Service not available"
    assert probes.probe_smtp(*args) == "server_error"
    handler.reply = "550 Mailbox unavailable"
    assert probes.probe_smtp(*args) == "client_error"
    assert probes.probe_smtp("127.0.0.1", free_port(), "probe@portal.test", "seed@acme.example", timeout=1) == "timeout"


@pytest.mark.django_db
def test_a_probe_run_records_attempts_by_the_definition(world, http_server, smtp_server):
    controller, handler = smtp_server
    handler.reply = "421 Service not available"
    profile = AvailabilityProfile.objects.create(
        account=world.acme, probe_enabled=True, probe_api_url=http_server + "/busy",
        probe_smtp_host="127.0.0.1", probe_smtp_port=controller.port, probe_smtp_to="seed@acme.example",
    )  # fmt: skip
    assert tasks.probe_all() == 1  # eager: the probe ran
    assert tasks.probe_all() == 0  # not due again within its interval
    api = SecondRollup.objects.get(account=world.acme, channel=API)
    smtp = SecondRollup.objects.get(account=world.acme, channel=SMTP)
    assert (api.attempts, api.failures) == (1, 0)  # a 429 is the client's, not a server failure
    assert (smtp.attempts, smtp.failures) == (1, 1)  # a 421 is the service's failure
    profile.refresh_from_db()
    assert profile.last_probe_at is not None
    assert not SecondRollup.objects.filter(account=world.globex).exists()


@pytest.fixture
def public_only(settings):
    settings.AVAILABILITY_PROBE_ALLOW_PRIVATE = False


INTERNAL = ["127.0.0.1", "localhost", "169.254.169.254", "10.0.0.5", "192.168.1.1", "[::1]", "0.0.0.0", "2130706433"]


@pytest.mark.django_db
@pytest.mark.parametrize("host", INTERNAL)
def test_a_profile_may_not_target_an_internal_host(world, public_only, host):
    """Loopback, link-local (cloud metadata), private and unspecified addresses, and names or spellings that
    resolve to them, are refused on save with the field named."""
    from django.core.exceptions import ValidationError

    from availability.services import availability_profile_save

    profile = AvailabilityProfile(account=world.acme, probe_api_url=f"http://{host}/status", probe_smtp_host=host)
    with pytest.raises(ValidationError) as refused:
        availability_profile_save(profile=profile, actor=world.tina, changed=[])
    assert set(refused.value.message_dict) == {"probe_api_url", "probe_smtp_host"}
    assert "probes reach public hosts only" in refused.value.message_dict["probe_smtp_host"][0]
    assert not AvailabilityProfile.objects.exists()


@pytest.mark.django_db
def test_a_public_target_is_saved(world, public_only):
    from availability.services import availability_profile_save

    profile = AvailabilityProfile(account=world.acme, probe_api_url="https://8.8.8.8/", probe_smtp_host="8.8.4.4")
    availability_profile_save(profile=profile, actor=world.tina, changed=[])
    assert AvailabilityProfile.objects.filter(account=world.acme).exists()


@pytest.mark.django_db
def test_the_probe_checks_again_when_it_runs(world, http_server, smtp_server, settings):
    """Saved while allowed (or while the name resolved elsewhere): the probe itself refuses and records
    nothing, and the low-level calls refuse too."""
    controller, _handler = smtp_server
    profile = AvailabilityProfile.objects.create(
        account=world.acme, probe_enabled=True, probe_api_url=http_server + "/ok",
        probe_smtp_host="127.0.0.1", probe_smtp_port=controller.port, probe_smtp_to="seed@acme.example",
    )  # fmt: skip
    settings.AVAILABILITY_PROBE_ALLOW_PRIVATE = False
    assert probes.run(profile) == {"api": "refused", "smtp": "refused"}
    assert not SecondRollup.objects.exists()
    with pytest.raises(probes.ProbeRefused):
        probes.probe_api(http_server + "/ok")
    with pytest.raises(probes.ProbeRefused):
        probes.probe_smtp("127.0.0.1", controller.port, "probe@portal.test", "seed@acme.example")


class Redirector(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the stdlib's name
        self.send_response(302)
        self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_redirect_to_an_internal_host_is_refused(settings, monkeypatch):
    """A public URL that redirects inward (the cloud metadata address) is not followed."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.AVAILABILITY_PROBE_ALLOW_PRIVATE = False
        monkeypatch.setattr(probes, "non_public", lambda host: [] if host == "127.0.0.1" else ["169.254.169.254"])
        with pytest.raises(probes.ProbeRefused):
            probes.probe_api(f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
