"""The engine's settings, and the resolvers the system would ask."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    nameservers: tuple[tuple[str, int], ...]
    window: int = 1000  # queries in flight at once, at most
    initial_window: int = 64  # where the congestion window starts (it grows while answers come back)
    min_window: int = 16
    burst: int = 64  # datagrams sent before reading answers again
    # Queries in flight to one list at once. 400: with the three or more lists a sweep asks, ``window`` is the
    # bound (3 x 400 > 1000), sized under the resolver's own limit (Unbound: num-queries-per-thread 1024 per
    # thread); at 200 three lists held the run to 600 (30,006 queries x 40 ms: 2.0 s instead of 1.2 s). What
    # public lists limit is volume (Spamhaus: queries per day), which concurrency does not change; one list
    # alone still gets at most 400 of a resolver thread's 1024. See README "Blocklist checks".
    per_zone: int = 400
    timeout: float = 2.0  # the longest wait for one attempt (the timer's ceiling)
    # Further attempts after the first (early ones are cheap: a few round trips); as many again, each waiting the
    # full timeout, while the nameservers answer queries of its list sent after the last (a busy path: sender.py).
    retries: int = 3
    # The shortest retransmission timer, the floor under ``srtt + max(4 rttvar, 2 srtt)`` (``timer.py``): Linux
    # TCP's 200 ms (RFC 6298 asks 1 s). A resolver or a proxy starved of CPU for longer than a few loopback
    # round trips answers late, not never; at 50 ms, through dnsdelay on a loaded host, ~950 of 31,500 answers
    # came after their timer (each a spurious retransmission and a "loss" that shrank the window: 30 backoffs);
    # at 100 ms (load 10 on 2 cores) ~100, at 200 ms ~15. A datagram lost in the middle of a run is found sooner,
    # by a later query's answer (``Timer.overtaken``); the floor is what the last ones of a run wait.
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
