"""The retransmission timer: how long to wait for an answer, and which queries waited long enough.

RFC 6298-style. The round-trip time is smoothed (``srtt``) with its variation (``rttvar``) from answers to
first attempts only (Karn's rule: an answer to a resent query may answer either send; the receiver only
samples first attempts). Before the first measurement a query waits 1 s (RFC 6298 s.2.1), capped by the
settings' ``timeout``. Early attempts wait a few round trips (at least ``min_rto``), doubling per attempt,
so a datagram lost is resent quickly; the last attempt waits the full ``timeout``, so a slow resolver (a
recursive lookup) still gets its chance. No clock inside: every call is given ``now``.
"""

import heapq

from .config import Settings
from .query import Query


class Timer:
    __slots__ = ("settings", "srtt", "rttvar", "_heap", "_seq")

    def __init__(self, settings: Settings, srtt: float | None = None, rttvar: float = 0.0):
        self.settings = settings
        self.srtt, self.rttvar = srtt, rttvar
        self._heap: list = []  # (deadline, seq, query, attempt)
        self._seq = 0

    def sample(self, rtt: float) -> None:
        """One round-trip time measured on a first attempt."""
        if self.srtt is None:
            self.srtt, self.rttvar = rtt, rtt / 2
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
        return min(s.timeout, max(s.min_rto, self.srtt + 4 * self.rttvar, 1.5 * self.srtt) * (2**attempt))

    def arm(self, query: Query, now: float) -> None:
        """Start the timer of the attempt just sent."""
        self._seq += 1
        heapq.heappush(self._heap, (now + self.rto(query.attempt), self._seq, query, query.attempt))

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

    def wait(self, now: float, longest: float = 0.05) -> float:
        """How long the loop may wait for answers before a deadline passes (at most ``longest``)."""
        heap = self._heap
        return min(longest, max(0.0, heap[0][0] - now)) if heap else longest
