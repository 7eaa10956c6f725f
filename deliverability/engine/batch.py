"""The queries of one ``Engine.resolve`` call: waiting by zone, in flight per zone, finished with their answers."""

from collections import deque
from collections.abc import Sequence

from ..blocklists.dnsbl import Answer
from .query import Query


class Batch:
    """New queries by zone, round-robin, with at most ``per_zone`` of one zone in flight; the answers in order.

    A zone leaves the rotation when it reaches its limit or has nothing left to send, and comes back when
    one of its queries finishes. ``done`` counts the finished queries: answered, failed, or set aside for
    TCP (their answer stays None until TCP brings it).
    """

    __slots__ = ("queues", "per_zone", "inflight", "active", "answers", "done", "total")

    def __init__(self, queries: Sequence[Query], per_zone: int):
        self.queues: dict[str, deque[Query]] = {}
        for query in queries:
            self.queues.setdefault(query.zone, deque()).append(query)
        self.per_zone = per_zone
        self.inflight = dict.fromkeys(self.queues, 0)
        self.active = deque(self.queues)  # zones that may send now
        self.answers: list[Answer | None] = [None] * len(queries)
        self.done, self.total = 0, len(queries)

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
