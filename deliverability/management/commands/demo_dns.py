"""``manage.py demo_dns [--port 5354] [--dir var/demo-dns]``: serve demo blocklist zones with rbldnsd.

For ``make run`` only (Procfile): the catalogue's zones, each with its RFC 5782 test entries and a few
demo listings (deliverability/demo.py), served on loopback. Without rbldnsd it says so and idles, so
the other processes keep running and the checker uses the system's resolver.
"""

import os
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from deliverability.demo import LISTINGS, SILENT
from deliverability.models import Blocklist

RBLDNSD = shutil.which("rbldnsd") or ("/usr/sbin/rbldnsd" if os.path.exists("/usr/sbin/rbldnsd") else None)


def write_zones(directory: Path) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)
    specs = []
    for bl in Blocklist.objects.all():
        if bl.zone in SILENT:
            continue
        domain = bl.kind == "domain"
        first = (bl.codes or [{"code": "127.0.0.2"}])[0]["code"].split("-")[0] if bl.codes else "127.0.0.2"
        if bl.bits:
            first = f"127.0.0.{bl.bits[0]['bit']}"
        lines = [f":{first}:Listed on {bl.name} (demo), see {bl.delist_url or 'the list'}"]
        lines += ["test"] if domain else ["127.0.0.2"]
        lines += LISTINGS.get(bl.zone, [])
        path = directory / f"{bl.zone}.txt"
        path.write_text("\n".join(lines) + "\n")
        path.chmod(0o644)
        specs.append(f"{bl.zone}:{'dnset' if domain else 'ip4set'}:{path.name}")
        if bl.ipv6 and not domain:
            v6 = directory / f"{bl.zone}.v6.txt"
            v6.write_text(f":{first}:Listed (demo)\n::ffff:7f00:2\n")
            v6.chmod(0o644)
            specs.append(f"{bl.zone}:ip6trie:{v6.name}")
    return specs


class Command(BaseCommand):
    help = "Serve demo blocklist zones on loopback with rbldnsd (make run)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_DNS_PORT", "5354")))
        parser.add_argument("--dir", default=str(settings.VAR_DIR / "demo-dns"))

    def handle(self, *args, **options):
        if RBLDNSD is None:
            self.stdout.write("rbldnsd is not installed: blocklist checks use the system's resolver.")
            while True:
                time.sleep(3600)
        specs = write_zones(Path(options["dir"]))
        self.stdout.write(f"rbldnsd serving {len(specs)} demo zones on 127.0.0.1:{options['port']}")
        argv = [RBLDNSD, "-n", "-b", f"127.0.0.1/{options['port']}", "-w", options["dir"]]
        if os.geteuid() == 0:
            argv[1:1] = ["-u", "nobody"]
        os.execv(RBLDNSD, [*argv, *specs])  # noqa: S606 - argv is ours, no shell
