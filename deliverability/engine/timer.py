"""The retransmission timer: how long to wait for an answer, and which queries waited long enough.

RFC 6298-style. The round-trip time is smoothed (``srtt``) with its variation (``rttvar``) from answers to
first attempts only (Karn's rule: an answer to a resent query may answer either send; the receiver only
samples first attempts). Before the first measurement a query waits 1 s (RFC 6298 s.2.1), capped by the
settings' ``timeout``; the first measurement re-arms the attempts still waiting on that guess, so a health
probe lost at the start of a process waits a few round trips, not a second. A first attempt waits
``srtt + max(4 rttvar, 2 srtt)``: three round trips at least (a path's jitter widens it), never under
``min_rto`` (the floor, 200 ms: a host's stalls), never over ``timeout`` (the ceiling); each retry waits twice
the one before, and the last attempt the full ``timeout``, so a slow resolver (a recursive lookup) still gets
its chance. No clock inside: every call is given ``now``.

A lost query is also found before its timer runs out, as TCP's RACK does (RFC 8985): once an answer has
come to a query sent after it, an attempt still unanswered ``srtt + 4 rttvar`` (at least ``2 srtt``)
after it was sent is lost (``overtaken``). A resolver's or a proxy's full receive buffer drops queries
while it keeps answering the ones it took: on loopback, where the round trip is a fraction of a
millisecond, each of those waited for the 200 ms floor (1,200-1,900 of 30,000 queries on a loaded host).
The variation term is the reordering allowed: answers that a jittery path delivers out of order are not
lost, and a resolver starved of CPU answers nothing at all meanwhile, so nothing is overtaken. The last
attempt is never declared lost this way: it waits its full ``timeout``. Nor is a second retry: a query lost
twice is on a congested path, and its later attempts wait their doubling timers, so they are spread over
seconds instead of going, together with the others of the same burst, into the same full queue again.
"""

import heapq
from collections import deque

from .config import Settings
from .query import Query


class Timer:
    __slots__ = ("settings", "srtt", "rttvar", "_heap", "_seq", "_order", "newest_answered", "newest_in_zone")

    def __init__(self, settings: Settings, srtt: float | None = None, rttvar: float = 0.0):
        self.settings = settings
        self.srtt, self.rttvar = srtt, rttvar
        self._heap: list = []  # (deadline, seq, query, attempt)
        self._seq = 0
        self._order: deque = deque()  # (sent, query, attempt) in the order sent
        self.newest_answered = float("-inf")  # when the most recently sent query that got an answer was sent
        self.newest_in_zone: dict[str, float] = {}  # the same, per zone (a list: one list's silence is its own)

    def sample(self, rtt: float) -> None:
        """One round-trip time measured on a first attempt."""
        if self.srtt is None:
            self.srtt, self.rttvar = rtt, rtt / 2
            self._rearm()
        else:
            self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - rtt)
            self.srtt = 0.875 * self.srtt + 0.125 * rtt

    def rto(self, attempt: int) -> float:
        """How long attempt number ``attempt`` (0 for the first send) waits for its answer."""
        s = self.settings
        if self.srtt is None:
            return min(s.timeout, max(1.0, s.min_rto))
        if attempt >= s.retries:
            return s.timeout
        return min(s.timeout, max(s.min_rto, self.srtt + max(4 * self.rttvar, 2 * self.srtt)) * (2**attempt))

    def arm(self, query: Query, now: float) -> None:
        """Start the timer of the attempt just sent."""
        self._seq += 1
        heapq.heappush(self._heap, (now + self.rto(query.attempt), self._seq, query, query.attempt))
        self._order.append((now, query, query.attempt))

    def _rearm(self) -> None:
        """The first measurement: every attempt in flight, armed on the 1 s guess, is due ``rto`` after its send
        (the old deadline stays in the heap: whichever comes first hands the attempt back, the other is skipped)."""
        for sent, query, attempt in self._order:
            if query.qid is not None and query.attempt == attempt:
                self._seq += 1
                heapq.heappush(self._heap, (sent + self.rto(attempt), self._seq, query, attempt))

    def answered(self, sent: float, zone: str = "") -> None:
        """An answer came to an attempt sent at ``sent`` (each attempt has its own ID: never an earlier one's),
        of a query in ``zone``."""
        if sent > self.newest_answered:
            self.newest_answered = sent
        if sent > self.newest_in_zone.get(zone, float("-inf")):
            self.newest_in_zone[zone] = sent

    def overtaken(self, now: float) -> list[Query]:
        """The attempts (not the last) sent before an answered one and unanswered ``srtt + 4 rttvar`` after
        they were sent: lost. Answered or resent ones are skipped."""
        if self.srtt is None:
            return []
        order, newest, last = self._order, self.newest_answered, self.settings.retries
        reordering = self._reordering()  # waited long enough: sent + reordering <= now, the sum ``wait`` uses
        due = []
        while order and order[0][0] < newest and order[0][0] + reordering <= now:
            _sent, query, attempt = order.popleft()
            if query.qid is not None and query.attempt == attempt <= 1 and attempt < last:
                due.append(query)
        return due

    def expired(self, now: float) -> list[Query]:
        """The queries whose attempt is still unanswered at its deadline (answered or resent ones are skipped)."""
        heap = self._heap
        if not heap or heap[0][0] > now:
            return []
        due = []
        while heap and heap[0][0] <= now:
            _deadline, _seq, query, attempt = heapq.heappop(heap)
            if query.qid is not None and query.attempt == attempt:
                due.append(query)
        return due

    def _reordering(self) -> float:
        """How long after its send an overtaken attempt is lost: ``srtt + 4 rttvar``, at least two round trips
        (answers read per datagram make ``rttvar`` jumpy; through 40 +- 10 ms of jitter, ``srtt + 4 rttvar``
        alone declared ~2% of the answers lost that came later)."""
        return self.srtt + max(4 * self.rttvar, self.srtt)

    def wait(self, now: float, longest: float = 0.05) -> float:
        """How long the loop may wait for answers before a deadline passes (at most ``longest``): a timer's,
        or the moment the oldest attempt in flight, if an answer overtook it, counts as lost."""
        heap, order = self._heap, self._order
        if heap:
            longest = min(longest, max(0.0, heap[0][0] - now))
        if order and self.srtt is not None and order[0][0] < self.newest_answered:
            longest = min(longest, max(0.0, order[0][0] + self._reordering() - now))
        return longest
