"""The whole engine on a fake network and a fake clock: losses resent, dead nameservers timed out in the
time the timers say, a second nameserver asked, what a run learns kept for the next one. No sleeping: the
fake network lets time pass only while the engine waits for answers.

MISSION: DLV-2. The same behaviour on real sockets: test_engine.py (rbldnsd, and ``dnsdelay.py`` adding
latency and 5% loss) and test_engine_limits.py.
"""

import dns.rdatatype
import pytest

from deliverability.blocklists.dnsbl import Answer
from deliverability.engine import NXDOMAIN, PATHS, Engine, PathMemory, PathMetrics, Settings
from deliverability.engine.congestion import CongestionControl
from tests.deliverability.fakenet import FakeClock, FakeNetwork

A = ("192.0.2.1", 53)
B = ("192.0.2.2", 53)


def run(network: FakeNetwork, names, zones=None, *, servers=(A,), paths=None, **options):
    """Resolve on the fake network; return (answers, engine, seconds of fake time it took)."""
    settings = Settings(nameservers=tuple(servers), **options)
    engine = Engine(settings, paths=paths or PathMemory(clock=network.clock), clock=network.clock, sockets=network)
    started = network.clock.now
    answers = engine.resolve(names, zones)
    assert network.closed
    return answers, engine, network.clock.now - started


def names(count: int, zone="zen.test") -> list[str]:
    return [f"{n}.0.0.10.{zone}" for n in range(count)]


def test_answers_come_back_in_the_order_asked():
    network = FakeNetwork(FakeClock(), rtt=0.02, listed={"7.0.0.10.a.test", "2.0.0.10.c.test"})
    asked = names(10, "a.test") + names(10, "b.test") + names(10, "c.test")
    answers, engine, took = run(network, asked, [name.split(".", 4)[4] for name in asked], per_zone=3, window=5)
    listed = Answer(rcode=0, addresses=("127.0.0.2",))
    assert answers == [listed if name in network.listed else NXDOMAIN for name in asked]
    assert engine.stats["sent"] == len(asked) and engine.stats["retransmits"] == 0
    assert took == pytest.approx(0.02 * len(asked) / 5, rel=0.5)  # five at a time, one round trip each


def test_lost_answers_are_resent_until_they_come():
    lost_twice = {f"{n}.0.0.10.zen.test" for n in range(0, 200, 10)}
    network = FakeNetwork(FakeClock(), rtt=0.01, lose=lambda name, n: name in lost_twice and n <= 2)
    answers, engine, _took = run(network, names(200), retries=3)
    assert answers == [NXDOMAIN] * 200
    assert engine.stats["retransmits"] == 2 * len(lost_twice)
    assert {network.sends[name] for name in lost_twice} == {3}
    assert engine.stats["received"] == 200


def test_a_dead_nameserver_costs_every_attempt_and_no_more():
    network = FakeNetwork(FakeClock(), dead={A})
    answers, engine, took = run(network, names(10), timeout=0.3, retries=2)
    assert answers == [Answer(failure="timeout")] * 10
    assert set(network.sends.values()) == {3}
    assert (engine.stats["sent"], engine.stats["retransmits"], engine.stats["received"]) == (30, 20, 0)
    assert took == pytest.approx(0.9)  # three timeouts of 0.3 s (no round trip measured yet)


def test_losing_everything_shrinks_the_window_so_later_attempts_queue():
    """50 in flight lost at once: the window backs off (64 to 44.8, then 31.4), so the attempts no longer fit
    in one 0.3 s wave each: four waves instead of three."""
    network = FakeNetwork(FakeClock(), dead={A})
    answers, engine, took = run(network, names(50), timeout=0.3, retries=2)
    assert answers == [Answer(failure="timeout")] * 50
    assert engine.stats["backoffs"] >= 2
    assert took == pytest.approx(1.2)


def test_a_resent_query_asks_the_next_nameserver():
    network = FakeNetwork(FakeClock(), rtt=0.01, dead={A})
    answers, _engine, _took = run(network, names(20), servers=(A, B), timeout=0.5, retries=1)
    assert answers == [NXDOMAIN] * 20
    first_to_a = [name for name, servers in network.asked.items() if servers[0] == A]
    assert len(first_to_a) == 10
    assert all(network.asked[name] == [A, B] for name in first_to_a)


def test_what_a_run_learns_is_kept_for_the_next_run_in_its_memory():
    clock = FakeClock()
    memory = PathMemory(clock=clock)
    run(FakeNetwork(clock, rtt=0.02), names(100), paths=memory)
    learnt = memory.recall((A,))
    assert learnt.srtt == pytest.approx(0.02) and learnt.ssthresh is None  # no loss: nothing to back off from
    # the next run on a dead nameserver resends after a few round trips, not after RFC 6298's first 1 s
    _answers, _engine, took = run(FakeNetwork(clock, dead={A}), names(1), paths=memory, timeout=2.0, retries=1)
    assert took == pytest.approx(0.2 + 2.0, abs=0.01)  # min_rto, then the last attempt's full timeout
    _answers, _engine, took = run(FakeNetwork(clock, dead={A}), names(1), timeout=2.0, retries=1)  # a new memory
    assert took == pytest.approx(1.0 + 1.0, abs=0.01)


