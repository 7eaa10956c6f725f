"""The receiver alone, on fake sockets and a fake clock: which datagrams are accepted, what they say, and
what an answer tells the timer and the congestion control.

MISSION: DLV-2. ``TestMatch`` came from test_engine_limits.py when matching moved from ``Engine._match``
to ``Receiver.match``; its cases are unchanged.
"""

from collections import Counter

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from deliverability.blocklists.dnsbl import Answer
from deliverability.engine import NXDOMAIN, Query, Settings
from deliverability.engine.congestion import CongestionControl
from deliverability.engine.query import question
from deliverability.engine.receiver import Receiver, one_record, records
from deliverability.engine.sockets import Slot
from deliverability.engine.timer import Timer
from tests.deliverability.fakenet import FakeClock, FakeSocket, reply_to

SERVER = ("127.0.0.1", 5300)
NAME = "2.0.0.127.zen.test"


class Harness:
    def __init__(self, rdtype=dns.rdatatype.A):
        settings = Settings(nameservers=(SERVER,), initial_window=16)
        self.clock = FakeClock(10.0)
        self.timer = Timer(settings)
        self.congestion = CongestionControl(settings, now=0.0)
        self.finished: list[tuple[Query, Answer | None]] = []
        self.truncated: list[Query] = []
        self.stats = Counter()
        self.receiver = Receiver(
            rdtype, self.timer, self.congestion, self.finish, self.truncated, self.stats, self.clock
        )
        self.slot = Slot(FakeSocket(), SERVER)

    def finish(self, query, answer):
        self.finished.append((query, answer))

    def in_flight(self, name=NAME, qid=0x1234, sent=9.97, attempt=0, rdtype=dns.rdatatype.A) -> Query:
        query = Query(0, question(name, rdtype), "zen")
        query.qid, query.sent, query.attempt, query.slot = qid, sent, attempt, self.slot
        self.slot.table[qid] = query
        self.congestion.inflight += 1
        return query

    def arrives(self, wire: bytes, source=SERVER) -> None:
        self.slot.sock.inbox.append((wire, source))


def query_wire(name=NAME, qid=0x1234, rdtype="A") -> bytes:
    query = dns.message.make_query(name, rdtype)
    query.id = qid
    return query.to_wire()


def test_nxdomain_is_read_from_the_header_without_parsing():
    h = Harness()
    query = h.in_flight()
    h.arrives(reply_to(query_wire()))
    h.receiver.drain(h.slot)
    assert h.finished == [(query, NXDOMAIN)]
    assert h.stats == {"received": 1} and h.slot.table == {} and query.qid is None


def test_an_answer_with_records_is_parsed():
    h = Harness()
    query = h.in_flight()
    h.arrives(reply_to(query_wire(), address="127.0.0.2"))
    h.receiver.drain(h.slot)
    assert h.finished == [(query, Answer(rcode=dns.rcode.NOERROR, addresses=("127.0.0.2",)))]
    assert h.stats["parsed"] == 1


@pytest.mark.parametrize("rcode", [dns.rcode.NOERROR, dns.rcode.SERVFAIL, dns.rcode.REFUSED])
def test_other_answers_without_records_are_their_rcode(rcode):
    h = Harness()
    query = h.in_flight()
    h.arrives(reply_to(query_wire(), rcode=rcode))
    h.receiver.drain(h.slot)
    assert h.finished == [(query, Answer(rcode=rcode))] and h.stats["parsed"] == 0


def test_a_malformed_answer_with_records_is_a_failure():
    h = Harness()
    query = h.in_flight()
    wire = reply_to(query_wire(), address="127.0.0.2")
    h.arrives(wire[:-3])  # the A record cut short
    h.receiver.drain(h.slot)
    ((finished, answer),) = h.finished
    assert finished is query and answer.failure.startswith("malformed answer: ")


def test_a_truncated_answer_is_set_aside_for_tcp():
    h = Harness()
    query = h.in_flight()
    h.arrives(reply_to(query_wire(), rcode=dns.rcode.NOERROR, tc=True))
    h.receiver.drain(h.slot)
    assert h.truncated == [query] and h.finished == [(query, None)]


