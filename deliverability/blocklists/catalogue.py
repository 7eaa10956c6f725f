"""The default blocklist catalogue ("key industry blocklists", shared/facts/dnsbl.md), seeded by a data
migration and edited in the admin afterwards. Meanings are English msgids, translated where shown.

MISSION: DLV-2. Retired lists are not shipped: SORBS (closed June 2024), NiXSpam, cbl.abuseat.org (now
inside Spamhaus XBL).
"""

from django.utils.translation import gettext_noop

SPAMHAUS_ERRORS = [
    {"code": "127.255.255.252", "meaning": gettext_noop("Spamhaus: typo in the zone name.")},
    {
        "code": "127.255.255.254",
        "meaning": gettext_noop("Spamhaus refused the query: it came through a public or open resolver."),
    },
    {"code": "127.255.255.255", "meaning": gettext_noop("Spamhaus refused the query: excessive query volume.")},
]
REFUSED = [{"code": "127.0.0.1", "meaning": gettext_noop("The list refused the query (blocked or public resolver).")}]

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
            {"code": "127.0.0.2", "meaning": gettext_noop("SBL: Spamhaus Block List (spam source)")},
            {"code": "127.0.0.3", "meaning": gettext_noop("CSS: snowshoe spam / low-reputation sending")},
            {"code": "127.0.0.4-127.0.0.7", "meaning": gettext_noop("XBL: exploited host (botnet, proxy, malware)")},
            {"code": "127.0.0.9", "meaning": gettext_noop("DROP: hijacked or criminal network")},
            {"code": "127.0.0.10", "meaning": gettext_noop("PBL: policy listing (ISP maintained)"), "policy": True},
            {
                "code": "127.0.0.11",
                "meaning": gettext_noop("PBL: policy listing (Spamhaus maintained)"),
                "policy": True,
            },
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
        "codes": [{"code": "127.0.0.2", "meaning": gettext_noop("Listed: poor sending reputation")}],
        "delist_url": "https://www.barracudacentral.org/rbl/removal-request",
        "notes": gettext_noop("Answers only resolvers registered with Barracuda; others get REFUSED or no answer."),
    },
    {
        "zone": "bl.spamcop.net",
        "name": "SpamCop",
        "operator": "Cisco Talos",
        "kind": "ip4",
        "importance": 2,
        "codes": [{"code": "127.0.0.2", "meaning": gettext_noop("Listed: reported by SpamCop users or spam traps")}],
        "delist_url": "https://www.spamcop.net/bl.shtml",
    },
    {
        "zone": "psbl.surriel.com",
        "name": "Passive Spam Block List",
        "operator": "Rik van Riel",
        "kind": "ip4",
        "importance": 3,
        "codes": [{"code": "127.0.0.2", "meaning": gettext_noop("Listed: sent mail to PSBL spam traps")}],
        "delist_url": "https://psbl.org/remove",
    },
    {
        "zone": "bl.mailspike.net",
        "name": "Mailspike",
        "operator": "Mailspike",
        "kind": "ip4",
        "importance": 2,
        "codes": [
            {"code": "127.0.0.2", "meaning": gettext_noop("Listed: spam source")},
            {"code": "127.0.0.10-127.0.0.14", "meaning": gettext_noop("Listed: poor to worst reputation")},
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
            {"code": "127.0.0.2", "meaning": gettext_noop("Listed: spam source (black)")},
            {"code": "127.0.0.3", "meaning": gettext_noop("Listed: exploited host")},
            {"code": "127.0.0.4", "meaning": gettext_noop("Listed: exploited host (botnet)")},
            {"code": "127.0.0.200", "meaning": gettext_noop("Listed: dynamic or residential range")},
            {"code": "127.0.0.11", "meaning": gettext_noop("Policy flag: generic reverse DNS"), "policy": True},
            {"code": "127.0.0.12", "meaning": gettext_noop("Policy flag: no reverse DNS"), "policy": True},
        ],
        "delist_url": "https://lookup.abusix.com/",
    },
    {
        "zone": "dnsbl-1.uceprotect.net",
        "name": "UCEPROTECT level 1",
        "operator": "UCEPROTECT",
        "kind": "ip4",
        "importance": 4,
        "codes": [{"code": "127.0.0.2", "meaning": gettext_noop("Listed: spam trap hits (level 1, single IP)")}],
        "delist_url": "https://www.uceprotect.net/en/rblcheck.php",
        "notes": gettext_noop("Informational: few large mailbox providers use it; listings expire on their own."),
    },
    {
        "zone": "all.spamrats.com",
        "name": "SpamRATS",
        "operator": "SpamRATS",
        "kind": "ip4",
        "importance": 3,
        "codes": [
            {
                "code": "127.0.0.36",
                "meaning": gettext_noop("RATS-Dyna: dynamic or generic reverse DNS"),
                "policy": True,
            },
            {"code": "127.0.0.37", "meaning": gettext_noop("RATS-NoPtr: no reverse DNS"), "policy": True},
            {"code": "127.0.0.38", "meaning": gettext_noop("RATS-Spam: spam source")},
            {"code": "127.0.0.43", "meaning": gettext_noop("RATS-Auth: authentication attacks")},
        ],
        "delist_url": "https://www.spamrats.com/removal.php",
    },
    {
        "zone": "ips.backscatterer.org",
        "name": "Backscatterer",
        "operator": "UCEPROTECT",
        "kind": "ip4",
        "importance": 4,
        "codes": [
            {"code": "127.0.0.2", "meaning": gettext_noop("Listed: sends backscatter (bounces to forged senders)")}
        ],
        "delist_url": "https://www.backscatterer.org/?target=test",
        "notes": gettext_noop("Informational: lists servers that bounce instead of rejecting."),
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
            {"code": "127.0.1.2", "meaning": gettext_noop("Spam domain")},
            {"code": "127.0.1.4", "meaning": gettext_noop("Phishing domain")},
            {"code": "127.0.1.5", "meaning": gettext_noop("Malware domain")},
            {"code": "127.0.1.6", "meaning": gettext_noop("Botnet command-and-control domain")},
            {"code": "127.0.1.102-127.0.1.106", "meaning": gettext_noop("Abused legitimate domain")},
        ],
        "errors": [
            *SPAMHAUS_ERRORS,
            {
                "code": "127.0.1.255",
                "meaning": gettext_noop("Spamhaus DBL: an IP address was queried on a domain list."),
            },
        ],
        "delist_url": "https://check.spamhaus.org/",
    },
    {
        "zone": "multi.surbl.org",
        "name": "SURBL multi",
        "operator": "SURBL",
        "kind": "domain",
        "importance": 2,
        "registered_domain": True,  # like URIBL: SURBL lists registered domains (surbl.org, "Lists")
        "bits": [
            {"bit": 8, "meaning": gettext_noop("Phishing")},
            {"bit": 16, "meaning": gettext_noop("Malware")},
            {"bit": 64, "meaning": gettext_noop("Abuse (spam)")},
            {"bit": 128, "meaning": gettext_noop("Cracked site")},
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
            {"bit": 2, "meaning": gettext_noop("URIBL black")},
            {"bit": 4, "meaning": gettext_noop("URIBL grey")},
            {"bit": 8, "meaning": gettext_noop("URIBL red")},
        ],
        "errors": REFUSED,
        "delist_url": "https://admin.uribl.com/",
    },
]
