"""Congestion control alone: slow start, additive increase, backing off once per round trip. Time is given.

MISSION: DLV-2.
"""

import pytest

from deliverability.engine import Settings
from deliverability.engine.congestion import CongestionControl

SERVERS = (("127.0.0.1", 53),)


def control(now=0.0, learnt=None, **options) -> CongestionControl:
    return CongestionControl(Settings(nameservers=SERVERS, **options), now, learnt)


def epoch(cc: CongestionControl, answered: int, lost: int, now: float, srtt=0.1) -> None:
    cc.inflight = answered + lost
    for _ in range(answered):
        cc.on_answer()
    for _ in range(lost):
        cc.on_loss()
    cc.tick(now, srtt)


def verdict(cc: CongestionControl, answered: int, lost: int, now: float, srtt=0.1) -> None:
    """An epoch's counts as they stand at its end (the window as it was: no growth from the answers)."""
    cc.answered, cc.lost = answered, lost
    cc.tick(now, srtt)


def test_the_window_starts_at_initial_window_and_ssthresh_at_window():
    cc = control(initial_window=64, window=1000)
    assert (cc.cwnd, cc.ssthresh, cc.inflight, cc.backoffs) == (64.0, 1000.0, 0, 0)
    assert control(initial_window=64, window=10).cwnd == 10.0


def test_a_learnt_ssthresh_is_where_slow_start_stops_never_above_the_window():
    assert control(learnt=300.0, window=1000).ssthresh == 300.0
    assert control(learnt=3000.0, window=1000).ssthresh == 1000.0


def test_slow_start_adds_two_per_answer_then_two_per_round_trip():
    """RFC 3465's L = 2: the window triples per round trip in slow start (64 to 1000 in three round trips), and
    stops at ssthresh, not past it."""
    cc = control(initial_window=16, window=1000, learnt=21.0)
    cc.inflight = 10
    cc.on_answer()
    assert cc.cwnd == 18.0 and cc.inflight == 9
    cc.on_answer()
    assert cc.cwnd == 20.0
    cc.on_answer()
    assert cc.cwnd == 21.0  # not 22: slow start ends at ssthresh
    cc.on_answer()  # at ssthresh: additive increase
    assert cc.cwnd == pytest.approx(21.0 + 2 / 21.0)


def test_the_window_never_grows_past_window():
    cc = control(initial_window=8, window=10)
    cc.inflight = 50
    for _ in range(50):
        cc.on_answer()
    assert cc.cwnd == 10.0


def test_a_loss_leaves_the_flight_and_is_counted():
    cc = control()
    cc.inflight = 2
    cc.on_loss()
    assert (cc.inflight, cc.lost, cc.answered) == (1, 1, 0)


def test_more_than_five_percent_lost_shrinks_the_window_by_thirty_percent():
    cc = control(initial_window=100, window=1000)
    verdict(cc, answered=90, lost=6, now=0.0)  # 6 of 96: the path still carried 90 in the round trip
    assert cc.cwnd == pytest.approx(70.0) and cc.ssthresh == pytest.approx(70.0) and cc.backoffs == 1


@pytest.mark.parametrize(("answered", "lost", "after"), [(60, 10, 60.0), (0, 3, 50.0), (20, 10, 50.0)])
def test_a_back_off_goes_down_to_what_the_path_delivered_but_never_below_half(answered, lost, after):
    """A full queue on the path (a resolver's, a proxy's) answers far fewer than the window holds: the rest of
    the window is queries it dropped, not yet found lost. 70% of the window would still overflow it, and the
    retransmissions of what it dropped would be dropped again; the window goes to what the path answered in
    the round trip, and at most halves at once (as TCP's Reno), so a path that answered nothing in one round
    trip is not cut to the floor at once. (Epochs of 100 ms, one round trip.)"""
    cc = control(initial_window=100, window=1000)
    verdict(cc, answered=answered, lost=lost, now=0.0)
    assert cc.cwnd == pytest.approx(after, abs=1) and cc.ssthresh == pytest.approx(after, abs=1)


@pytest.mark.parametrize(("answered", "lost"), [(10, 2), (96, 4), (0, 0)])
def test_the_odd_loss_changes_nothing(answered, lost):
    """Fewer than 3 lost, or 5% or less: datagrams lost at random, not a resolver dropping bursts."""
    cc = control(initial_window=100, window=100)
    epoch(cc, answered=answered, lost=lost, now=0.0)
    assert cc.cwnd == 100.0 and cc.backoffs == 0


