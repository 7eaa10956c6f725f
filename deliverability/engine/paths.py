"""What engine runs learnt about a set of nameservers, for the next run that asks the same ones.

As TCP keeps per-destination metrics (Linux's tcp_metrics), so that a new connection does not start
blind: the smoothed round-trip time and its variation (the next run's first timers are a few round
trips, not RFC 6298's 1 s before a measurement) and, if the run had to back off, the window it backed
off to (the next run's slow start stops there instead of overrunning the same resolver again). A run
that starts within one retransmission timeout of the last one's end (the checker's TXT queries right
after its A queries) keeps that run's window instead of starting slow again, as TCP does when a
connection was not idle (RFC 5681 s.4.1): through 40 ms of delay, slow start from 64 to 600 is four
round trips.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

DAY = 24 * 3600.0


@dataclass(frozen=True)
class PathMetrics:
    srtt: float | None = None  # seconds; None: never measured
    rttvar: float = 0.0
    ssthresh: float | None = None  # the window the run backed off to; None: it did not back off
    cwnd: float | None = None  # the window when the run ended...
    ended: float | None = None  # ... and when that was (the engine's clock)


class PathMemory:
    """Per ``Settings.nameservers``: the ``PathMetrics`` of the last run that asked them.

    Every run recalls the entry when it starts and replaces it when it ends. An entry is forgotten
    ``max_age`` seconds (a day) after it was written: an hourly sweep always finds what the previous one
    learnt, while a worker idle for a day starts afresh, as the path may have changed. Entries live in
    this object only: the engine's default is ``PATHS``, one memory per process (a worker's runs share
    it); a test or a caller that wants a fresh start passes its own.
    """

    def __init__(self, max_age: float = DAY, clock: Callable[[], float] = time.monotonic):
        self.max_age, self.clock = max_age, clock
        self._entries: dict[tuple, tuple[float, PathMetrics]] = {}  # nameservers -> (written at, metrics)

    def recall(self, nameservers: tuple) -> PathMetrics:
        entry = self._entries.get(nameservers)
        if entry is None or self.clock() - entry[0] > self.max_age:
            return PathMetrics()
        return entry[1]

    def remember(self, nameservers: tuple, metrics: PathMetrics) -> None:
        now = self.clock()
        fresh = {key: entry for key, entry in self._entries.items() if now - entry[0] <= self.max_age}
        fresh[nameservers] = (now, metrics)
        self._entries = fresh  # one assignment: a run ending in another thread sees the old or the new dict


PATHS = PathMemory()
