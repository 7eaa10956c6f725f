"""The receiver: which datagrams are answers to our queries, and what they say.

A datagram is accepted only from the nameserver asked, on the socket asked from, as a response, with an
ID in flight on that socket and the same question (compared case-insensitively: a resolver may answer
in 0x20 mixed case); anything else is counted ``ignored`` and dropped. NXDOMAIN, and answers without
records, are decided from the 12-byte header. A listing's answer as lists send it (one A or TXT record
for the name asked, nothing else) is read straight from the wire (``one_record``); any other answer that
carries records is parsed by dnspython, which also names what is wrong with a malformed one.
A truncated answer (TC) is set aside to be asked again over TCP. An answer to a first attempt is a
round-trip sample for the timer (Karn's rule); every answer tells the timer which queries it overtook
(``Timer.overtaken``) and lets the congestion window grow.
"""

import struct
from collections.abc import Callable

import dns.exception
import dns.rcode
import dns.rdatatype

from ..blocklists.dnsbl import Answer
from .congestion import CongestionControl
from .query import Query
from .sockets import Slot
from .timer import Timer

NXDOMAIN = Answer(rcode=dns.rcode.NXDOMAIN)
_NXDOMAIN, _NOERROR = dns.rcode.NXDOMAIN, dns.rcode.NOERROR
_ONE_ANSWER = b"\x00\x01\x00\x00\x00\x00"  # ANCOUNT 1, NSCOUNT 0, ARCOUNT 0
_RECORD = struct.Struct("!HHHIH")  # owner (a pointer), TYPE, CLASS, TTL, RDLENGTH
_TO_QUESTION, _A, _TXT, _IN = 0xC00C, 1, 16, 1


class Receiver:
    __slots__ = ("rdtype", "timer", "congestion", "finish", "truncated", "stats", "clock")

    def __init__(
        self,
        rdtype: int,
        timer: Timer,
        congestion: CongestionControl,
        finish: Callable[[Query, Answer | None], None],
        truncated: list[Query],
        stats: dict[str, int],
        clock: Callable[[], float],
    ):
        self.rdtype, self.timer, self.congestion, self.finish = rdtype, timer, congestion, finish
        self.truncated, self.stats, self.clock = truncated, stats, clock

    def drain(self, slot: Slot) -> None:
        """Read every datagram waiting on ``slot`` and finish the queries they answer."""
        sock, server, table = slot.sock, slot.server, slot.table
        match, finish, clock = self.match, self.finish, self.clock  # looked up once: this loop runs per datagram
        sample, answered, on_answer = self.timer.sample, self.timer.answered, self.congestion.on_answer
        while True:
            try:
                data, source = sock.recvfrom(65535)
            except OSError:  # nothing more to read, or ICMP port unreachable and friends: the timers deal with it
                return
            query = match(data, source, server, table)
            if query is None:
                continue
            del table[query.qid]
            query.qid = None
            answered(query.sent, query.zone)
            if query.attempt == 0:  # measured when read: a busy process sees longer round trips, and waits longer
                sample(clock() - query.sent)
            on_answer()
            if data[2] & 0x02:  # TC: ask again over TCP once the UDP work is done
                self.truncated.append(query)
                finish(query, None)
                continue
            rcode = data[3] & 0x0F
            if rcode == _NXDOMAIN:
                finish(query, NXDOMAIN)
            elif rcode == _NOERROR and (data[6] or data[7]):
                finish(query, self.parse(data, 12 + len(query.question)))
            else:
                finish(query, Answer(rcode=rcode))

    def match(self, data: bytes, source, server: tuple[str, int], table: dict) -> Query | None:
        """The query in flight that ``data`` from ``source`` answers, if any."""
        if len(data) < 12 or source[:2] != server or not data[2] & 0x80:
            self.stats["ignored"] += 1
            return None
        query = table.get((data[0] << 8) | data[1])
        if query is None or data[12 : 12 + len(query.question)].lower() != query.question.lower():
            self.stats["ignored"] += 1
            return None
        self.stats["received"] += 1
        return query

    def parse(self, data: bytes, end_of_question: int) -> Answer:
        """An answer that carries records: one A or TXT record read straight from the wire, else dnspython."""
        self.stats["parsed"] += 1
        answer = one_record(data, end_of_question)
        if answer is not None:
            return answer
        import dns.message  # for the rare answer one_record cannot read: not in every process's start-up

        try:
            message = dns.message.from_wire(data, ignore_trailing=True)
        except dns.exception.DNSException as exc:
            return Answer(failure=f"malformed answer: {exc.__class__.__name__}")
        return records(message, self.rdtype)


def one_record(data: bytes, end_of_question: int) -> Answer | None:
    """The answer when it is exactly one A or TXT record (class IN) owned by the name asked (a pointer to
    the question) and nothing else; None for anything else, which dnspython then reads. The record must
    be whole (an A is 4 bytes, TXT strings fill their RDATA exactly); bytes after it are ignored, as
    dnspython is told to. MISSION: DLV-2 (a whole process checks 10,000 addresses; see bench/blocklist_process.py)."""
    if data[6:12] != _ONE_ANSWER or len(data) < end_of_question + 12:
        return None
    owner, rdtype, rdclass, _ttl, length = _RECORD.unpack_from(data, end_of_question)
    start = end_of_question + 12
    end = start + length
    if owner != _TO_QUESTION or rdclass != _IN or end > len(data):
        return None
    if rdtype == _A and length == 4:
        return Answer(rcode=_NOERROR, addresses=(f"{data[start]}.{data[start + 1]}.{data[start + 2]}.{data[end - 1]}",))
    if rdtype != _TXT or not length:
        return None
    strings, at = [], start
    while at < end:
        at, size = at + 1, data[at]
        strings.append(data[at : at + size])
        at += size
    if at != end:
        return None
    return Answer(rcode=_NOERROR, texts=(b"".join(strings).decode("utf-8", "replace"),))


def records(message: "dns.message.Message", rdtype: int) -> Answer:
    """The A addresses and TXT strings of an answer."""
    addresses, texts = [], []
    for rrset in message.answer:
        if rrset.rdtype == dns.rdatatype.A:
            addresses.extend(rdata.address for rdata in rrset)
        elif rrset.rdtype == dns.rdatatype.TXT:
            texts.extend(b"".join(rdata.strings).decode("utf-8", "replace") for rdata in rrset)
    return Answer(rcode=message.rcode(), addresses=tuple(addresses), texts=tuple(texts))