def test_every_waiting_datagram_is_read_strangers_skipped():
    h = Harness()
    first, second = h.in_flight(qid=1), h.in_flight(name="3.0.0.127.zen.test", qid=2)
    h.arrives(reply_to(query_wire(qid=1)))
    h.arrives(reply_to(query_wire(qid=99)))  # an ID not in flight
    h.arrives(reply_to(query_wire(name="3.0.0.127.zen.test", qid=2)), source=("192.0.2.1", 53))  # wrong source
    h.arrives(reply_to(query_wire(name="3.0.0.127.zen.test", qid=2)))
    h.receiver.drain(h.slot)
    assert [query for query, _answer in h.finished] == [first, second]
    assert h.stats == {"received": 2, "ignored": 2}


def test_an_icmp_error_ends_the_read_and_leaves_the_query_to_its_timer():
    h = Harness()
    query = h.in_flight()
    h.slot.sock.inbox.append(ConnectionRefusedError(111, "Connection refused"))
    h.arrives(reply_to(query_wire()))
    h.receiver.drain(h.slot)
    assert h.finished == [] and h.slot.table == {0x1234: query}


def test_an_answer_to_a_first_attempt_is_a_round_trip_sample():
    h = Harness()
    h.in_flight(sent=9.97)
    h.arrives(reply_to(query_wire()))
    h.receiver.drain(h.slot)  # the clock says 10.0
    assert h.timer.srtt == pytest.approx(0.03)


def test_an_answer_to_a_resent_query_is_not_sampled():
    """Karn's rule: it may answer the first send or the second; its round trip is unknown."""
    h = Harness()
    h.in_flight(sent=9.0, attempt=1)
    h.arrives(reply_to(query_wire()))
    h.receiver.drain(h.slot)
    assert h.timer.srtt is None and len(h.finished) == 1


def test_every_answer_leaves_the_flight_and_grows_the_window():
    h = Harness()
    h.in_flight(qid=1)
    h.in_flight(name="3.0.0.127.zen.test", qid=2)
    h.arrives(reply_to(query_wire(qid=1)))
    h.arrives(reply_to(query_wire(name="3.0.0.127.zen.test", qid=2)))
    h.receiver.drain(h.slot)
    assert (h.congestion.inflight, h.congestion.answered, h.congestion.cwnd) == (0, 2, 20.0)


class TestMatch:
    """``Receiver.match``: only the nameserver asked, with the query's ID and question, as a response."""

    QID = 0x1234

    def setup_method(self):
        self.harness = Harness()
        self.receiver = self.harness.receiver
        self.pending = self.harness.in_flight(qid=self.QID)
        self.table = self.harness.slot.table

    def reply(self, name=None, qid=QID, rdtype="A", response=True) -> bytes:
        wire = query_wire(name or NAME, qid, rdtype)
        return reply_to(wire) if response else wire

    def match(self, data, source=SERVER, server=SERVER):
        return self.receiver.match(data, source, server, self.table)

    def test_the_right_reply_is_accepted(self):
        assert self.match(self.reply()) is self.pending
        assert self.harness.stats["received"] == 1 and self.harness.stats["ignored"] == 0

    def test_case_randomised_question_is_accepted(self):
        assert self.match(self.reply(name="2.0.0.127.ZeN.TeSt")) is self.pending

    @pytest.mark.parametrize("source", [("127.0.0.2", 5300), ("127.0.0.1", 5301), ("192.0.2.1", 53)])
    def test_wrong_source_is_ignored(self, source):
        assert self.match(self.reply(), source=source) is None
        assert self.harness.stats["ignored"] == 1 and self.harness.stats["received"] == 0

    def test_wrong_id_is_ignored(self):
        assert self.match(self.reply(qid=self.QID + 1)) is None
        assert self.harness.stats["ignored"] == 1

    @pytest.mark.parametrize(
        ("name", "rdtype"), [("3.0.0.127.zen.test", "A"), (None, "TXT"), ("2.0.0.127.zen.tes", "A")]
    )
    def test_wrong_question_is_ignored(self, name, rdtype):
        assert self.match(self.reply(name=name, rdtype=rdtype)) is None
        assert self.harness.stats["ignored"] == 1

    def test_a_query_is_not_a_reply(self):
        assert self.match(self.reply(response=False)) is None

    @pytest.mark.parametrize("data", [b"", b"\x12\x34\x81", b"\x12\x34\x81\x83\x00\x01\x00\x00\x00\x00\x00"])
    def test_short_packets_are_ignored(self, data):
        assert self.match(data) is None

    def test_truncated_question_is_ignored(self):
        assert self.match(self.reply()[:20]) is None

    def test_ipv6_source_tuple(self):
        assert self.match(self.reply(), source=("::1", 5300, 0, 0), server=("::1", 5300)) is self.pending


