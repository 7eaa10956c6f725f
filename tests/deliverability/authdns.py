"""A real DNS server for the sender-authentication checks: dnsmasq serving a dict of records on loopback.

MISSION: DLV-1. Debian's ``dnsmasq`` (package dnsmasq-base) answers with the records of a test, nothing
else: ``local=/example/`` and friends make every unknown name NXDOMAIN, ``no-resolv`` keeps it off the
network. ``AuthDns.serve(records)`` writes the config and (re)starts dnsmasq on the same free port (UDP,
and TCP for truncated answers), then waits until it answers. The records::

    {"x.example": {"TXT": ["v=spf1 -all"], "MX": [(10, "mx.x.example")]},
     "mx.x.example": {"A": ["192.0.2.1"], "AAAA": ["2001:db8::1"]},
     "bounce.x.example": {"CNAME": "bounce.portal.test"},
     "192.0.2.1": {"PTR": "mx.x.example"}}       # an address as the key: its reverse name

Note: dnsmasq's ``host-record`` (A/AAAA here) also answers the PTR of its address; a test of "no PTR"
must not give that address to any name.

Use in a test module::

    from tests.deliverability.authdns import authdns_fixture, authdns_settings_fixture  # noqa: F401
"""

import base64
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import dns.reversename
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from core import nameservers
from tests.conftest import require
from tests.deliverability.conftest import HOST, stop, wait_for_answer
from tests.helpers import free_port

DNSMASQ = shutil.which("dnsmasq") or ("/usr/sbin/dnsmasq" if os.access("/usr/sbin/dnsmasq", os.X_OK) else None)
LOCAL_ZONES = ("example", "test", "in-addr.arpa", "ip6.arpa")


# --- Record values ------------------------------------------------------------------------------------


def der_base64(public_key) -> str:
    return base64.b64encode(public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).decode()


def dkim_key(bits: int) -> str:
    """The p= value of a fresh RSA key (cryptography generates 1024 bits and more)."""
    return der_base64(rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key())


def short_dkim_key(bits: int = 512) -> str:
    """The p= value of a key too short to generate: a public key only needs an odd modulus of that size."""
    modulus = (1 << (bits - 1)) | 0x5DEECE66D | 1
    return der_base64(rsa.RSAPublicNumbers(65537, modulus).public_key())


def txt_line(name: str, value: str) -> str:
    """One TXT record; values over 255 bytes are split into quoted 250-character strings."""
    chunks = [value[i : i + 250] for i in range(0, len(value), 250)] or [""]
    return f"txt-record={name}," + ",".join(f'"{chunk}"' for chunk in chunks)


def config_lines(records: dict) -> list[str]:
    lines = []
    for name, kinds in records.items():
        for kind, value in kinds.items():
            values = value if isinstance(value, list | tuple) and kind != "CNAME" else [value]
            for item in values:
                if kind == "TXT":
                    lines.append(txt_line(name, item))
                elif kind == "MX":
                    preference, host = item
                    lines.append(f"mx-host={name},{host},{preference}")
                elif kind in ("A", "AAAA"):
                    lines.append(f"host-record={name},{item}")
                elif kind == "CNAME":
                    lines.append(f"cname={name},{item}")
                elif kind == "PTR":
                    reverse = dns.reversename.from_address(name).to_text(omit_final_dot=True)
                    lines.append(f"ptr-record={reverse},{item}")
                else:
                    raise ValueError(f"dnsmasq here serves no {kind} records")
    return lines


# --- The server ---------------------------------------------------------------------------------------


class AuthDns:
    """dnsmasq on 127.0.0.1:<port>; ``serve()`` again with other records restarts it on the same port."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="authdns-"))
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.records: dict | None = None

    @property
    def nameserver(self) -> str:
        return f"{HOST}:{self.port}"

    def resolver(self, timeout: float = 1.0):
        return nameservers.resolver([(HOST, self.port)], timeout)

    def config(self, records: dict) -> str:
        lines = [
            f"port={self.port}",
            f"listen-address={HOST}",
            "bind-interfaces",
            "no-resolv",
            "no-hosts",
            "no-negcache",
            "pid-file=",
            "log-facility=-",
            *(f"local=/{zone}/" for zone in LOCAL_ZONES),
            *config_lines(records),
        ]
        return "\n".join(lines) + "\n"

    def serve(self, records: dict) -> "AuthDns":
        """Serve exactly these records (nothing is restarted when they are already served)."""
        if self.records == records and self.proc is not None and self.proc.poll() is None:
            return self
        self.stop()
        conf, log = self.dir / "dnsmasq.conf", self.dir / "dnsmasq.log"
        conf.write_text(self.config(records))
        argv = [DNSMASQ, "--keep-in-foreground", f"--conf-file={conf}"]
        if os.geteuid() == 0:
            argv.append("--user=root")
        for _attempt in range(20):  # the port may be a moment away from free after the last stop
            with log.open("wb") as out:
                self.proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
            try:
                wait_for_answer(self.port, "ready.example", self.proc, log)
                self.records = records
                return self
            except RuntimeError:
                stop(self.proc)
                self.proc = None
                if "Address already in use" not in log.read_text(errors="replace"):
                    break
        raise RuntimeError(f"dnsmasq did not start on port {self.port}: {log.read_text(errors='replace')}")

    def stop(self):
        if self.proc is not None:
            stop(self.proc)
        self.proc, self.records = None, None

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(name="authdns", scope="module")
def authdns_fixture():
    """One dnsmasq per test module; each test serves the records it needs with ``authdns.serve``."""
    if DNSMASQ is None:
        require(False, "dnsmasq is not installed (apt-get install dnsmasq-base)")
    server = AuthDns()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(name="authdns_settings")
def authdns_settings_fixture(settings, authdns):
    """The portal's checks ask this dnsmasq, with a short timeout."""
    settings.AUTH_NAMESERVERS = [authdns.nameserver]
    settings.AUTH_TIMEOUT = 1.0
    return settings


# --- Following a fix ----------------------------------------------------------------------------------


def follow_fix(records: dict, data: dict, **placeholders: str) -> dict:
    """The records after doing literally what a finding's fix says: delete its ``delete`` rows, publish
    its ``publish`` rows ([name, type, value]); ``<public key>``-style placeholders are filled from
    ``placeholders`` (public_key="...", your_inbound_mail_server="...")."""
    out = {
        name: {kind: list(v) if isinstance(v, list) else v for kind, v in kinds.items()}
        for name, kinds in records.items()
    }
    for name, kind, value in data.get("delete", []):
        kinds = out.get(name, {})
        if kind == "CNAME":
            kinds.pop("CNAME", None)
        else:
            kinds[kind] = [v for v in kinds.get(kind, []) if v != value]
    for name, kind, value in data.get("publish", []):
        for key, filled in placeholders.items():
            value = value.replace(f"<{key.replace('_', ' ')}>", filled)
        assert "<" not in value, f"a placeholder is left in {value!r}"
        kinds = out.setdefault(name, {})
        if kind == "CNAME":
            kinds["CNAME"] = value.rstrip(".")
        elif kind == "MX":
            preference, host = value.split()
            kinds.setdefault("MX", []).append((int(preference), host.rstrip(".")))
        else:
            kinds.setdefault(kind, []).append(value)
    return out
