"""Congestion control: how many queries may be in flight at once.

A congestion window as TCP's (RFC 5681). It starts at ``initial_window`` and, per answer, grows by two (slow
start as RFC 3465 allows, L = 2: tripling per round trip, from 64 to a window of 1000 in three round trips
instead of four) up to ``ssthresh``, then by ``2 / cwnd`` (about two per round trip), never past ``ceiling``:
the ``window``, or less when the run cannot have more in flight (three lists at ``per_zone`` each), as a
window never filled is not one the path was seen to carry (RFC 7661). Once per round trip (an epoch of
``srtt``, at least 50 ms) it looks at the answers and losses of the epoch: more than 5% of them lost, and at
least 3, is a resolver or a path dropping our bursts, and the window shrinks by 30%, or to what the path
answered in that epoch when that is less (never by more than half at once, never below ``min_window``), with
``ssthresh`` set there: behind a full queue most of the window is queries it dropped and not yet found lost,
and 70% of it would overflow the queue again. The odd datagram lost at random changes nothing. The sender
paces a window over the round trip (``pacing_gain``). (Ending slow start on a rise of the round trips, HyStart,
was tried and left out: on a 40 +- 10 ms path the least of 8 round trips moves enough between epochs to end
slow start without any queue in about a third of the epochs.) One overflow is one back-off, as TCP's
recovery (RFC 6582): the losses of queries sent before the last back-off are found over the next round trips,
and they no longer count. ``ssthresh`` starts at the window an earlier run on the same nameservers backed off
to (``PathMemory``), else at the ceiling; the window starts where the run just before ended, if it ended a
moment ago (``paths.py``). No clock inside: ``tick`` is given ``now``.
"""

import math

from .config import Settings


class CongestionControl:
    __slots__ = (
        "settings", "ceiling", "cwnd", "ssthresh", "inflight", "answered", "lost", "epoch_end", "backoffs",
        "backed_off_at",
    )  # fmt: skip

    def __init__(
        self,
        settings: Settings,
        now: float,
        learnt_ssthresh: float | None = None,
        ceiling: int | None = None,
        cwnd: float | None = None,
    ):
        self.settings = settings
        self.ceiling = float(min(ceiling or settings.window, settings.window))
        self.cwnd = float(min(max(settings.initial_window, cwnd or 0), self.ceiling))  # ``cwnd``: a run's just before
        self.ssthresh = float(min(learnt_ssthresh or self.ceiling, self.ceiling))
        self.inflight = 0  # the sender adds one per datagram sent
        self.answered = self.lost = 0  # in this epoch
        self.epoch_end = now
        self.backoffs = 0  # in this run
        self.backed_off_at = -math.inf  # queries sent before it: their losses were answered by that back-off

    def on_answer(self) -> None:
        """An answer came back: one query fewer in flight, and the window grows."""
        self.inflight -= 1
        self.answered += 1
        if self.cwnd < self.ssthresh:
            self.cwnd = min(self.ceiling, self.ssthresh, self.cwnd + 2)
        else:
            self.cwnd = min(self.ceiling, self.cwnd + 2 / self.cwnd)

    def pacing_gain(self) -> float:
        """How much faster than ``cwnd`` per round trip datagrams may go out: twice in slow start (the window
        doubles or more per round trip), a quarter more after it (Linux's pacing ratios: 200% and 120%)."""
        return 2.0 if self.cwnd < self.ssthresh else 1.25

    def on_loss(self, sent: float = math.inf) -> None:
        """The attempt sent at ``sent`` is lost: it is no longer in flight, and counts as lost unless it was
        sent before the last back-off."""
        self.inflight -= 1
        if sent >= self.backed_off_at:
            self.lost += 1

    def tick(self, now: float, srtt: float | None) -> None:
        """Once per round trip: back off if this epoch lost too much, then start the next epoch."""
        if now < self.epoch_end:
            return
        answered, lost = self.answered, self.lost
        if lost >= 3 and lost > 0.05 * (answered + lost):
            self.ssthresh = max(self.settings.min_window, min(self.cwnd * 0.7, max(answered, self.cwnd * 0.5)))
            self.cwnd = self.ssthresh
            self.backoffs += 1
            self.backed_off_at = now
        self.answered = self.lost = 0
        self.epoch_end = now + max(0.05, srtt or 0.05)
