"""Fixtures for the blocklist checker: a real rbldnsd serving test zones, a lossy proxy, zone specs.

MISSION: DLV-2. Debian's ``rbldnsd`` serves DNSBL zones from text files (see ``shared/facts/dnsbl.md``);
``shared/tools/dnsdelay.py`` adds latency and loss in front of it. Every zone lives under ``.test``.

The zone specs below are the catalogue entries the checker would hold for these zones; they are built
with ``dnsbl.zone_spec`` from the same JSON shape the catalogue uses, and need no DNS at all.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import pytest

from deliverability.blocklists import dnsbl
from deliverability.engine import Engine, Settings
from tests.conftest import require
from tests.helpers import free_port

RBLDNSD = shutil.which("rbldnsd") or ("/usr/sbin/rbldnsd" if os.access("/usr/sbin/rbldnsd", os.X_OK) else None)
DNSDELAY = Path("/work/shared/tools/dnsdelay.py")
HOST = "127.0.0.1"
PAGE = "/a/acme/deliverability/"  # Acme's deliverability page

# --- The zones rbldnsd serves ------------------------------------------------------------------------

ZONE_FILES = {
    # Spamhaus ZEN look-alike. The default answer carries a TXT with "$" (the queried address).
    "zen.txt": """\
:127.0.0.2:Listed, see https://zen.test/lookup?$
127.0.0.2
192.0.2.0/28
!192.0.2.5
198.51.100.3 :127.0.0.3:CSS listing for $
198.51.100.4 :127.0.0.4:XBL listing for $
198.51.100.10 :127.0.0.10:PBL listing for $
198.51.100.252 :127.255.255.252:Typo in the zone name
198.51.100.254 :127.255.255.254:Public resolver
198.51.100.255 :127.255.255.255:Excessive volume
198.51.100.20 :10.0.0.1:Outside loopback
198.51.100.99 :127.0.0.99:Undocumented code
198.51.100.40 :127.0.0.2:
198.51.100.40 :127.0.0.4:
198.51.100.41 :127.0.0.10:
198.51.100.41 :127.0.0.11:
198.51.100.42 :127.0.0.2:
198.51.100.42 :127.255.255.254:
""",
    # An IPv6 list (ip6trie): the RFC 5782 test entry ::ffff:7f00:2 and a /64.
    "v6.txt": """\
:127.0.0.2:Listed v6, see https://v6.test/lookup?$
::ffff:7f00:2
2001:db8::/64
2001:db8:1::5 :127.0.0.4:XBL v6 listing for $
""",
    # Spamhaus DBL look-alike (dnset): "test", a plain entry, a wildcard, an error code, phishing.
    "dbl.txt": """\
:127.0.1.2:Spam domain $
test
spam.example
.wild.example
ipqueried.example :127.0.1.255:An IP address was queried
phish.example :127.0.1.4:Phishing domain $
""",
    # URIBL look-alike (dnset, bitmask): black, black+grey, "refused", an undocumented bit.
    "uribl.txt": """\
:127.0.0.2:Black, see https://uribl.test/?$
test
black.example
blackgrey.example :127.0.0.6:Black and grey $
refused.example :127.0.0.1:Query refused
oddbit.example :127.0.0.64:Odd bit
""",
    # A list that does not list 127.0.0.2: fails its health check.
    "dead.txt": """\
192.0.2.99
""",
    # A list that lists everything, 127.0.0.1 included: fails its health check.
    "all.txt": """\