# --- one record read from the wire, everything else by dnspython -----------------------------------------


def answer_with(*records: tuple[str, str, str], name=NAME, rdtype="A") -> bytes:
    """A NOERROR answer to ``query_wire`` carrying ``records`` (owner, type, text) in the answer section."""
    response = dns.message.make_response(dns.message.from_wire(query_wire(name, rdtype=rdtype)))
    for owner, kind, text in records:
        response.answer.append(dns.rrset.from_text(owner + ".", 60, "IN", kind, text))
    return response.to_wire()


WIRE_CASES = {
    "one A": answer_with((NAME, "A", "127.0.0.2")),
    "one A outside 127/8": answer_with((NAME, "A", "10.0.0.1")),
    "one TXT": answer_with((NAME, "TXT", '"Listed: see https://example.test/q?ip=192.0.2.1"'), rdtype="TXT"),
    "TXT of several strings": answer_with((NAME, "TXT", '"one " "two" ""'), rdtype="TXT"),
    "TXT not UTF-8": answer_with((NAME, "TXT", '"caf\\233"'), rdtype="TXT"),
    "two A (dnspython)": answer_with((NAME, "A", "127.0.0.2"), (NAME, "A", "127.0.0.4")),
    "A of another owner (dnspython)": answer_with(("other.zen.test", "A", "127.0.0.2")),
    "a CNAME (dnspython)": answer_with((NAME, "CNAME", "x.zen.test."), ("x.zen.test", "A", "127.0.0.3")),
    "AAAA only (dnspython)": answer_with((NAME, "AAAA", "::1")),
}


@pytest.mark.parametrize("case", WIRE_CASES, ids=str)
def test_an_answer_reads_the_same_as_dnspython_reads_it(case):
    wire = WIRE_CASES[case]
    rdtype = dns.rdatatype.TXT if "TXT" in case else dns.rdatatype.A
    h = Harness(rdtype)
    query = h.in_flight(rdtype=rdtype)
    h.arrives(wire)
    h.receiver.drain(h.slot)
    assert h.finished == [(query, records(dns.message.from_wire(wire), rdtype))]
    read_from_wire = one_record(wire, 12 + len(query.question))
    assert (read_from_wire is None) == ("(dnspython)" in case)


@pytest.mark.parametrize(
    "damage",
    [
        lambda wire: wire[:-3],  # the A record cut short
        lambda wire: wire[:-6] + b"\x00\x03" + wire[-4:-1],  # RDLENGTH 3: not an address
        lambda wire: wire[:-6] + b"\x00\x05" + wire[-4:],  # RDLENGTH past the end
    ],
    ids=["cut short", "three-byte A", "length past the end"],
)
def test_a_damaged_single_record_is_left_to_dnspython_which_names_the_failure(damage):
    wire = damage(WIRE_CASES["one A"])
    h = Harness()
    query = h.in_flight()
    h.arrives(wire)
    h.receiver.drain(h.slot)
    ((finished, answer),) = h.finished
    assert finished is query and answer.failure.startswith("malformed answer: ")
    assert one_record(wire, 12 + len(query.question)) is None


@pytest.mark.parametrize("strings", [b"\x05abc", b"\x02ab\x09cd"], ids=["string past RDATA", "second string past"])
def test_a_txt_record_whose_strings_overrun_is_left_to_dnspython(strings):
    good = WIRE_CASES["one TXT"]
    start = 12 + len(question(NAME, dns.rdatatype.TXT)) + 12  # the RDATA
    wire = good[: start - 2] + len(strings).to_bytes(2, "big") + strings
    assert one_record(wire, start - 12) is None