def test_a_run_that_backs_off_leaves_its_window_for_the_next():
    clock = FakeClock()
    memory = PathMemory(clock=clock)
    lossy = FakeNetwork(clock, rtt=0.02, lose=lambda name, n: n == 1 and int(name.split(".")[0]) % 4 == 0)
    _answers, engine, _took = run(lossy, names(2000), paths=memory, initial_window=200, window=400)
    assert engine.stats["backoffs"] > 0
    learnt = memory.recall((A,))
    assert 16 <= learnt.ssthresh < 400
    settings = Settings(nameservers=(A,), initial_window=200, window=400)
    assert CongestionControl(settings, 0.0, learnt.ssthresh).ssthresh == learnt.ssthresh


def test_engines_share_only_the_memory_they_are_given():
    clock = FakeClock()
    one, other = PathMemory(clock=clock), PathMemory(clock=clock)
    run(FakeNetwork(clock, rtt=0.02), names(10), paths=one)
    assert one.recall((A,)).srtt is not None
    assert other.recall((A,)) == PathMetrics()
    assert Engine(Settings(nameservers=(A,))).paths is PATHS  # the process's memory, unless told otherwise


def test_progress_is_reported_in_fake_time_and_ends_at_the_total():
    network = FakeNetwork(FakeClock(), rtt=0.1)
    progress = []
    settings = Settings(nameservers=(A,), window=10, initial_window=10)
    engine = Engine(settings, paths=PathMemory(), clock=network.clock, sockets=network)
    engine.resolve(names(50), on_progress=lambda done, total: progress.append((done, total)))
    assert progress[-1] == (50, 50)
    assert len(progress) >= 3  # 0.5 s of fake time, a report every 0.2 s, and the final one
    assert [done for done, _total in progress] == sorted(done for done, _total in progress)


def test_answers_late_by_a_stall_are_waited_for_not_asked_again():
    """A path measured at 10 ms whose answers then take 150 ms (the resolver or a proxy starved of CPU on a
    busy host): the timer's 200 ms floor waits for them; at the old 50 ms floor every query was sent twice,
    and the "losses" shrank the window."""
    clock = FakeClock()
    memory = PathMemory(clock=clock)
    run(FakeNetwork(clock, rtt=0.01), names(50), paths=memory)
    answers, engine, _took = run(FakeNetwork(clock, rtt=0.15), names(200), paths=memory, timeout=2.0)
    assert answers == [NXDOMAIN] * 200
    assert engine.stats["retransmits"] == 0 and engine.stats["backoffs"] == 0


def test_queries_a_full_buffer_dropped_are_resent_when_later_answers_overtake_them():
    """A resolver that drops some queries while it answers the others (its receive buffer full, as rbldnsd's on
    a loaded host): each dropped query is asked again two round trips after its send, once answers to later
    queries show it lost, not at the timer's 200 ms floor. The run takes milliseconds, as its round trips do."""
    clock = FakeClock()
    memory = PathMemory(clock=clock)
    run(FakeNetwork(clock, rtt=0.001), names(50), paths=memory)  # the path measured: 1 ms
    dropped = {f"{n}.0.0.10.zen.test" for n in range(0, 300, 7)}
    network = FakeNetwork(clock, rtt=0.001, lose=lambda name, n: name in dropped and n == 1)
    answers, engine, took = run(network, names(300), paths=memory)
    assert answers == [NXDOMAIN] * 300
    assert engine.stats["retransmits"] == len(dropped)
    assert {network.sends[name] for name in dropped} == {2}
    assert took < 0.02


def test_a_run_right_after_another_keeps_its_window_and_one_after_a_pause_starts_slow():
    """The checker's TXT queries follow its A queries at once: they start at the window the A queries reached
    (one round trip for 600 names) instead of slow start from 64 (three round trips); after an idle second
    the window starts from ``initial_window`` again (RFC 5681 s.4.1). A window goes out paced over the round
    trip (at 1.25 times the window per round trip once out of slow start), not in one burst."""
    clock = FakeClock()
    memory = PathMemory(clock=clock)
    options = {"initial_window": 64, "window": 600, "per_zone": 600}
    run(FakeNetwork(clock, rtt=0.04), names(3000), paths=memory, **options)
    assert memory.recall((A,)).cwnd == 600.0
    _answers, _engine, took = run(FakeNetwork(clock, rtt=0.04), names(600), paths=memory, **options)
    assert took == pytest.approx(0.04 + 0.04 / 1.25, abs=0.002)  # the 600 paced over a round trip, then theirs
    clock.advance(1.0)
    _answers, _engine, took = run(FakeNetwork(clock, rtt=0.04), names(600), paths=memory, **options)
    assert 3 * 0.04 <= took < 3.5 * 0.04  # 64, 192, 344 (slow start triples per round trip), paced