0.0.0.0/0
""",
}

ZONES = (
    ("zen.test", "ip4set", "zen.txt"),
    ("v6.test", "ip6trie", "v6.txt"),
    ("dbl.test", "dnset", "dbl.txt"),
    ("uribl.test", "dnset", "uribl.txt"),
    ("dead.test", "ip4set", "dead.txt"),
    ("all.test", "ip4trie", "all.txt"),  # ip4set refuses 0.0.0.0/0; ip4trie takes it
)

# --- The catalogue entries for those zones (the JSON shape ``zone_spec`` reads) ----------------------

SPAMHAUS_ERRORS = [
    {"code": "127.255.255.252", "meaning": "Typo in the DNSBL zone name"},
    {"code": "127.255.255.254", "meaning": "Query via a public/open resolver"},
    {"code": "127.255.255.255", "meaning": "Excessive number of queries"},
]
ZEN = {
    "zone": "zen.test",
    "kind": "ip4",
    "codes": [
        {"code": "127.0.0.2", "meaning": "SBL"},
        {"code": "127.0.0.3", "meaning": "CSS"},
        {"code": "127.0.0.4-127.0.0.7", "meaning": "XBL (exploits)"},
        {"code": "127.0.0.9", "meaning": "DROP"},
        {"code": "127.0.0.10-127.0.0.11", "meaning": "PBL (policy)", "policy": True},
    ],
    "errors": SPAMHAUS_ERRORS,
}
V6 = {
    "zone": "v6.test",
    "kind": "ip6",
    "codes": [{"code": "127.0.0.2", "meaning": "Listed (v6)"}, {"code": "127.0.0.4", "meaning": "XBL (v6)"}],
}
DBL = {
    "zone": "dbl.test",
    "kind": "domain",
    "codes": [
        {"code": "127.0.1.2", "meaning": "spam domain"},
        {"code": "127.0.1.4", "meaning": "phishing domain"},
        {"code": "127.0.1.5", "meaning": "malware domain"},
        {"code": "127.0.1.6", "meaning": "botnet C&C domain"},
        {"code": "127.0.1.102-127.0.1.106", "meaning": "abused legitimate domain"},
    ],
    "errors": [*SPAMHAUS_ERRORS, {"code": "127.0.1.255", "meaning": "An IP address was queried on a domain list"}],
}
URIBL = {
    "zone": "uribl.test",
    "kind": "domain",
    "bits": [{"bit": 2, "meaning": "black"}, {"bit": 4, "meaning": "grey"}, {"bit": 8, "meaning": "red"}],
    "errors": [{"code": "127.0.0.1", "meaning": "Query refused (blocked resolver)"}],
    "registered_domain": True,
}
DEAD = {"zone": "dead.test", "kind": "ip4", "codes": [{"code": "127.0.0.2", "meaning": "listed"}]}
ALL = {"zone": "all.test", "kind": "ip4", "codes": [{"code": "127.0.0.2", "meaning": "listed"}]}


@pytest.fixture(scope="session")
def zen_spec() -> dnsbl.ZoneSpec:
    return dnsbl.zone_spec(**ZEN)


@pytest.fixture(scope="session")
def v6_spec() -> dnsbl.ZoneSpec:
    return dnsbl.zone_spec(**V6)


@pytest.fixture(scope="session")
def dbl_spec() -> dnsbl.ZoneSpec:
    return dnsbl.zone_spec(**DBL)


@pytest.fixture(scope="session")
def uribl_spec() -> dnsbl.ZoneSpec:
    return dnsbl.zone_spec(**URIBL)


@pytest.fixture(scope="session")
def dead_spec() -> dnsbl.ZoneSpec:
    return dnsbl.zone_spec(**DEAD)


@pytest.fixture(scope="session")
def all_spec() -> dnsbl.ZoneSpec:
    return dnsbl.zone_spec(**ALL)


# --- Clients ------------------------------------------------------------------------------------------


@pytest.fixture
def alice(client, world):
    """The test client signed in as Acme's account admin."""
    client.force_login(world.alice)
    return client


# --- Sweeps against rbldnsd --------------------------------------------------------------------------


