"""The engine: names in, answers out, in the same order; the event loop that drives the parts.

Each turn of the loop: the sender fills the congestion window with the batch's queries (``sender.py``,
``batch.py``), the loop waits for answers until the next retransmission deadline and the receiver takes
them (``receiver.py``), the timer hands back the queries whose attempt ran out and the sender resends
them or gives up (``timer.py``; a query overtaken by later ones' answers is resent without waiting for
its timer), and once per round trip the congestion control decides whether to back
off (``congestion.py``). Truncated answers are asked again over TCP once the UDP work is done. What a
run learnt about the nameservers is kept for the next run in a ``PathMemory`` (``paths.py``).
"""

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import dns.exception
import dns.name
import dns.rcode
import dns.rdatatype

from ..blocklists.dnsbl import Answer
from .batch import Batch
from .config import Settings
from .congestion import CongestionControl
from .paths import PATHS, PathMemory, PathMetrics
from .query import Query, question
from .receiver import Receiver, records
from .sender import Sender
from .sockets import UdpSockets
from .timer import Timer

PROGRESS_EVERY = 0.2  # seconds between two ``on_progress`` calls during a run


class Engine:
    """Resolves batches of names; ``stats`` counts what its runs did.

    ``paths`` is where runs remember what they learnt about the nameservers (by default the process's
    ``PATHS``). ``clock`` and ``sockets`` (a factory of ``UdpSockets``) let tests run the loop on a fake network.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        paths: PathMemory = PATHS,
        clock: Callable[[], float] = time.monotonic,
        sockets: Callable[[Settings], UdpSockets] = UdpSockets,
    ):
        if not settings.nameservers:
            raise ValueError("no nameserver to ask")
        self.settings, self.paths, self.clock, self.sockets = settings, paths, clock, sockets
        self.stats = {"sent": 0, "retransmits": 0, "received": 0, "parsed": 0, "tcp": 0, "ignored": 0, "backoffs": 0}

    def resolve(
        self,
        names: Sequence[str | bytes],
        zones: Sequence[str] | None = None,
        *,
        rdtype: int = dns.rdatatype.A,
        on_progress: Callable[[int, int], None] | None = None,
        then: Callable[[int, Answer], int | None] | None = None,
    ) -> list[Answer]:
        """Answers for ``names`` (text, or wire form as ``encode_name`` makes it) in the same order.
        ``zones[i]`` groups names for the per-zone limit. ``then(i, answer)``, called as the answer to
        ``names[i]`` comes over UDP, may return a record type to ask about that name in the same run (a
        listing's TXT reason: no second run, no second slow start); those answers follow the others, in the
        order ``then`` asked for them (``batch.py``)."""
        total = len(names)
        if not total:
            return []
        zones = zones if zones is not None else [""] * total
        queries = [Query(i, question(name, rdtype), zones[i]) for i, name in enumerate(names)]
        batch = Batch(queries, self.settings.per_zone, then)
        truncated: list[Query] = []
        self._run(batch, truncated, rdtype, on_progress)
        if truncated:
            self._tcp(truncated, batch.answers)
        if on_progress:
            on_progress(total, total)
        return batch.answers  # type: ignore[return-value]

    def _run(self, batch: Batch, truncated: list[Query], rdtype: int, on_progress) -> None:
        s, clock = self.settings, self.clock
        learnt = self.paths.recall(s.nameservers)
        sockets = self.sockets(s)
        now = last_progress = clock()
        timer = Timer(s, learnt.srtt, learnt.rttvar)
        warm = learnt.ended is not None and now - learnt.ended <= timer.rto(0)  # not idle: no slow start again
        ceiling = s.per_zone * len(batch.queues)
        congestion = CongestionControl(s, now, learnt.ssthresh, ceiling=ceiling, cwnd=learnt.cwnd if warm else None)
        sender = Sender(s, sockets.slots, batch, timer, congestion, self.stats)
        receiver = Receiver(rdtype, timer, congestion, batch.finish, truncated, self.stats, clock)
        try:
            while batch.done < batch.total:
                now = clock()
                more = sender.send(now)
                for slot in sockets.ready(0.0 if more else min(timer.wait(now), sender.wait(now))):
                    receiver.drain(slot)
                now = clock()
                for query in timer.expired(now):
                    sender.expire(query)
                for query in timer.overtaken(now):
                    sender.expire(query)
                congestion.tick(now, timer.srtt)
                if on_progress and now - last_progress > PROGRESS_EVERY:
                    last_progress = now
                    # of the names asked (a sweep's counter): follow-ups are not more work to report
                    on_progress(min(batch.done - len(truncated), batch.asked), batch.asked)
        finally:
            self.stats["backoffs"] += congestion.backoffs
            ssthresh = congestion.ssthresh if congestion.backoffs else None
            metrics = PathMetrics(timer.srtt, timer.rttvar, ssthresh, congestion.cwnd, clock())
            self.paths.remember(s.nameservers, metrics)
            sockets.close()

    # --- TCP for truncated answers -----------------------------------------------------------------

    def _tcp(self, truncated, answers):
        import dns.message  # rare (truncated answers): dnspython's message stack is not loaded at start-up
        import dns.query  # rare (truncated answers), and it brings dnspython's DoH stack: not at start-up

        def ask(query):
            host, port = query.slot.server
            name, end = dns.name.from_wire(query.question, 0)  # the question asked over UDP, a follow-up's too
            rdtype = int.from_bytes(query.question[end : end + 2], "big")
            message = dns.message.make_query(name, rdtype)
            try:
                reply = dns.query.tcp(message, host, port=port, timeout=self.settings.timeout)
            except (OSError, dns.exception.DNSException) as exc:
                return query, Answer(failure=f"TCP: {exc.__class__.__name__}")
            if reply.rcode() != dns.rcode.NOERROR:
                return query, Answer(rcode=reply.rcode())
            return query, records(reply, rdtype)

        self.stats["tcp"] += len(truncated)
        with ThreadPoolExecutor(max_workers=min(8, len(truncated))) as pool:
            for query, answer in pool.map(ask, truncated):
                answers[query.index] = answer
