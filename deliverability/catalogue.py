"""The default blocklist catalogue ("key industry blocklists", shared/facts/dnsbl.md), seeded by a data
migration and edited in the admin afterwards. Meanings are English msgids, translated where shown.

MISSION: DLV-2. Retired lists are not shipped: SORBS (closed June 2024), NiXSpam, cbl.abuseat.org (now
inside Spamhaus XBL).
"""

from django.utils.translation import gettext_noop as N_

SPAMHAUS_ERRORS = [
    {"code": "127.255.255.252", "meaning": N_("Spamhaus: typo in the zone name.")},
    {
        "code": "127.255.255.254",
        "meaning": N_("Spamhaus refused the query: it came through a public or open resolver."),
    },
    {"code": "127.255.255.255", "meaning": N_("Spamhaus refused the query: excessive query volume.")},
]
REFUSED = [{"code": "127.0.0.1", "meaning": N_("The list refused the query (blocked or public resolver).")}]

# importance: 1 = used by major mailbox providers, 2 = widely used, 3 = regional/secondary, 4 = informational
DEFAULT_CATALOGUE = [
    {
        "zone": "zen.spamhaus.org",
        "name": "Spamhaus ZEN",
        "operator": "Spamhaus",
        "kind": "ip4",
        "ipv6": True,
        "importance": 1,
        "key_name": "spamhaus_dqs",
        "keyed_zone": "{key}.zen.dq.spamhaus.net",
        "codes": [
            {"code": "127.0.0.2", "meaning": N_("SBL: Spamhaus Block List (spam source)")},
            {"code": "127.0.0.3", "meaning": N_("CSS: snowshoe spam / low-reputation sending")},
            {"code": "127.0.0.4-127.0.0.7", "meaning": N_("XBL: exploited host (botnet, proxy, malware)")},
            {"code": "127.0.0.9", "meaning": N_("DROP: hijacked or criminal network")},
            {"code": "127.0.0.10", "meaning": N_("PBL: policy listing (ISP maintained)"), "policy": True},
            {"code": "127.0.0.11", "meaning": N_("PBL: policy listing (Spamhaus maintained)"), "policy": True},
        ],
        "errors": SPAMHAUS_ERRORS,
        "delist_url": "https://check.spamhaus.org/",
    },
    {
        "zone": "b.barracudacentral.org",
        "name": "Barracuda Reputation Block List",
        "operator": "Barracuda Networks",
        "kind": "ip4",
        "importance": 1,
        "codes": [{"code": "127.0.0.2", "meaning": N_("Listed: poor sending reputation")}],
        "delist_url": "https://www.barracudacentral.org/rbl/removal-request",
        "notes": N_("Answers only resolvers registered with Barracuda; others get REFUSED or no answer."),
    },
    {
        "zone": "bl.spamcop.net",
        "name": "SpamCop",
        "operator": "Cisco Talos",
        "kind": "ip4",
        "importance": 2,
        "codes": [{"code": "127.0.0.2", "meaning": N_("Listed: reported by SpamCop users or spam traps")}],
        "delist_url": "https://www.spamcop.net/bl.shtml",
    },
    {
        "zone": "psbl.surriel.com",
        "name": "Passive Spam Block List",
        "operator": "Rik van Riel",
        "kind": "ip4",
        "importance": 3,
        "codes": [{"code": "127.0.0.2", "meaning": N_("Listed: sent mail to PSBL spam traps")}],
        "delist_url": "https://psbl.org/remove",
    },
    {
        "zone": "bl.mailspike.net",
        "name": "Mailspike",
        "operator": "Mailspike",
        "kind": "ip4",
        "importance": 2,
        "codes": [
            {"code": "127.0.0.2", "meaning": N_("Listed: spam source")},
            {"code": "127.0.0.10-127.0.0.14", "meaning": N_("Listed: poor to worst reputation")},
        ],
        "delist_url": "https://mailspike.org/anubis/lookup.html",
    },
    {
        "zone": "combined.mail.abusix.zone",
        "name": "Abusix Mail Intelligence (combined)",
        "operator": "Abusix",
        "kind": "ip4",
        "ipv6": True,
        "importance": 2,
        "key_name": "abusix",
        "keyed_zone": "{key}.combined.mail.abusix.zone",
        "requires_key": True,
        "codes": [
            {"code": "127.0.0.2", "meaning": N_("Listed: spam source (black)")},
            {"code": "127.0.0.3", "meaning": N_("Listed: exploited host")},
            {"code": "127.0.0.4", "meaning": N_("Listed: exploited host (botnet)")},
            {"code": "127.0.0.200", "meaning": N_("Listed: dynamic or residential range")},
            {"code": "127.0.0.11", "meaning": N_("Policy flag: generic reverse DNS"), "policy": True},
            {"code": "127.0.0.12", "meaning": N_("Policy flag: no reverse DNS"), "policy": True},
        ],
        "delist_url": "https://lookup.abusix.com/",
    },
    {
        "zone": "dnsbl-1.uceprotect.net",
        "name": "UCEPROTECT level 1",
        "operator": "UCEPROTECT",
        "kind": "ip4",
        "importance": 4,
        "codes": [{"code": "127.0.0.2", "meaning": N_("Listed: spam trap hits (level 1, single IP)")}],
        "delist_url": "https://www.uceprotect.net/en/rblcheck.php",
        "notes": N_("Informational: few large mailbox providers use it; listings expire on their own."),
    },
    {
        "zone": "all.spamrats.com",
        "name": "SpamRATS",
        "operator": "SpamRATS",
        "kind": "ip4",
        "importance": 3,
        "codes": [
            {"code": "127.0.0.36", "meaning": N_("RATS-Dyna: dynamic or generic reverse DNS"), "policy": True},
            {"code": "127.0.0.37", "meaning": N_("RATS-NoPtr: no reverse DNS"), "policy": True},
            {"code": "127.0.0.38", "meaning": N_("RATS-Spam: spam source")},
            {"code": "127.0.0.43", "meaning": N_("RATS-Auth: authentication attacks")},
        ],
        "delist_url": "https://www.spamrats.com/removal.php",
    },
    {
        "zone": "ips.backscatterer.org",
        "name": "Backscatterer",
        "operator": "UCEPROTECT",
        "kind": "ip4",
        "importance": 4,
        "codes": [{"code": "127.0.0.2", "meaning": N_("Listed: sends backscatter (bounces to forged senders)")}],
        "delist_url": "https://www.backscatterer.org/?target=test",
        "notes": N_("Informational: lists servers that bounce instead of rejecting."),
    },
    {
        "zone": "dbl.spamhaus.org",
        "name": "Spamhaus DBL",
        "operator": "Spamhaus",
        "kind": "domain",
        "importance": 1,
        "key_name": "spamhaus_dqs",
        "keyed_zone": "{key}.dbl.dq.spamhaus.net",
        "codes": [
            {"code": "127.0.1.2", "meaning": N_("Spam domain")},
            {"code": "127.0.1.4", "meaning": N_("Phishing domain")},
            {"code": "127.0.1.5", "meaning": N_("Malware domain")},
            {"code": "127.0.1.6", "meaning": N_("Botnet command-and-control domain")},
            {"code": "127.0.1.102-127.0.1.106", "meaning": N_("Abused legitimate domain")},
        ],
        "errors": [
            *SPAMHAUS_ERRORS,
            {"code": "127.0.1.255", "meaning": N_("Spamhaus DBL: an IP address was queried on a domain list.")},
        ],
        "delist_url": "https://check.spamhaus.org/",
    },
    {
        "zone": "multi.surbl.org",
        "name": "SURBL multi",
        "operator": "SURBL",
        "kind": "domain",
        "importance": 2,
        "bits": [
            {"bit": 8, "meaning": N_("Phishing")},
            {"bit": 16, "meaning": N_("Malware")},
            {"bit": 64, "meaning": N_("Abuse (spam)")},
            {"bit": 128, "meaning": N_("Cracked site")},
        ],
        "errors": REFUSED,
        "delist_url": "https://surbl.org/surbl-analysis",
    },
    {
        "zone": "multi.uribl.com",
        "name": "URIBL multi",
        "operator": "URIBL",
        "kind": "domain",
        "importance": 2,
        "registered_domain": True,
        "bits": [
            {"bit": 2, "meaning": N_("URIBL black")},
            {"bit": 4, "meaning": N_("URIBL grey")},
            {"bit": 8, "meaning": N_("URIBL red")},
        ],
        "errors": REFUSED,
        "delist_url": "https://admin.uribl.com/",
    },
]