@pytest.fixture
def catalogue_server(settings, tmp_path, db):
    """rbldnsd serving the catalogue's zone names, the checker pointed at it (``tests/deliverability/zones.py``)."""
    from tests.deliverability.zones import catalogue_dns

    with catalogue_dns(settings, tmp_path) as server:
        yield server


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run a sweep the way the schedule does: the request commits, Celery runs eagerly."""
    from deliverability import services
    from deliverability.models import Sweep

    def run(account) -> Sweep:
        with django_capture_on_commit_callbacks(execute=True):
            sweep = services.sweep_request(account=account, trigger=Sweep.Trigger.SCHEDULE)
        sweep.refresh_from_db()
        return sweep

    return run


# --- Processes ----------------------------------------------------------------------------------------


def wait_for_answer(port: int, name: str, proc: subprocess.Popen, log: Path | None = None, limit: float = 5.0):
    """Ask ``name`` until the server at ``port`` answers (any rcode), or fail after ``limit`` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = log.read_text(errors="replace") if log and log.exists() else ""
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}: {output}")
        try:
            dns.query.udp(dns.message.make_query(name, "A"), HOST, port=port, timeout=0.2)
            return
        except (dns.exception.Timeout, OSError):
            time.sleep(0.05)
    output = log.read_text(errors="replace") if log and log.exists() else ""
    raise RuntimeError(f"{proc.args[0]} did not answer on port {port} within {limit} s: {output}")


def stop(proc: subprocess.Popen):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@dataclass
class Rbldnsd:
    host: str
    port: int
    dir: Path
    proc: subprocess.Popen

    @property
    def nameserver(self) -> tuple[str, int]:
        return (self.host, self.port)


@pytest.fixture(scope="session")
def rbldnsd():
    """rbldnsd on 127.0.0.1 serving zen/v6/dbl/uribl/dead/all ``.test`` zones from a temporary directory."""
    if RBLDNSD is None:
        require(False, "rbldnsd is not installed (apt-get install rbldnsd)")
    directory = Path(tempfile.mkdtemp(prefix="rbldnsd-"))
    directory.chmod(0o755)  # rbldnsd reads the files as nobody
    for name, text in ZONE_FILES.items():
        path = directory / name
        path.write_text(text)
        path.chmod(0o644)
    log = directory / "rbldnsd.log"
    zones = [f"{zone}:{kind}:{file}" for zone, kind, file in ZONES]
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    proc = None
    try:
        for _attempt in range(3):  # a port taken between picking it and binding it: pick another
            port = free_port()
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    [RBLDNSD, "-n", *user, "-b", f"{HOST}/{port}", "-w", str(directory), *zones],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            try:
                wait_for_answer(port, "2.0.0.127.zen.test", proc, log)
                break
            except RuntimeError:
                stop(proc)
                proc = None
        if proc is None:
            pytest.fail(f"rbldnsd did not start: {log.read_text(errors='replace')}")
        yield Rbldnsd(HOST, port, directory, proc)
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def delayed(rbldnsd):
    """The port of ``dnsdelay.py`` in front of rbldnsd: 40 +- 10 ms per answer, 5% of answers lost."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            str(DNSDELAY),
            "--listen",
            f"{HOST}:{port}",
            "--upstream",
            f"{HOST}:{rbldnsd.port}",
            "--delay-ms",
            "40",
            "--jitter-ms",
            "10",
            "--loss",
            "0.05",
            "--max-seconds",
            "600",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_answer(port, "2.0.0.127.zen.test", proc)
        yield port
    finally:
        proc.kill()
        proc.wait(timeout=5)


@pytest.fixture
def dead_port():
    """A UDP port on 127.0.0.1 where nothing answers.

    The port is held by a socket that never reads, so no other process can take it during the test and
    no ICMP "port unreachable" comes back either: queries simply vanish, as with a dead resolver.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind((HOST, 0))
        yield silent.getsockname()[1]


def engine_for(port: int, **options) -> Engine:
    """An engine asking only the resolver on loopback ``port``, with short timeouts unless told."""
    options.setdefault("timeout", 1.0)
    options.setdefault("retries", 2)
    return Engine(Settings(nameservers=(("127.0.0.1", port),), **options))
