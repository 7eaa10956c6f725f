"""The engine's settings, and the resolvers the system would ask."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    nameservers: tuple[tuple[str, int], ...]
    window: int = 1000  # queries in flight at once, at most
    initial_window: int = 64  # where the congestion window starts (it grows while answers come back)
    min_window: int = 16
    burst: int = 64  # datagrams sent before reading answers again
    per_zone: int = 200  # queries in flight to one list at once
    timeout: float = 2.0  # the longest wait for one attempt
    retries: int = 3  # further attempts after the first (early ones are cheap: a few round trips)
    # The shortest retransmission timer: Linux TCP's 200 ms (RFC 6298 asks 1 s). A resolver or a proxy
    # starved of CPU for longer than a few loopback round trips answers late, not never; at 50 ms, through
    # dnsdelay on a loaded host, ~950 of 31,500 answers came after their timer (each a spurious retransmission
    # and a "loss" that shrank the window: 30 backoffs); at 200 ms, ~150. A datagram really lost costs 0.2 s.
    min_rto: float = 0.2
    sockets: int = 4  # UDP sockets (source ports) per nameserver


def system_nameservers() -> list[str]:
    """The resolvers in /etc/resolv.conf, as dnspython reads them. Imported here, not at the top:
    ``dns.resolver`` brings dnspython's DNS-over-HTTPS stack (~0.2 s), which a check given its
    nameservers never needs (``manage.py blocklist_check --nameserver``, a whole process). MISSION: DLV-2"""
    import dns.resolver

    try:
        return [str(ns) for ns in dns.resolver.Resolver().nameservers]
    except dns.resolver.NoResolverConfiguration:
        return ["127.0.0.1"]
