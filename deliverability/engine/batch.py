"""The queries of one ``Engine.resolve`` call: waiting by zone, in flight per zone, finished with their answers."""

import struct
from collections import deque
from collections.abc import Callable, Sequence

from ..blocklists.dnsbl import Answer
from .query import Query

_QUESTION_TAIL = struct.Struct("!HH")  # QTYPE, QCLASS


class Batch:
    """New queries by zone, round-robin, with at most ``per_zone`` of one zone in flight; the answers in order.

    A zone leaves the rotation when it reaches its limit or has nothing left to send, and comes back when
    one of its queries finishes. ``done`` counts the finished queries: answered, failed, or set aside for
    TCP (their answer stays None until TCP brings it).

    ``then(index, answer)``, called as each of the first ``asked`` queries gets its answer (not a truncated
    one's: TCP brings that later), may return a record type to ask next about the same name (a listing's
    TXT reason): that question goes to the front of its zone's queue, in the same run, and its answer is
    appended after the others, in the order ``then`` asked for them.
    """

    __slots__ = ("queues", "per_zone", "inflight", "active", "answers", "done", "total", "asked", "then")

    def __init__(
        self,
        queries: Sequence[Query],
        per_zone: int,
        then: Callable[[int, Answer], int | None] | None = None,
    ):
        self.queues: dict[str, deque[Query]] = {}
        for query in queries:
            self.queues.setdefault(query.zone, deque()).append(query)
        self.per_zone = per_zone
        self.inflight = dict.fromkeys(self.queues, 0)
        self.active = deque(self.queues)  # zones that may send now
        self.answers: list[Answer | None] = [None] * len(queries)
        self.done = 0
        self.total = self.asked = len(queries)
        self.then = then

    def next(self) -> Query:
        """The next new query to send (``active`` is not empty)."""
        zone = self.active.popleft()
        queue = self.queues[zone]
        query = queue.popleft()
        self.inflight[zone] += 1
        if queue and self.inflight[zone] < self.per_zone:
            self.active.append(zone)
        return query

    def finish(self, query: Query, answer: Answer | None) -> None:
        """``query`` is answered (None: truncated, asked again over TCP later); its zone may send again."""
        self.answers[query.index] = answer
        self.done += 1
        zone = query.zone
        self.inflight[zone] -= 1
        if self.queues[zone] and self.inflight[zone] == self.per_zone - 1:
            self.active.append(zone)  # it had stopped at its limit
        if self.then is not None and answer is not None and query.index < self.asked:
            rdtype = self.then(query.index, answer)
            if rdtype is not None:
                self._follow(query, rdtype)

    def _follow(self, query: Query, rdtype: int) -> None:
        """Ask ``rdtype`` about ``query``'s name next in its zone."""
        zone = query.zone
        name = query.question[: -_QUESTION_TAIL.size]
        follow_up = Query(len(self.answers), name + _QUESTION_TAIL.pack(rdtype, 1), zone)
        self.answers.append(None)
        self.total += 1
        queue = self.queues[zone]
        if not queue and self.inflight[zone] < self.per_zone:
            self.active.append(zone)  # it had left the rotation with nothing to send
        queue.appendleft(follow_up)
