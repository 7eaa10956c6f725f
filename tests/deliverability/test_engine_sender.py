"""The sender alone, on fake sockets: what goes out, in which order, where, with which ID, and what a failed
send or an expired timer does. Time is given, never read; nothing touches the network.

MISSION: DLV-2.
"""

import struct
from collections import Counter, deque

import pytest

from deliverability.blocklists.dnsbl import Answer
from deliverability.engine import Query, Settings, encode_name
from deliverability.engine.batch import Batch
from deliverability.engine.congestion import CongestionControl
from deliverability.engine.sender import TIMEOUT, Sender
from deliverability.engine.sockets import Slot
from deliverability.engine.timer import Timer
from tests.deliverability.fakenet import FakeSocket, qname

A = ("192.0.2.1", 53)
B = ("192.0.2.2", 53)


class Harness:
    """A sender on fake sockets with its batch, timer and congestion control."""

    def __init__(self, zones: dict[str, int], *, servers=(A,), ids=None, **options):
        options.setdefault("sockets", 1)
        options.setdefault("min_rto", 0.05)  # timers of a few fake round trips (the default floor: test_engine_loop)
        self.settings = Settings(nameservers=tuple(servers), **options)
        names = [(f"{n}.{zone}", zone) for zone, count in zones.items() for n in range(count)]
        queries = [Query(i, encode_name(name) + struct.pack("!HH", 1, 1), zone) for i, (name, zone) in enumerate(names)]
        self.batch = Batch(queries, self.settings.per_zone)
        self.timer = Timer(self.settings, srtt=0.1, rttvar=0.0)
        self.congestion = CongestionControl(self.settings, now=0.0)
        self.slots = [Slot(FakeSocket(), server) for server in servers for _ in range(self.settings.sockets)]
        self.stats = Counter()
        ids = iter(ids) if ids is not None else iter(range(1, 65536))
        self.sender = Sender(
            self.settings, self.slots, self.batch, self.timer, self.congestion, self.stats,
            getrandbits=lambda bits: next(ids),
        )  # fmt: skip

    def finished(self) -> dict[int, Answer]:
        return {index: answer for index, answer in enumerate(self.batch.answers) if answer is not None}

    def wire(self) -> list[tuple[str, tuple]]:
        """Every datagram sent, in order: (name asked, nameserver)."""
        return [(qname(data), server) for slot in self.slots for data, server in slot.sock.sent]


def test_at_most_burst_datagrams_then_it_asks_to_come_back():
    h = Harness({"z": 10}, burst=4)
    h.timer.srtt = None  # no round trip measured yet: nothing to pace by
    assert h.sender.send(now=0.0) is True
    assert len(h.slots[0].sock.sent) == 4 and h.stats["sent"] == 4 and h.congestion.inflight == 4


def test_datagrams_are_paced_over_the_round_trip_not_sent_in_one_burst():
    """Pacing (as Linux TCP's): a window of 64 on a 100 ms path in slow start goes out at twice 64 per round
    trip, a burst of 4 every 3.125 ms, so a queue on the path (a resolver's, a proxy's receive buffer) is not
    filled at once, and the retransmissions after a loss are not dropped together again."""
    h = Harness({"z": 40}, burst=4)
    pause = 4 * 0.1 / (64 * 2.0)
    for _turn in range(10):
        h.sender.send(now=0.0)
    assert h.stats["sent"] == 4
    assert h.sender.wait(0.0) == pytest.approx(pause)
    assert h.sender.send(now=pause / 2) is False and h.stats["sent"] == 4  # too early: nothing goes
    h.sender.send(now=pause)
    assert h.stats["sent"] == 8


def test_on_a_fast_path_pacing_gets_out_of_the_way():
    """A loopback round trip of 0.4 ms: a pause under half a millisecond is no pause; the sender goes on."""
    h = Harness({"z": 20}, burst=4)
    h.timer.srtt = 0.0004
    assert h.sender.send(now=0.0) is True and h.sender.wait(0.0) == 0.0


