"""Is a network target on the public internet? Asked before the portal connects to a host someone typed in
(a server-side request forgery guard, ASVS V12.6.1 / V5.2.6): loopback, link-local, private, reserved,
multicast and unspecified addresses are not public, nor is a name that resolves to one of them. Stdlib
``ipaddress`` decides.

Checking a name and then connecting to it resolves it twice, and the second answer may differ (DNS
rebinding: a short TTL, first a public address, then 127.0.0.1 or 169.254.169.254). So a connection is made
with ``pin()``: the name is resolved once, every address is checked, and the caller connects to the address
that was checked (``PinnedHTTPHandler``/``PinnedHTTPSHandler`` for urllib, keeping the name for the Host
header, SNI and the certificate check; every redirect goes through them again).

Names are resolved by the system resolver, or by ``settings.NETGUARD_NAMESERVERS`` (``["host:port", ...]``)
when set (a resolver of your choice; the tests' dnsmasq), or by the ``nameservers`` a caller passes (the
sender-authentication checks resolve a policy host with the resolver they asked for its DNS records)."""

import functools
import http.client
import ipaddress
import socket
import urllib.request
from urllib.parse import urlsplit

import dns.exception
import dns.resolver
from django.conf import settings

from .nameservers import parse
from .nameservers import resolver as nameservers_resolver


class NotPublic(ValueError):
    """``host`` resolves to addresses that are not public (``internal``) and are not allowed."""

    def __init__(self, host: str, internal: list[str]):
        super().__init__(f"{host} resolves to non-public {', '.join(internal)}")
        self.host, self.internal = host, internal


def is_public(address: str) -> bool:
    """One IP address (v4 or v6, an IPv4-mapped v6 judged as its v4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified
    )


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        return None


def _nameservers() -> list[tuple[str, int]]:
    return [parse(entry, 53) for entry in getattr(settings, "NETGUARD_NAMESERVERS", []) or []]


def _dns(host: str, nameservers: list[tuple[str, int]]) -> list[str]:
    resolver = nameservers_resolver(nameservers, timeout=2.0)
    found = []
    for rdtype in ("A", "AAAA"):
        try:
            found += [rdata.address for rdata in resolver.resolve(host, rdtype, search=False)]
        except (dns.exception.DNSException, ValueError):
            continue
    return found


def addresses(host: str, nameservers: list[tuple[str, int]] | None = None) -> list[str]:
    """The addresses a host name or literal stands for now; [] when it does not resolve."""
    host = host.strip().strip("[]")
    literal = _literal(host)
    if literal is not None:
        return [literal]
    nameservers = nameservers or _nameservers()
    if nameservers:
        return sorted(set(_dns(host, nameservers)))
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def allowed(address: str, *, allow_private: bool = False, networks=()) -> bool:
    """Public, or allowed: all addresses (``allow_private``) or those in one of ``networks`` (CIDR strings)."""
    if allow_private or is_public(address):
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip in ipaddress.ip_network(net, strict=False) for net in networks)


def non_public(host: str, *, networks=()) -> list[str]:
    """The addresses of ``host`` that are not public nor in ``networks`` ([] for a public host or one that does
    not resolve)."""
    return [address for address in addresses(host) if not allowed(address, networks=networks)]


def pin(host: str, *, allow_private: bool = False, networks=(), nameservers=None) -> str:
    """Resolve ``host`` once (with ``nameservers``, [(host, port)], when given) and return the address to
    connect to. Raises ``NotPublic`` when any address it resolves to is not allowed (one bad address is
    enough: the client could pick it), ``socket.gaierror`` when it does not resolve."""
    found = addresses(host, nameservers)
    if not found:
        raise socket.gaierror(socket.EAI_NONAME, f"{host} does not resolve")
    refused = [address for address in found if not allowed(address, allow_private=allow_private, networks=networks)]
    if refused:
        raise NotPublic(host, refused)
    return next((a for a in found if ":" not in a), found[0])  # IPv4 first: the host may have no IPv6 route


# --- urllib: connect to the checked address, keep the name -----------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, address: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._pinned = address

    def connect(self):
        self.sock = socket.create_connection((self._pinned, self.port), self.timeout, self.source_address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, address: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._pinned = address

    def connect(self):
        sock = socket.create_connection((self._pinned, self.port), self.timeout, self.source_address)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # SNI and certificate: the name


class _Pinning:
    def __init__(self, *, allow_private: bool = False, networks=(), nameservers=None, **kwargs):
        super().__init__(**kwargs)
        self.allow_private, self.networks, self.nameservers = allow_private, tuple(networks), nameservers

    def _pinned(self, req, connection):
        host = urlsplit(req.full_url).hostname or ""
        address = pin(host, allow_private=self.allow_private, networks=self.networks, nameservers=self.nameservers)
        return functools.partial(connection, address=address)


class PinnedHTTPHandler(_Pinning, urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(self._pinned(req, _PinnedHTTPConnection), req)


class PinnedHTTPSHandler(_Pinning, urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(self._pinned(req, _PinnedHTTPSConnection), req, context=self._context)


def opener(*, allow_private: bool = False, networks=(), redirects=None) -> urllib.request.OpenerDirector:
    """A urllib opener for http(s) only that reaches allowed addresses only, each request and each redirect
    resolved once and pinned. No proxy (one would resolve the name again, out of our sight), no ftp or file."""
    rules = {"allow_private": allow_private, "networks": networks}
    director = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.UnknownHandler(),
        PinnedHTTPHandler(**rules),
        PinnedHTTPSHandler(**rules),
        urllib.request.HTTPDefaultErrorHandler(),
        redirects or urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        director.add_handler(handler)
    return director
