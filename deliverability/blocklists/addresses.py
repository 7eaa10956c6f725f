"""What may be monitored, and how it is shown: addresses that never send on the internet are refused, an
IDN domain is shown in Unicode. MISSION: DLV-2. (Parsing and query names: ``dnsbl``.)"""

import ipaddress

import idna
from django.utils.translation import gettext  # said to the person typing, at once

from .dnsbl import TargetError

# Networks for local use only: an address in one never sends mail on the internet (RFC 1918, 6598, 3927,
# 4193, 4291). Documentation (RFC 5737, 3849) and benchmarking (RFC 2544) ranges are not refused: they are
# not global either, but the examples, the demo and the tests live there.
LOCAL_ONLY = tuple(
    ipaddress.ip_network(n)
    for n in ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12")
    + ("192.168.0.0/16", "::/127", "fc00::/7", "fe80::/10", "fec0::/10")
)


def require_public(text: str) -> None:
    """Refuse an address or network that never sends mail on the internet: 0.0.0.0, 10/8, 127/8,
    fe80::/10, 255.255.255.255, multicast, reserved (``ipaddress``'s properties and ``LOCAL_ONLY``)."""
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return  # a domain (or something parse_target refuses with its own words)
    mapped = network.network_address.ipv4_mapped if network.version == 6 else None
    if mapped is not None:
        network = ipaddress.ip_network(f"{mapped}/{max(network.prefixlen - 96, 0)}", strict=False)
    ends = (network.network_address, network.broadcast_address)
    local = any(network.overlaps(n) for n in LOCAL_ONLY if n.version == network.version)
    if local or any(a.is_multicast or a.is_reserved or a.is_unspecified or a.is_loopback for a in ends):
        raise TargetError(
            gettext("“%(text)s” is not a public address: it never sends mail on the internet.") % {"text": text.strip()}
        )


def display_domain(value: str) -> str:
    """A domain as people write it: ``xn--bcher-kva.example`` -> ``bücher.example`` (IDNA 2008)."""
    if "xn--" not in value:
        return value
    try:
        return idna.decode(value)
    except (idna.IDNAError, UnicodeError, ValueError):
        return value