def test_the_congestion_window_bounds_what_is_in_flight():
    h = Harness({"z": 10}, initial_window=3)
    assert h.sender.send(now=0.0) is False  # the window is full: wait for answers
    assert h.congestion.inflight == 3
    h.congestion.on_answer()  # cwnd 5, inflight 2
    h.sender.send(now=0.1)
    assert h.congestion.inflight == 5


def test_zones_take_turns_and_stop_at_their_limit():
    h = Harness({"a": 3, "b": 3}, per_zone=2)
    assert h.sender.send(now=0.0) is False  # both zones at their limit
    assert [name for name, _server in h.wire()] == ["0.a", "0.b", "1.a", "1.b"]
    query = h.slots[0].table.popitem()[1]  # say an answer came for one of them
    h.batch.finish(query, Answer(rcode=3))
    h.sender.send(now=0.1)
    assert h.wire()[-1][0] == f"2.{query.zone}"


def test_new_queries_alternate_nameservers_and_spread_over_their_sockets():
    h = Harness({"z": 8}, servers=(A, B), sockets=2)
    h.sender.send(now=0.0)
    in_flight = [query for slot in h.slots for query in slot.table.values()]
    assert Counter(query.slot.server for query in in_flight) == {A: 4, B: 4}
    assert all(query.slot.server == (A, B)[query.server_no] for query in in_flight)
    assert [len(slot.sock.sent) for slot in h.slots] == [2, 2, 2, 2]


def test_an_id_in_flight_on_the_socket_is_not_used_twice():
    h = Harness({"z": 2}, ids=[7, 7, 7, 9])
    h.sender.send(now=0.0)
    assert sorted(h.slots[0].table) == [7, 9]
    assert [struct.unpack("!H", data[:2])[0] for data, _server in h.slots[0].sock.sent] == [7, 9]


def test_the_datagram_is_a_recursive_query_with_the_question():
    h = Harness({"z": 1}, ids=[0x1234])
    h.sender.send(now=0.0)
    ((data, server),) = h.slots[0].sock.sent
    assert data[:12] == bytes.fromhex("1234 0100 0001 0000 0000 0000")
    assert data[12:] == encode_name("0.z") + b"\x00\x01\x00\x01" and server == A


def test_a_sent_query_is_in_flight_with_its_timer_armed():
    h = Harness({"z": 1}, ids=[5])
    h.sender.send(now=3.0)
    query = h.slots[0].table[5]
    assert (query.qid, query.sent, query.slot, query.attempt) == (5, 3.0, h.slots[0], 0)
    assert h.timer.expired(3.299) == [] and h.timer.expired(3.3) == [query]  # rto 3 srtt


def test_a_full_socket_buffer_keeps_the_query_first_in_line():
    h = Harness({"z": 5})
    h.slots[0].sock.room = 2
    h.sender.send(now=0.0)
    assert h.stats["sent"] == 2 and [q.index for q in h.sender.retry] == [2]
    h.slots[0].sock.room = None
    h.sender.send(now=0.01)
    assert [name for name, _server in h.wire()] == ["0.z", "1.z", "2.z", "3.z", "4.z"]


def test_a_socket_buffer_full_at_once_is_tried_again_in_half_a_millisecond_not_in_a_busy_loop():
    h = Harness({"z": 5})
    h.timer.srtt = None  # nothing to pace by
    h.slots[0].sock.room = 0
    assert h.sender.send(now=0.0) is False and h.stats["sent"] == 0
    assert h.sender.wait(0.0) == pytest.approx(0.0005)  # the loop reads answers meanwhile
    h.slots[0].sock.room = None
    h.sender.send(now=0.0005)
    assert h.stats["sent"] == 5


def test_a_nameserver_that_cannot_be_reached_is_left_for_the_others():
    h = Harness({"z": 4}, servers=(A, B))
    h.slots[0].sock.error = PermissionError(13, "Permission denied")
    h.sender.send(now=0.0)
    assert h.sender.unusable == {0}
    assert [server for _name, server in h.wire()] == [B] * 4
    assert h.finished() == {}