def test_backing_off_stops_at_min_window():
    cc = control(initial_window=16, window=1000, min_window=16)
    epoch(cc, answered=0, lost=10, now=0.0)
    assert cc.cwnd == 16.0 and cc.ssthresh == 16.0


def test_the_verdict_comes_once_per_round_trip():
    cc = control(now=5.0, initial_window=100, window=1000)
    cc.tick(5.0, srtt=0.2)  # the first epoch ends at once: nothing counted yet
    assert cc.epoch_end == pytest.approx(5.2)
    epoch(cc, answered=0, lost=5, now=5.1)  # within the round trip: no verdict yet
    assert cc.backoffs == 0 and cc.lost == 5
    cc.tick(5.2, srtt=0.2)
    assert cc.backoffs == 1 and (cc.answered, cc.lost) == (0, 0)
    assert cc.epoch_end == pytest.approx(5.4)


def test_an_epoch_lasts_at_least_fifty_ms():
    cc = control()
    cc.tick(0.0, srtt=0.0001)
    assert cc.epoch_end == 0.05
    cc.tick(0.05, srtt=None)
    assert cc.epoch_end == pytest.approx(0.1)


def test_one_overflow_is_one_back_off_however_many_round_trips_its_losses_take_to_be_found():
    """RFC 6582's recovery: the queries a resolver dropped in one burst are found lost over the next round
    trips; once the window backed off for them, those sent before the back-off no longer count. Before,
    through dnsdelay on a loaded host, one overflow cut the window three times (600 -> 206)."""
    cc = control(initial_window=600, window=600)
    cc.tick(0.0, srtt=0.05)
    cc.inflight = 600
    for _ in range(30):
        cc.on_loss(sent=0.01)
    cc.answered = 450  # the path carried 450 in the round trip: the back-off is the 30%
    cc.tick(0.05, srtt=0.05)
    assert cc.cwnd == pytest.approx(420.0) and cc.backoffs == 1
    for _ in range(40):  # more of the same burst, found in the next round trip
        cc.on_loss(sent=0.02)
    cc.tick(0.10, srtt=0.05)
    assert cc.cwnd == pytest.approx(420.0) and cc.backoffs == 1
    for _ in range(30):  # sent after the back-off: a new overflow
        cc.on_loss(sent=0.06)
    cc.answered = 300
    cc.tick(0.2, srtt=0.05)
    assert cc.cwnd == pytest.approx(294.0) and cc.backoffs == 2


def test_the_window_grows_no_further_than_the_run_can_fill():
    """Three lists at 200 in flight each cannot fill a window of 1,000: it stops at 600, so a back-off from
    it is a real one (from 1,000 to 700 changed nothing in flight)."""
    cc = CongestionControl(Settings(nameservers=SERVERS, initial_window=64, window=1000), 0.0, ceiling=600)
    assert (cc.cwnd, cc.ssthresh) == (64.0, 600.0)
    cc.inflight = 1000
    for _ in range(1000):
        cc.on_answer()
    assert cc.cwnd == 600.0
    cc.tick(0.0, srtt=0.1)  # the epoch of the growth ends
    epoch(cc, answered=500, lost=30, now=0.2)
    assert cc.cwnd == pytest.approx(420.0)
    assert CongestionControl(Settings(nameservers=SERVERS, window=100), 0.0, ceiling=600).ceiling == 100.0


def test_three_lists_at_the_default_per_zone_may_fill_the_default_window():
    """BLOCKLIST_PER_ZONE 400: three lists (the bench's, and fewer than any sweep of the catalogue) are bound
    by the window, 1000, not by 3 x per_zone (600 at the old 200)."""
    s = Settings(nameservers=(("127.0.0.1", 53),))
    cc = CongestionControl(s, now=0.0, ceiling=3 * s.per_zone)
    assert (s.per_zone, cc.ceiling) == (400, 1000.0)
    cc.inflight = 2000
    for _ in range(2000):
        cc.on_answer()
    assert cc.cwnd == 1000.0


def test_slow_start_reaches_a_window_of_1000_in_three_round_trips():
    """64 -> 192 -> 576 -> 1000: each round trip answers the whole window, and each answer adds two."""
    cc = control(initial_window=64, window=1000)
    for _round_trip in range(3):
        answers = int(cc.cwnd)
        cc.inflight += answers
        for _ in range(answers):
            cc.on_answer()
    assert cc.cwnd == 1000.0


def test_pacing_runs_twice_the_window_per_round_trip_in_slow_start_and_a_quarter_more_after():
    cc = control(initial_window=64, window=1000)
    assert cc.pacing_gain() == 2.0
    cc.ssthresh = cc.cwnd
    assert cc.pacing_gain() == 1.25
