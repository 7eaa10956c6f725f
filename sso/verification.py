"""Is a domain's TXT record there? ``tam-portal-sso=<token>`` at the domain proves that whoever runs the
domain's DNS asked for this connection. Asked of the resolver the sender-authentication checks use
(``AUTH_NAMESERVERS``, else ``BLOCKLIST_NAMESERVERS``, else the system's), with their timeout."""

import dns.exception
import dns.resolver
from django.conf import settings


def _pair(server: str) -> tuple[str, int]:
    if server.count(":") == 1:
        host, port = server.split(":")
        return host, int(port)
    return server, int(getattr(settings, "BLOCKLIST_PORT", 53) or 53)


def resolver() -> dns.resolver.Resolver:
    servers = list(settings.AUTH_NAMESERVERS or getattr(settings, "BLOCKLIST_NAMESERVERS", []) or [])
    if not servers:
        return dns.resolver.Resolver()
    pairs = [_pair(server) for server in servers]
    found = dns.resolver.Resolver(configure=False)
    found.nameservers, found.port = [host for host, _port in pairs], pairs[0][1]
    found.timeout, found.lifetime = settings.AUTH_TIMEOUT, settings.AUTH_TIMEOUT * 2
    return found


def txt_values(domain: str) -> list[str]:
    """The domain's TXT records, each as one string (its chunks joined); [] when none or no answer."""
    try:
        answer = resolver().resolve(domain, "TXT", search=False)
    except (dns.exception.DNSException, ValueError):
        return []
    return [b"".join(rdata.strings).decode(errors="replace") for rdata in answer]


def has_record(domain: str, expected: str) -> bool:
    return any(value.strip() == expected for value in txt_values(domain))