def test_with_no_nameserver_left_every_query_fails_with_the_error():
    h = Harness({"z": 3}, servers=(A, B))
    for slot in h.slots:
        slot.sock.error = OSError(101, "Network is unreachable")
    assert h.sender.send(now=0.0) is False
    assert h.finished() == dict.fromkeys(range(3), Answer(failure="network: Network is unreachable"))
    assert h.batch.done == 3
    assert h.stats["sent"] == 0 and h.congestion.inflight == 0


def test_an_expired_query_is_forgotten_counted_lost_and_resent_to_the_next_nameserver():
    h = Harness({"z": 1}, servers=(A, B), ids=[1, 2])
    h.sender.send(now=0.0)
    query = h.slots[0].table[1]
    h.sender.expire(query)
    assert h.slots[0].table == {} and query.qid is None
    assert (h.congestion.inflight, h.congestion.lost) == (0, 1)
    assert query.attempt == 1 and h.stats["retransmits"] == 1 and list(h.sender.retry) == [query]
    h.sender.send(now=0.2)
    assert h.wire() == [("0.z", A), ("0.z", B)]


@pytest.mark.parametrize("retries", [0, 2])
def test_after_the_last_attempt_the_query_times_out(retries):
    h = Harness({"z": 1}, retries=retries)
    for attempt in range(retries + 1):
        h.sender.send(now=float(attempt))
        (query,) = h.slots[0].table.values()
        assert query.attempt == attempt
        h.sender.expire(query)
    assert h.finished() == {query.index: TIMEOUT} and TIMEOUT == Answer(failure="timeout")
    assert h.stats["sent"] == retries + 1 and h.stats["retransmits"] == retries


def test_a_last_attempt_lost_while_later_queries_were_answered_is_asked_again():
    """A congested path (a resolver's full queue drops whatever arrives while it is full): the nameserver
    answered queries sent after this one's last attempt, so that attempt was lost on the way, not unanswered;
    it is asked again, up to as many attempts again (``retries`` + 1 more). Before, a sweep through a busy
    resolver reported dozens of "No answer (timeout)" per 30,000 queries, some of them listed addresses
    (bench/blocklist_process.py)."""
    h = Harness({"z": 1}, retries=1)
    h.sender.send(now=0.0)
    (query,) = h.slots[0].table.values()
    h.sender.expire(query)
    h.sender.send(now=0.2)
    h.timer.answered(0.3, "z")  # a query of the same list sent after the last attempt got its answer
    h.sender.expire(query)
    assert query.attempt == 2 and list(h.sender.retry) == [query] and h.finished() == {}
    for now in (1.0, 2.0):
        h.sender.send(now=now)
        h.timer.answered(now + 0.1, "z")
        h.sender.expire(query)
    assert h.finished() == {query.index: TIMEOUT}  # four attempts: twice retries + 1
    assert h.stats["sent"] == 4 and h.stats["retransmits"] == 3


def test_a_last_attempt_nothing_after_it_answered_ends_as_a_timeout():
    """A nameserver that answered nothing sent after the last attempt (dead, or the name never answered at
    the end of a run): "No answer", after ``retries`` + 1 attempts as before."""
    h = Harness({"z": 1}, retries=1)
    h.timer.answered(0.0, "z")  # answers to queries sent before, not after
    h.timer.answered(5.0, "other")  # another list's answers say nothing of this one's
    h.sender.send(now=0.1)
    (query,) = h.slots[0].table.values()
    h.sender.expire(query)
    h.sender.send(now=0.3)
    h.sender.expire(query)
    assert h.finished() == {query.index: TIMEOUT}


def test_a_query_handed_back_twice_in_one_turn_is_expired_once():
    """Two deadlines of one attempt (the 1 s guess, and the re-arm once a round trip is measured) can fall due
    together: the second hand-back changes nothing (before, it counted the query out of the window twice and
    could finish a query already waiting for its retransmission)."""
    h = Harness({"z": 1}, retries=1)
    h.sender.send(now=0.0)
    (query,) = h.slots[0].table.values()
    h.sender.expire(query)
    h.sender.expire(query)
    assert h.congestion.inflight == 0 and h.congestion.lost == 1 and list(h.sender.retry) == [query]
    assert query.attempt == 1 and h.finished() == {}


