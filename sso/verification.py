"""Is a domain's TXT record there? ``tam-portal-sso=<token>`` at the domain proves that whoever runs the
domain's DNS asked for this connection. Asked of the resolver the sender-authentication checks use
(``AUTH_NAMESERVERS``, else ``BLOCKLIST_NAMESERVERS``, else the system's), with their timeout."""

import dns.exception
import dns.resolver
from django.conf import settings

from core import nameservers


def resolver() -> dns.resolver.Resolver:
    servers = list(settings.AUTH_NAMESERVERS or getattr(settings, "BLOCKLIST_NAMESERVERS", []) or [])
    if not servers:
        return dns.resolver.Resolver()
    port = int(getattr(settings, "BLOCKLIST_PORT", 53) or 53)
    return nameservers.resolver([nameservers.parse(server, port) for server in servers], settings.AUTH_TIMEOUT)


def txt_values(domain: str) -> list[str]:
    """The domain's TXT records, each as one string (its chunks joined); [] when none or no answer."""
    try:
        answer = resolver().resolve(domain, "TXT", search=False)
    except (dns.exception.DNSException, ValueError):
        return []
    return [b"".join(rdata.strings).decode(errors="replace") for rdata in answer]


def has_record(domain: str, expected: str) -> bool:
    return any(value.strip() == expected for value in txt_values(domain))
