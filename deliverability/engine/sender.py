"""The sender: which query goes out next, to which nameserver, on which socket, with which ID.

Retransmissions go first, each to the next nameserver that can still be reached; then new queries in the
batch's order (round-robin by zone, at most ``per_zone`` of one zone in flight: ``batch.py``), spread over the
nameservers in turn and over each one's sockets. The congestion window bounds what is in flight, and at most
``burst`` datagrams go out before the loop reads answers again, so answers are not left waiting in the socket
buffers. Once a round trip is measured, sends are paced: a window is spread over the round trip (``wait``), so
a queue on the path is not filled in one burst. A last attempt lost while the nameservers answered queries of
its list sent after it is asked again (``_lost_on_a_live_path``). Each query gets a random ID not in flight on its
socket (the ID and the source port are what make a forged answer hard to guess). A send that fails marks its
nameserver unusable for the rest of the run; a query with no usable nameserver left fails with the last error.
"""

import os
import struct
from collections import deque
from collections.abc import Callable

from ..blocklists.dnsbl import Answer
from .batch import Batch
from .config import Settings
from .congestion import CongestionControl
from .query import Query
from .sockets import Slot
from .timer import Timer

_HEADER = struct.Struct("!HHHHHH")
_RD = 0x0100
_IDS = struct.Struct("!2048H")
TIMEOUT = Answer(failure="timeout")
PACE_AT_LEAST = 0.0005  # a pause shorter than this is not worth a wait for answers: send on
PACE_SLACK = 1e-6  # a datagram due this soon goes now (a wait that short is no wait)


class PooledRandom:
    """Query IDs from the system's random source (``os.urandom``, as ``random.SystemRandom`` reads it), 4 KiB
    at a time: one system call per 2,048 IDs, not one per ID (~1.2 us each: 40 ms of CPU of a 30,000-query
    ``manage.py blocklist_check``). One pool per engine run; the IDs are as unpredictable as before."""

    __slots__ = ("_ids",)

    def __init__(self):
        self._ids: list[int] = []

    def getrandbits(self, bits: int) -> int:
        if bits != 16:
            raise ValueError("query IDs are 16 bits")
        if not self._ids:
            self._ids = list(_IDS.unpack(os.urandom(_IDS.size)))
        return self._ids.pop()