# --- the batch: zones in turn, answers in order --------------------------------------------------------


def batch_of(*zones: str, per_zone: int) -> Batch:
    return Batch([Query(i, b"", zone) for i, zone in enumerate(zones)], per_zone)


def test_a_zone_at_its_limit_comes_back_once_one_of_its_queries_finishes():
    batch = batch_of("a", "a", "a", "b", per_zone=1)
    first_a, first_b = batch.next(), batch.next()
    assert (first_a.zone, first_b.zone) == ("a", "b") and not batch.active  # a at its limit, b empty
    batch.finish(first_b, Answer(rcode=3))
    assert not batch.active  # b has nothing left: it does not come back
    batch.finish(first_a, Answer(rcode=3))
    assert list(batch.active) == ["a"]
    assert batch.next().index == 1


def test_a_zone_under_its_limit_is_not_put_in_line_twice():
    batch = batch_of("a", "a", "a", "a", per_zone=3)
    first = batch.next()
    batch.finish(first, Answer(rcode=3))
    assert list(batch.active) == ["a"]


def test_answers_stay_in_the_order_asked_whatever_order_they_come_in():
    batch = batch_of("a", "b", "a", per_zone=5)
    queries = [batch.next() for _ in range(3)]
    for query in reversed(queries):
        batch.finish(query, Answer(rcode=query.index))
    assert [answer.rcode for answer in batch.answers] == [0, 1, 2] and batch.done == batch.total == 3


def test_a_follow_up_goes_first_in_its_zone_and_brings_back_a_zone_that_had_nothing_left():
    asked = []

    def reason_of_a_listing(i, answer):
        if answer.rcode != 0:
            return None
        asked.append(i)
        return 16  # TXT

    batch = Batch(
        [Query(0, b"\x01a\x00\x00\x01\x00\x01", "a"), Query(1, b"\x01b\x00\x00\x01\x00\x01", "a")],
        per_zone=2,
        then=reason_of_a_listing,
    )
    first, second = batch.next(), batch.next()
    assert not batch.active  # nothing left to send
    batch.finish(second, Answer(rcode=3))  # not listed: nothing follows
    batch.finish(first, Answer(rcode=0, addresses=("127.0.0.2",)))
    assert list(batch.active) == ["a"] and batch.total == 3 and asked == [0]
    follow_up = batch.next()
    assert (follow_up.index, follow_up.zone, follow_up.question) == (2, "a", b"\x01a\x00\x00\x10\x00\x01")
    batch.finish(follow_up, Answer(rcode=0, texts=("why",)))  # a follow-up's answer is not followed again
    assert batch.done == batch.total == 3 and batch.answers[2].texts == ("why",) and asked == [0]


def test_a_follow_up_waits_while_its_zone_is_at_its_limit_and_goes_before_the_rest():
    batch = batch_of("a", "a", "a", per_zone=1)
    batch.then = lambda i, answer: 16
    first = batch.next()
    batch.finish(first, Answer(rcode=0))
    assert [batch.next().index, batch.active] == [3, deque()]  # the follow-up, before queries 1 and 2


def test_query_ids_come_from_the_system_random_source_one_read_per_2048(monkeypatch):
    """One ``os.urandom`` call per 2,048 IDs (a call per ID was 40 ms of a 30,000-query check), each ID 16
    random bits as the system gives them."""
    import os

    from deliverability.engine import sender

    reads, system = [], os.urandom

    def urandom(size):
        reads.append(size)
        return system(size)

    monkeypatch.setattr(sender.os, "urandom", urandom)
    source = sender.PooledRandom()
    ids = [source.getrandbits(16) for _ in range(4096)]
    assert reads == [4096, 4096]
    assert all(0 <= qid < 65536 for qid in ids) and len(set(ids)) > 3000  # 4,096 draws of 65,536: ~3,970 distinct
    with pytest.raises(ValueError):
        source.getrandbits(32)
