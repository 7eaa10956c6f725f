"""``manage.py demo_authdns [--port 5355]``: the demo customers' DNS records, served by dnsmasq.

For ``make run`` only (Procfile): SPF, DKIM, DMARC, MX, the bounce CNAME and reverse DNS of the demo
domains and IPs, some deliberately broken (Acme has no DMARC record and a 1024-bit DKIM key; two of its
marketing IPs have no PTR), so the Authentication page shows real findings. Globex publishes TLS
reporting (``_smtp._tls``: a pass) but no MTA-STS: the policy is fetched over HTTPS, with a certificate the
portal trusts, and the demo serves none, so Globex's MTA-STS stays the honest "no policy" warning rather than
a record whose policy cannot be fetched (a failure). Without dnsmasq it says so and idles.
"""

import base64
import os
import shutil
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.management.base import BaseCommand

DNSMASQ = shutil.which("dnsmasq") or ("/usr/sbin/dnsmasq" if os.path.exists("/usr/sbin/dnsmasq") else None)


def dkim_key(bits: int) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    return base64.b64encode(key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).decode()


def txt(name: str, value: str) -> str:
    chunks = [value[i : i + 250] for i in range(0, len(value), 250)]
    return f"txt-record={name}," + ",".join(f'"{chunk}"' for chunk in chunks)


def config(port: int) -> str:
    include, bounce_host = settings.PROVIDER_SPF_INCLUDE, settings.PROVIDER_BOUNCE_HOST
    lines = [
        f"port={port}",
        "listen-address=127.0.0.1",
        "bind-interfaces",
        "no-resolv",
        "no-hosts",
        "local=/example/",
        "local=/test/",
        "local=/in-addr.arpa/",
        "local=/ip6.arpa/",
        txt(include, "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 ip4:203.0.113.0/24 ip6:2001:db8::/32 -all"),
        txt(bounce_host, f"v=spf1 include:{include} -all"),  # the SPF receivers check (envelope sender)
        # Acme: SPF fine, DKIM 1024 bits (a warning), no DMARC (a failure), MX present.
        txt("acme.example", f"v=spf1 include:{include} ~all"),
        txt("s1._domainkey.acme.example", f"v=DKIM1; k=rsa; p={dkim_key(1024)}"),
        "mx-host=acme.example,mx.acme.example,10",
        "host-record=mx.acme.example,198.51.100.200",
        f"cname=bounce.acme.example,{bounce_host}",
        # Globex: everything in order.
        txt("globex.example", f"v=spf1 include:{include} -all"),
        txt("s2048._domainkey.globex.example", f"v=DKIM1; k=rsa; p={dkim_key(2048)}"),
        txt("_dmarc.globex.example", "v=DMARC1; p=quarantine; rua=mailto:dmarc@globex.example"),
        txt("_smtp._tls.globex.example", "v=TLSRPTv1; rua=mailto:tls-reports@globex.example"),  # MISSION: DLV-1
        "mx-host=globex.example,mx.globex.example,10",
        "host-record=mx.globex.example,203.0.113.200",
        f"cname=bounce.globex.example,{bounce_host}",
    ]
    for last in range(10, 14):
        lines += [
            f"ptr-record={last}.2.0.192.in-addr.arpa,mta{last}.portal.test",
            f"host-record=mta{last}.portal.test,192.0.2.{last}",
        ]
    for last in range(0, 14):  # 198.51.100.14 and .15 are left without reverse DNS
        lines += [
            f"ptr-record={last}.100.51.198.in-addr.arpa,mkt{last}.portal.test",
            f"host-record=mkt{last}.portal.test,198.51.100.{last}",
        ]
    for last in (20, 21):
        lines += [
            f"ptr-record={last}.113.0.203.in-addr.arpa,gx{last}.portal.test",
            f"host-record=gx{last}.portal.test,203.0.113.{last}",
        ]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Serve the demo customers' DNS records on loopback with dnsmasq (make run)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_AUTH_DNS_PORT", "5355")))

    def handle(self, *args, **options):
        if DNSMASQ is None:
            self.stdout.write("dnsmasq is not installed: authentication checks use the system's resolver.")
            while True:
                time.sleep(3600)
        path = Path(settings.VAR_DIR) / "demo-authdns.conf"
        path.write_text(config(options["port"]))
        self.stdout.write(f"dnsmasq serving the demo domains on 127.0.0.1:{options['port']}")
        argv = [DNSMASQ, "--keep-in-foreground", "--log-facility=-", f"--conf-file={path}"]
        if os.geteuid() == 0:
            argv.append("--user=root")
        os.execv(DNSMASQ, argv)  # noqa: S606 - argv is ours, no shell
