"""The retransmission timer alone: RFC 6298 estimates, Karn-free arithmetic, deadlines. Time is given, never read.

MISSION: DLV-2.
"""

import pytest

from deliverability.engine import Query, Settings
from deliverability.engine.timer import Timer

SERVERS = (("127.0.0.1", 53),)


def timer(srtt=None, rttvar=0.0, **options) -> Timer:
    options.setdefault("min_rto", 0.05)  # the arithmetic below, under the default 200 ms floor (test_engine_loop)
    return Timer(Settings(nameservers=SERVERS, **options), srtt, rttvar)


def in_flight(index: int, attempt: int = 0) -> Query:
    query = Query(index, b"\x00\x00\x01\x00\x01", "zone")
    query.qid, query.attempt = 1000 + index, attempt
    return query


@pytest.mark.parametrize(("timeout", "expected"), [(2.0, 1.0), (0.3, 0.3)])
def test_before_any_measurement_an_attempt_waits_one_second_at_most_the_timeout(timeout, expected):
    t = timer(timeout=timeout)
    assert [t.rto(attempt) for attempt in range(4)] == [expected] * 4


def test_first_sample_sets_srtt_and_half_of_it_as_variation():
    t = timer()
    t.sample(0.04)
    assert (t.srtt, t.rttvar) == (0.04, 0.02)


def test_later_samples_are_smoothed_by_one_eighth_and_one_quarter():
    t = timer(srtt=0.04, rttvar=0.02)
    t.sample(0.08)
    assert t.rttvar == pytest.approx(0.75 * 0.02 + 0.25 * 0.04)
    assert t.srtt == pytest.approx(0.875 * 0.04 + 0.125 * 0.08)


def test_early_attempts_wait_a_few_round_trips_doubling_the_last_the_full_timeout():
    t = timer(srtt=0.1, rttvar=0.01, timeout=2.0, retries=3)
    assert t.rto(0) == pytest.approx(0.3)  # srtt + max(4 rttvar = 0.04, 2 srtt = 0.2): three round trips
    assert t.rto(1) == pytest.approx(0.6)
    assert t.rto(2) == pytest.approx(1.2)
    assert t.rto(3) == 2.0  # the last attempt (retries=3)


def test_the_timer_never_drops_below_min_rto_nor_exceeds_the_timeout():
    assert timer(srtt=0.0001, rttvar=0.0, min_rto=0.05).rto(0) == 0.05
    assert timer(srtt=0.9, rttvar=0.1, timeout=1.0, retries=5).rto(2) == 1.0


def test_a_query_expires_at_its_deadline_not_before():
    t = timer(srtt=0.1, rttvar=0.0)
    query = in_flight(0)
    t.arm(query, now=10.0)  # rto 0.3
    assert t.expired(10.299) == []
    assert t.expired(10.3) == [query]
    assert t.expired(11.0) == []  # handed back once


def test_answered_and_resent_queries_do_not_expire():
    t = timer(srtt=0.1, rttvar=0.0)
    answered, resent, waiting = in_flight(0), in_flight(1), in_flight(2)
    for query in (answered, resent, waiting):
        t.arm(query, now=0.0)
    answered.qid = None  # the receiver took its answer
    resent.attempt = 1  # this attempt already timed out elsewhere and was sent again
    assert t.expired(1.0) == [waiting]


def test_deadlines_come_back_in_order():
    t = timer(srtt=0.1, rttvar=0.0)
    late, early = in_flight(0, attempt=1), in_flight(1)  # rto 0.6 and 0.3
    t.arm(late, now=0.0)
    t.arm(early, now=0.0)
    assert t.expired(0.4) == [early]
    assert t.expired(0.61) == [late]


def test_wait_is_the_time_to_the_next_deadline_at_most_fifty_ms():
    t = timer(srtt=0.01, rttvar=0.0)  # rto = min_rto = 0.05
    assert t.wait(now=0.0) == 0.05  # nothing armed
    t.arm(in_flight(0), now=0.0)
    assert t.wait(now=0.02) == pytest.approx(0.03)
    assert t.wait(now=0.06) == 0.0
    assert t.wait(now=0.0, longest=0.01) == 0.01


def test_an_attempt_overtaken_by_a_later_ones_answer_is_lost_two_round_trips_after_its_send():
    """RACK (RFC 8985): a resolver whose receive buffer overflowed keeps answering what it took; the queries it
    dropped are resent after srtt + max(4 rttvar, srtt), not after the 200 ms floor."""
    t = timer(srtt=0.01, rttvar=0.001, min_rto=0.2)
    dropped, answered, waiting = in_flight(0), in_flight(1), in_flight(2)
    t.arm(dropped, now=0.0)
    t.arm(answered, now=0.001)
    t.arm(waiting, now=0.002)
    answered.qid = None  # the receiver took its answer...
    t.answered(0.001)  # ... to the attempt sent at 0.001
    assert t.wait(now=0.011) == pytest.approx(0.009)  # the loop wakes when the overtaken one is due, not at 0.2 s
    assert t.overtaken(0.0199) == []
    assert t.overtaken(0.02) == [dropped]
    assert t.overtaken(1.0) == []  # ``waiting`` was sent after every answer: its timer decides
    assert t.expired(0.1) == []