class Sender:
    __slots__ = (
        "settings", "slots", "servers", "per_server", "batch", "timer", "congestion", "stats", "getrandbits",
        "retry", "unusable", "last_error", "turn", "next_at",
    )  # fmt: skip

    def __init__(
        self,
        settings: Settings,
        slots: list[Slot],
        batch: Batch,
        timer: Timer,
        congestion: CongestionControl,
        stats: dict[str, int],
        getrandbits: Callable[[int], int] | None = None,
    ):
        self.settings, self.slots, self.batch, self.timer = settings, slots, batch, timer
        self.congestion, self.stats = congestion, stats
        self.getrandbits = getrandbits or PooledRandom().getrandbits
        self.servers = len(settings.nameservers)
        self.per_server = len(slots) // self.servers
        self.retry: deque[Query] = deque()  # timed out, or not sent: waiting for room in the window
        self.unusable: set[int] = set()  # nameservers a send to failed, this run
        self.last_error = ""
        self.turn = 0
        self.next_at = float("-inf")  # pacing: no datagram before then

    def send(self, now: float) -> bool:
        """Send while the window allows, at most ``burst``; True when there is more to send at once."""
        if self.next_at - now > PACE_SLACK:
            return False
        congestion, retry, active = self.congestion, self.retry, self.batch.active
        following, usable, transmit = self.batch.next, self._usable, self._transmit
        burst, sent = self.settings.burst, 0
        while congestion.inflight < congestion.cwnd and sent < burst and (retry or active):
            if retry:
                query = retry.popleft()
                server_no = usable(query.server_no + 1)  # a retransmission asks the next nameserver
            else:
                query = following()
                server_no = usable(self.turn)
                self.turn += 1
            if server_no is None:
                self.batch.finish(query, Answer(failure=f"network: {self.last_error}"))
                continue
            outcome = transmit(query, server_no, now)
            if outcome is None:  # the socket buffer is full: read answers, and try again in a moment, not at once
                self.next_at = now + PACE_AT_LEAST
                break
            sent += outcome
        self.stats["sent"] += sent
        if sent and self.timer.srtt:
            pause = sent * self.timer.srtt / (congestion.cwnd * congestion.pacing_gain())
            if pause >= PACE_AT_LEAST:  # through a slow path: the next datagrams wait their turn
                # From now, not from when they were due: making up a wait that ran long (up to an eighth of a
                # round trip, as was tried) sent bigger bursts, and through a full queue some queries timed out.
                self.next_at = max(self.next_at, now + pause)
        if self.next_at > now:
            return False
        return sent >= burst or (congestion.inflight < congestion.cwnd and bool(retry or active))

    def wait(self, now: float) -> float:
        """How long until pacing lets the next datagram go (0: now), if there is one the window has room for."""
        if self.congestion.inflight >= self.congestion.cwnd or not (self.retry or self.batch.active):
            return float("inf")
        return max(0.0, self.next_at - now)

    def expire(self, query: Query) -> None:
        """The query's timer ran out: forget its ID, count it lost, and send it again or give up. A query
        already handed back (two deadlines of one attempt due in the same turn: the re-arm after the first
        round trip keeps the old one) is left as it is."""
        if query.qid is None:
            return
        query.slot.table.pop(query.qid, None)
        query.qid = None
        self.congestion.on_loss(query.sent)
        if query.attempt < self.settings.retries or self._lost_on_a_live_path(query):
            query.attempt += 1
            self.stats["retransmits"] += 1
            self.retry.append(query)
        else:
            self.batch.finish(query, TIMEOUT)

    def _lost_on_a_live_path(self, query: Query) -> bool:
        """Whether the last attempt (or one of as many again) went unanswered while the nameservers answered
        queries of the same zone sent after it: the datagram was lost on a busy path (a resolver's or a router's
        full queue drops what arrives while it is full, again and again on a congested path), not left
        unanswered. It is asked again, each time waiting the full ``timeout``; "No answer" is for names nothing
        answers. A list that answers nothing (its servers down behind the resolver) is judged by its own
        answers, not the other lists': its queries end after the usual attempts."""
        if query.attempt >= 2 * self.settings.retries + 1:
            return False
        return self.timer.newest_in_zone.get(query.zone, float("-inf")) > query.sent

    def _usable(self, preferred: int) -> int | None:
        servers = self.servers
        if not self.unusable:
            return preferred % servers
        for step in range(servers):
            candidate = (preferred + step) % servers
            if candidate not in self.unusable:
                return candidate
        return None

    def _transmit(self, query: Query, server_no: int, now: float) -> int | None:
        """1: sent; 0: this nameserver cannot be reached (the query waits for another); None: buffer full."""
        slot = self.slots[server_no * self.per_server + (self.turn // self.servers) % self.per_server]
        table = slot.table
        qid = self.getrandbits(16)
        while qid in table:
            qid = self.getrandbits(16)
        try:
            slot.sock.sendto(_HEADER.pack(qid, _RD, 1, 0, 0, 0) + query.question, slot.server)
        except (BlockingIOError, InterruptedError):
            self.retry.appendleft(query)
            return None
        except OSError as exc:  # no route, no IPv6 here...: ask the other nameservers
            self.unusable.add(server_no)
            self.last_error = exc.strerror or str(exc)
            query.server_no = server_no
            self.retry.appendleft(query)
            return 0
        query.slot, query.qid, query.sent, query.server_no = slot, qid, now, server_no
        table[qid] = query
        self.congestion.inflight += 1
        self.timer.arm(query, now)
        return 1
