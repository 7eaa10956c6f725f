"""A concurrent DNS lookup engine for blocklist checks, on dnspython's wire format.

MISSION: DLV-2. Why not ``dns.asyncresolver``: it spends about 0.25 ms of CPU per query (a message
object, a future and a socket per query); a blocklist sweep is tens of thousands of A queries whose
answers are nearly all NXDOMAIN. This engine keeps a few UDP sockets open, keeps up to ``window``
queries in flight (and at most ``per_zone`` for any one list, out of politeness), retransmits on an
adaptive timer (RFC 6298-style, Karn's rule, at least three round trips, a 200 ms floor), falls back
to TCP when an answer is truncated, and decides NXDOMAIN from the 12-byte header. An answer of one A
or TXT record is read from the wire; other answers that carry records are parsed by dnspython. Names may
be given in wire form (``encode_name``'s bytes), so a caller asking thousands of names under a few zones
encodes each part once.

Replies are accepted only from the nameserver asked, on the socket asked from, with the query's random
ID and the same question section.

The parts, each tested alone with a fake clock and fake sockets: ``batch.py`` (one call's queries by
zone, and their answers), ``sender.py`` (what goes out next, where, with which ID), ``receiver.py``
(which datagrams are answers, and what they say), ``timer.py`` (the retransmission timer),
``congestion.py`` (the window), ``paths.py`` (what runs learnt about the nameservers), and ``loop.py``
(the ``Engine`` that drives them, and TCP for truncated answers).
"""

from .config import Settings, system_nameservers
from .loop import Engine
from .paths import PATHS, PathMemory, PathMetrics
from .query import Query, encode_name
from .receiver import NXDOMAIN

__all__ = [
    "NXDOMAIN",
    "PATHS",
    "Engine",
    "PathMemory",
    "PathMetrics",
    "Query",
    "Settings",
    "encode_name",
    "system_nameservers",
]