def test_answers_reordered_by_jitter_within_the_variation_are_not_losses():
    t = timer(srtt=0.04, rttvar=0.02)  # 40 +- 10 ms: reordering up to srtt + 4 rttvar = 0.12 s is allowed
    early, late = in_flight(0), in_flight(1)
    t.arm(early, now=0.0)
    t.arm(late, now=0.005)
    late.qid = None
    t.answered(0.005)  # the later query's answer came first (a shorter delay)
    assert t.overtaken(0.1) == []
    assert t.overtaken(0.12) == [early]


def test_a_query_lost_twice_waits_its_doubling_timer_rather_than_being_overtaken_again():
    """The first attempt and the first retry are found lost as soon as later answers overtake them (a datagram
    lost at random is resent within a few round trips); a query lost a second time is on a congested path, and
    its next attempts wait their timers, each twice the one before, so its attempts span seconds, not the
    0.4 s in which, through a busy proxy, all four of a query's attempts were dropped by the same full queue."""
    t = timer(srtt=0.01, rttvar=0.001, min_rto=0.05, retries=3)
    first, retry, second_retry, answered = in_flight(0), in_flight(1, attempt=1), in_flight(2, attempt=2), in_flight(3)
    for n, query in enumerate((first, retry, second_retry, answered)):
        t.arm(query, now=n * 0.001)
    answered.qid = None
    t.answered(0.003)
    assert t.overtaken(0.1) == [first, retry]
    first.qid = retry.qid = None  # resent by the loop
    assert t.expired(0.2) == [] and t.expired(0.202) == [second_retry]  # rto(2): 0.05 x 4, from its send


def test_nothing_is_overtaken_before_a_round_trip_is_measured_nor_the_last_attempt_ever():
    """The last attempt waits its full ``timeout`` (a slow recursive lookup still gets its chance)."""
    assert timer().overtaken(5.0) == []
    t = timer(srtt=0.01, rttvar=0.0, retries=2)
    last, answered = in_flight(0, attempt=2), in_flight(1)
    t.arm(last, now=0.0)
    t.arm(answered, now=0.001)
    answered.qid = None
    t.answered(0.001)
    assert t.overtaken(1.0) == []
    assert t.expired(1.99) == [] and t.expired(2.0) == [last]  # the last attempt's rto is the timeout, 2 s


def test_a_first_attempt_waits_three_round_trips_or_the_jitter_allowance_between_floor_and_ceiling():
    """srtt + max(4 rttvar, 2 srtt): a steady path waits three round trips, a jittery one longer; the floor and
    the ceiling still hold."""
    assert timer(srtt=0.04, rttvar=0.0, min_rto=0.01).rto(0) == pytest.approx(0.12)
    assert timer(srtt=0.04, rttvar=0.025, min_rto=0.01).rto(0) == pytest.approx(0.14)  # 0.04 + 4 x 0.025
    assert timer(srtt=0.04, rttvar=0.0, min_rto=0.2).rto(0) == 0.2  # the floor
    assert timer(srtt=0.5, rttvar=0.0, timeout=1.0).rto(0) == 1.0  # the ceiling


def test_the_first_measurement_re_arms_attempts_waiting_on_the_one_second_guess():
    """A process's first run (the health probes) has no round trip yet: its attempts are armed at 1 s. Once an
    answer measures the path, a lost probe is due a few round trips after its send, not a second later."""
    t = timer(min_rto=0.05, timeout=2.0)
    lost, answered = in_flight(0), in_flight(1)
    t.arm(lost, now=0.0)
    t.arm(answered, now=0.0)
    assert t.rto(0) == 1.0
    answered.qid = None
    t.answered(0.0)
    t.sample(0.04)  # rto now 0.04 + max(4 x 0.02, 2 x 0.04) = 0.12
    assert t.wait(now=0.05, longest=1.0) == pytest.approx(0.07)
    assert t.expired(0.119) == []
    assert t.expired(0.12) == [lost]
    lost.attempt = 1  # the sender sends it again
    assert t.expired(1.0) == []  # the 1 s deadline armed first does not hand it back twice


def test_re_arming_skips_attempts_answered_or_already_resent():
    t = timer(min_rto=0.05)
    answered, resent = in_flight(0), in_flight(1)
    t.arm(answered, now=0.0)
    t.arm(resent, now=0.0)
    answered.qid = None
    resent.attempt = 1  # handed back and sent again meanwhile
    t.sample(0.04)
    assert t.expired(0.5) == [] and t.expired(1.0) == []