def test_a_follow_up_question_is_asked_in_the_same_run_as_its_answer_comes():
    """The checker asks a listing's TXT reason as soon as its A answer says listed: the reasons travel with
    the A queries still waiting (three round trips here), where a second run after the first took a round
    trip more and, through a delay, started slow and waited out a second retransmission tail. MISSION: DLV-2"""
    network = FakeNetwork(FakeClock(), rtt=0.02, listed={"0.0.0.10.zen.test", "1.0.0.10.zen.test"})
    engine = Engine(
        Settings(nameservers=(A,), window=4, per_zone=4),
        paths=PathMemory(clock=network.clock),
        clock=network.clock,
        sockets=network,
    )
    followed = []

    def then(i, answer):
        if answer.addresses:
            followed.append(i)
            return dns.rdatatype.TXT
        return None

    started, progress = network.clock.now, []
    answers = engine.resolve(names(10), then=then, on_progress=lambda done, total: progress.append((done, total)))
    assert network.clock.now - started == pytest.approx(3 * 0.02)  # 4 A, then 2 TXT + 2 A, then 4 A
    listed = Answer(rcode=0, addresses=("127.0.0.2",))
    assert answers[:10] == [listed, listed] + [NXDOMAIN] * 8
    assert sorted(followed) == [0, 1] and len(answers) == 12
    assert [answers[10 + k].texts for k in range(2)] == [("listed as 127.0.0.2",)] * 2
    assert network.sends["0.0.0.10.zen.test"] == 2 and engine.stats["sent"] == 12
    assert progress[-1] == (10, 10)  # of the names asked: a sweep's counter never passes its total


def test_the_checker_asks_the_reasons_of_its_listings_in_the_run_of_its_a_queries():
    """``checker.check`` in one engine run: each listing's TXT reason is asked as its A answer comes."""
    from deliverability.blocklists import checker, dnsbl, probes

    network = FakeNetwork(FakeClock(), rtt=0.02, listed={"2.0.0.10.zen.test", "5.0.0.10.zen.test"})
    engine = Engine(
        Settings(nameservers=(A,)), paths=PathMemory(clock=network.clock), clock=network.clock, sockets=network
    )
    runs = []
    resolve = engine.resolve
    engine.resolve = lambda *args, **kwargs: runs.append(args[0]) or resolve(*args, **kwargs)
    spec = dnsbl.zone_spec(zone="zen.test", kind="ip4", codes=[{"code": "127.0.0.2", "meaning": "listed"}])
    targets = dnsbl.expand_targets("10.0.0.0/29")
    found = list(checker.check(engine, targets, [spec], zone_health={"zen.test": probes.Health(True)}))
    assert len(runs) == 1 and engine.stats["sent"] == 8 + 2
    listed = {f.target.value: f.result.reason for f in found if f.result.status == dnsbl.Status.LISTED}
    assert listed == {"10.0.0.2": "listed as 127.0.0.2", "10.0.0.5": "listed as 127.0.0.2"}
    assert [f.result.status for f in found].count(dnsbl.Status.CLEAR) == 6


def test_a_probe_lost_in_a_processs_first_run_is_resent_after_a_few_round_trips_not_a_second():
    """A whole ``manage.py blocklist_check`` starts with no round trip measured: its health probes are armed at
    RFC 6298's 1 s. The other probes' answers measure the path (40 ms), and the lost one is resent at its
    re-armed timer (``max(min_rto, 3 srtt)`` after its send): the run ends ~0.24 s in, not ~1.04 s."""
    network = FakeNetwork(FakeClock(), rtt=0.04, lose=lambda name, n: name.startswith("0.") and n == 1)
    answers, engine, took = run(network, names(6), timeout=2.0)
    assert answers == [NXDOMAIN] * 6 and engine.stats["retransmits"] == 1
    assert took == pytest.approx(0.2 + 0.04, abs=0.01)  # the 200 ms floor, then one round trip


@pytest.mark.parametrize(("rate", "buffer"), [(3000, 100), (6500, 100)])
def test_through_a_congested_path_every_query_is_answered_none_times_out(rate, buffer):
    """A resolver (or a proxy) that serves ``rate`` queries a second and holds ``buffer`` more waiting, 40 ms
    away: what arrives while its queue is full is dropped, as a loaded Unbound or a Python proxy's receive
    buffer does. 6,000 queries over three lists. Before: slow start tripled into the queue, the window backed
    off by 30% to twice what the path carried, and the retransmissions of each loss, sent together, were dropped
    together again, four times in 0.4 s: 78 to 128 of 6,000 ended as "No answer (timeout)". Now the back-off
    goes to what the path answered, sends are paced, a query lost twice waits its doubling timer, and a last
    attempt lost while later queries were answered is asked again: every query answered."""
    network = FakeNetwork(FakeClock(), rtt=0.04, rate=rate, buffer=buffer)
    asked = names(2000, "a.test") + names(2000, "b.test") + names(2000, "c.test")
    answers, engine, took = run(network, asked, [name.split(".", 4)[4] for name in asked])
    assert answers == [NXDOMAIN] * 6000
    assert network.overflowed == engine.stats["retransmits"]  # every retransmission was a drop, none spurious
    assert took < 2.5 * (6000 / rate + 0.04)  # not waiting out timers: at most 2.5 times what the path allows
