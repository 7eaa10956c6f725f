"""Is a network target on the public internet? Asked before the portal connects to a host someone typed in
(a server-side request forgery guard): loopback, link-local, private, reserved, multicast and unspecified
addresses are not public, nor is a name that resolves to one of them. Stdlib ``ipaddress`` decides."""

import ipaddress
import socket


def is_public(address: str) -> bool:
    """One IP address (v4 or v6, an IPv4-mapped v6 judged as its v4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified
    )


def addresses(host: str) -> list[str]:
    """The addresses a host name or literal stands for now; [] when it does not resolve."""
    host = host.strip().strip("[]")
    try:
        return [str(ipaddress.ip_address(host.split("%", 1)[0]))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def non_public(host: str) -> list[str]:
    """The addresses of ``host`` that are not public ([] for a public host or one that does not resolve)."""
    return [address for address in addresses(host) if not is_public(address)]
