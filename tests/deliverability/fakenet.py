"""A fake clock, fake UDP sockets and a fake network of nameservers, for the engine's parts and its loop.

No real socket, no sleeping: time passes only when the engine waits for answers (``FakeNetwork.ready``),
and only up to the next reply due or the end of the wait, whichever comes first.
"""

import heapq
from collections import deque

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

from deliverability.engine.sockets import Slot


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeSocket:
    """A non-blocking UDP socket: ``sent`` records what went out, ``inbox`` holds what ``recvfrom`` returns.

    ``error`` (an OSError) is raised by every send; ``room`` is how many more datagrams the send buffer
    takes before ``BlockingIOError`` (None: no limit). An OSError put in the inbox is raised when read.
    """

    def __init__(self, network=None):
        self.network = network
        self.sent: list[tuple[bytes, tuple]] = []
        self.inbox: deque = deque()
        self.error: OSError | None = None
        self.room: int | None = None
        self.closed = False

    def sendto(self, data: bytes, address) -> int:
        if self.error is not None:
            raise self.error
        if self.room is not None:
            if self.room == 0:
                raise BlockingIOError(11, "Resource temporarily unavailable")
            self.room -= 1
        self.sent.append((data, address))
        if self.network is not None:
            self.network.carry(self, data, address)
        return len(data)

    def recvfrom(self, size: int):
        if not self.inbox:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        item = self.inbox.popleft()
        if isinstance(item, OSError):
            raise item
        return item

    def close(self) -> None:
        self.closed = True


def reply_to(wire: bytes, *, rcode=dns.rcode.NXDOMAIN, address: str | None = None, tc: bool = False) -> bytes:
    """The nameserver's answer to a query: ``rcode``, or NOERROR with an A record ``address`` (a TXT record
    naming it, to a TXT question); TC if asked."""
    query = dns.message.from_wire(wire)
    response = dns.message.make_response(query)
    question = query.question[0]
    if address and question.rdtype == dns.rdatatype.TXT:  # a listing's reason
        response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "TXT", f'"listed as {address}"'))
    elif address:
        response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "A", address))
    else:
        response.set_rcode(rcode)
    if tc:
        response.flags |= dns.flags.TC
    return response.to_wire()


def qname(wire: bytes) -> str:
    return str(dns.message.from_wire(wire).question[0].name).rstrip(".")


class FakeNetwork:
    """Nameservers that answer NXDOMAIN (127.0.0.2 for ``listed`` names) ``rtt`` seconds after each query.

    Pass the instance as the engine's ``sockets`` factory. ``dead`` nameservers never answer; ``lose(name,
    n)`` says whether the answer to the n-th query for ``name`` (1 for the first) is lost. ``sends[name]``
    counts the queries per name, ``asked[name]`` lists the nameservers asked in order.
    """

    def __init__(
        self, clock: FakeClock, *, rtt=0.01, listed=(), dead=(), lose=lambda name, n: False, rate=None, buffer=None
    ):
        self.clock, self.rtt, self.listed, self.dead, self.lose = clock, rtt, set(listed), set(dead), lose
        self.rate, self.buffer = rate, buffer  # a bottleneck: ``rate`` queries/s, ``buffer`` waiting at most
        self.busy_until = float("-inf")  # when the bottleneck has served the queries waiting for it
        self.overflowed = 0
        self.sends: dict[str, int] = {}
        self.asked: dict[str, list] = {}
        self.slots: list[Slot] = []
        self._due: list = []  # (due, seq, socket, reply, server)
        self._seq = 0
        self.closed = False

    def __call__(self, settings):
        servers = [server for server in settings.nameservers for _socket in range(settings.sockets)]
        self.slots = [Slot(FakeSocket(self), server) for server in servers]
        return self

    def carry(self, sock: FakeSocket, wire: bytes, server) -> None:
        name = qname(wire)
        self.sends[name] = self.sends.get(name, 0) + 1
        self.asked.setdefault(name, []).append(server)
        if server in self.dead or self.lose(name, self.sends[name]):
            return
        served = self._served()
        if served is None:
            self.overflowed += 1
            return
        reply = reply_to(wire, address="127.0.0.2" if name in self.listed else None)
        self._seq += 1
        heapq.heappush(self._due, (served + self.rtt, self._seq, sock, reply, server))

    def _served(self) -> float | None:
        """When the bottleneck has served a query arriving now (now, without one); None: its buffer is full."""
        now = self.clock.now
        if self.rate is None:
            return now
        waiting = (self.busy_until - now) * self.rate
        if waiting >= self.buffer:
            return None
        self.busy_until = max(now, self.busy_until) + 1 / self.rate
        return self.busy_until

    def ready(self, timeout: float) -> list[Slot]:
        """Let time pass until a reply arrives or ``timeout`` ends; the slots with replies waiting."""
        if not self._waiting() and timeout > 0:
            until = self.clock.now + timeout
            if self._due:
                until = min(until, self._due[0][0])
            self.clock.now = max(self.clock.now, until)
        while self._due and self._due[0][0] <= self.clock.now:
            _due, _seq, sock, reply, server = heapq.heappop(self._due)
            sock.inbox.append((reply, server))
        return self._waiting()

    def _waiting(self) -> list[Slot]:
        return [slot for slot in self.slots if slot.sock.inbox]

    def close(self) -> None:
        self.closed = True
