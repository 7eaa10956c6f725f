"""Demo data for ``make run``: message streams, IPs and domains, and the zones a local rbldnsd serves.

MISSION: DLV-2. ``manage.py demo_dns`` writes rbldnsd zone files under the catalogue's real zone names,
listing a few of these demo targets, and runs rbldnsd on loopback; ``make run`` points the checker at it
(portal/settings/dev.py). Addresses are from the documentation ranges (RFC 5737, RFC 3849).
"""

from accounts.models import Account

from . import services
from .authentication.runs import auth_request
from .models import MonitoredTarget

TARGETS = {
    "acme": [
        ("transactional", "192.0.2.10 192.0.2.11 192.0.2.12 192.0.2.13 2001:db8:25::10", ""),
        ("marketing", "198.51.100.0/28", ""),
        ("", "acme.example", "from"),
        ("", "bounce.acme.example", "bounce"),
        ("", "links.acme-mail.example", "tracking"),
    ],
    "globex": [
        ("transactional", "203.0.113.20 203.0.113.21", ""),
        ("", "globex.example", "from"),
        ("", "bounce.globex.example", "bounce"),
    ],
}

# zone -> entries listed there (rbldnsd syntax; ":code:text" answers per entry)
LISTINGS = {
    "zen.spamhaus.org": [
        "198.51.100.7 :127.0.0.3:CSS listing, see https://check.spamhaus.org/",
        "203.0.113.21 :127.0.0.11:PBL",
    ],
    "bl.spamcop.net": ["198.51.100.7 :127.0.0.2:Blocked - see https://www.spamcop.net/bl.shtml?$"],
    "psbl.surriel.com": ["198.51.100.9"],
    "multi.uribl.com": ["acme-mail.example :127.0.0.4:grey listed"],
}
# Lists the demo resolver does not answer for, to show a failed health check (as Barracuda does for
# resolvers that have not registered with it).
SILENT = {"b.barracudacentral.org"}


def seed(*, stdout=None):
    for slug, rows in TARGETS.items():
        account = Account.objects.filter(slug=slug).first()
        if account is None or MonitoredTarget.objects.filter(account=account).exists():
            continue
        for stream, text, role in rows:
            services.targets_add(account=account, actor=None, text=text, stream_name=stream, role=role)
    MonitoredTarget.objects.filter(value="acme.example", dkim_selectors="").update(dkim_selectors="s1")
    MonitoredTarget.objects.filter(value="globex.example", dkim_selectors="").update(dkim_selectors="s2048")
    for slug in TARGETS:
        account = Account.objects.filter(slug=slug).first()
        if account is not None and not account.sweeps.exists():
            # the worker picks them up as soon as it starts: the pages show real answers at once
            services.sweep_request(account=account, trigger="schedule")
            auth_request(account=account, trigger="schedule")
    if stdout:
        stdout.write("Demo blocklist targets ready.")
