"""The DNS resolvers the portal asks, written as settings write them, and a dnspython resolver for them: one
place for the blocklist engine's nameserver flags, the sender-authentication checks, single sign-on's domain
verification and the outbound guard's lookups. ``dns.resolver`` is imported only when a resolver is made: it
brings dnspython's DNS-over-HTTPS stack (~0.2 s), which ``manage.py blocklist_check`` never needs."""


def parse(text: str, default_port: int) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address."""
    text = text.strip()
    if text.startswith("["):
        host, _sep, port = text[1:].partition("]")
        return host, int(port.lstrip(":") or default_port)
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, int(port)
    return text, default_port


def resolver(nameservers: list[tuple[str, int]], timeout: float = 3.0):
    """A resolver asking exactly these (host, port) pairs (one port for all: dnspython's), ``timeout`` seconds
    per try and twice that in all."""
    import dns.resolver

    found = dns.resolver.Resolver(configure=False)
    found.nameservers = [host for host, _port in nameservers]
    found.port = nameservers[0][1]
    found.timeout, found.lifetime = timeout, timeout * 2
    return found
