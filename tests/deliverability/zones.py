"""A local rbldnsd serving zones under the catalogue's real names, for the Django-level tests.

MISSION: DLV-2. ``zen.spamhaus.org``, ``bl.spamcop.net``, ``dbl.spamhaus.org``, ``multi.uribl.com`` and
``multi.surbl.org`` are served on 127.0.0.1 from text files (shared/facts/dnsbl.md, "Testing without the
internet"); the other catalogue lists are disabled by ``only_served_lists``. ``serve()`` rewrites the files and restarts
rbldnsd on the same port, so a listing can appear, disappear, or a list can fail its health check
between two sweeps. The checker is pointed at it through the pytest-django ``settings`` fixture.
"""

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from pathlib import Path

import dns.exception
import dns.message
import dns.query

from tests.conftest import require
from tests.helpers import free_port

HOST = "127.0.0.1"
RBLDNSD = shutil.which("rbldnsd") or "/usr/sbin/rbldnsd"

# zone -> (rbldnsd dataset type, the default answer line, the RFC 5782 test entry)
SERVED = {
    "zen.spamhaus.org": ("ip4set", ":127.0.0.2:Listed by Spamhaus, see https://check.spamhaus.org/", "127.0.0.2"),
    "bl.spamcop.net": ("ip4set", ":127.0.0.2:Blocked - see https://www.spamcop.net/bl.shtml?$", "127.0.0.2"),
    "dbl.spamhaus.org": ("dnset", ":127.0.1.2:Spam domain $", "test"),
    "multi.uribl.com": ("dnset", ":127.0.0.2:URIBL black $", "test"),
    "multi.surbl.org": ("dnset", ":127.0.0.64:SURBL abuse $", "test"),
}
PROBE = "2.0.0.127.zen.spamhaus.org"


def only_served_lists() -> None:
    """Disable every catalogue list this server does not answer for (they would fail their health check)."""
    from deliverability.models import Blocklist

    Blocklist.objects.exclude(zone__in=list(SERVED)).update(enabled=False)


class CatalogueDns:
    """rbldnsd serving the ``SERVED`` zones; ``serve()`` sets what they list."""

    def __init__(self, directory: Path, settings):
        self.dir, self.settings = directory, settings
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.dir.chmod(0o755)  # rbldnsd reads the files as nobody

    @property
    def nameserver(self) -> str:
        return f"{HOST}:{self.port}"

    def serve(self, listings: Mapping[str, Iterable[str]] | None = None, *, broken: Iterable[str] = ()) -> None:
        """Write each zone: its default answer, its test entry (left out for the ``broken`` zones, which then
        fail their health check) and the ``listings`` entries (rbldnsd syntax), then (re)start rbldnsd."""
        listings, broken = dict(listings or {}), set(broken)
        assert set(listings) | broken <= set(SERVED), f"not served: {sorted(set(listings) | broken - set(SERVED))}"
        for zone, (_kind, default, probe) in SERVED.items():
            lines = [default, *([] if zone in broken else [probe]), *listings.get(zone, ())]
            path = self.dir / f"{zone}.txt"
            path.write_text("\n".join(lines) + "\n")
            path.chmod(0o644)
        self._restart()

    def _restart(self) -> None:
        self.stop()
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        zones = [f"{zone}:{kind}:{zone}.txt" for zone, (kind, _d, _p) in SERVED.items()]
        for _attempt in range(3):
            self.proc = subprocess.Popen(
                [RBLDNSD, "-n", *user, "-b", f"{HOST}/{self.port}", "-w", str(self.dir), *zones],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._answers():
                self.settings.BLOCKLIST_NAMESERVERS = [self.nameserver]
                return
            self.stop()
            self.port = free_port()  # the port was taken meanwhile: another one
        raise RuntimeError("rbldnsd did not start")

    def _answers(self, limit: float = 5.0) -> bool:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                dns.query.udp(dns.message.make_query(PROBE, "A"), HOST, port=self.port, timeout=0.03)
                return True
            except (dns.exception.Timeout, OSError):
                time.sleep(0.005)
        return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None


@contextmanager
def catalogue_dns(settings, directory: Path):
    """The server, the checker pointed at it (fast timeouts), and only the lists it serves enabled."""
    require(os.access(RBLDNSD, os.X_OK), "rbldnsd is not installed (apt-get install rbldnsd)")
    settings.BLOCKLIST_TIMEOUT = 0.5
    # Loopback answers in microseconds, so the engine's adaptive timer drops to its 50 ms floor: a few
    # retries keep a busy machine (a test process scheduled out for 100 ms) from turning answers into timeouts.
    settings.BLOCKLIST_RETRIES = 4
    settings.BLOCKLIST_RESOLVER_LABEL = ""
    only_served_lists()
    server = CatalogueDns(directory, settings)
    try:
        server.serve()
        yield server
    finally:
        server.stop()
