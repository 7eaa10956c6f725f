"""Retransmission against real servers: a relay in front of rbldnsd that drops chosen queries.

MISSION: DLV-2. The relay (a UDP socket on loopback, in a thread) forwards every query to the real rbldnsd
and its answers back, except that it drops the first copy of the names in ``drop_first`` and every copy of
the names in ``never``. What is checked: a dropped query is asked again and its answer is the right one; the
second copy follows the first after the timer measured on this path, not after the full ``timeout``; a name
nothing answers ends as an error ("No answer (timeout)"), never as clear; the wire-form names the checker
builds (``checker.check``) ask exactly what ``dnsbl.query_name`` says. Timer arithmetic in fake time:
test_engine_timer.py; 5% loss through ``dnsdelay.py``: test_engine.py.
"""

import socket
import threading
import time
from collections import defaultdict

import dns.message
import pytest

from deliverability.blocklists import dnsbl
from deliverability.blocklists.checker import check
from deliverability.blocklists.dnsbl import Status
from deliverability.engine import Engine, PathMemory, Settings
from tests.deliverability.conftest import HOST

TIMEOUT = 5.0  # the last attempt's wait, and what a fixed timer would wait before every retransmission


class DroppingRelay:
    """UDP on loopback: queries go to ``upstream`` and answers come back, but for the names in ``drop_first``
    the first copy is dropped, and for the names in ``never`` every copy. ``arrivals[name]`` lists when
    each copy of a name arrived (``time.monotonic()``)."""

    def __init__(self, upstream: tuple[str, int], drop_first=(), never=()):
        self.upstream, self.drop_first, self.never = upstream, set(drop_first), set(never)
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self.front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.front.bind((HOST, 0))
        self.front.settimeout(0.05)
        self.port = self.front.getsockname()[1]
        self.back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.back.settimeout(1.0)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                data, client = self.front.recvfrom(4096)
            except TimeoutError:
                continue
            name = str(dns.message.from_wire(data).question[0].name).rstrip(".").lower()
            self.arrivals[name].append(time.monotonic())
            if name in self.never or (name in self.drop_first and len(self.arrivals[name]) == 1):
                continue
            self.back.sendto(data, self.upstream)
            try:
                self.front.sendto(self.back.recv(4096), client)
            except TimeoutError:
                continue

    def close(self) -> None:
        self.running = False
        self.thread.join(5)
        self.front.close()
        self.back.close()


@pytest.fixture
def relay_for(rbldnsd):
    relays = []

    def make(**drops) -> DroppingRelay:
        relays.append(DroppingRelay(rbldnsd.nameserver, **drops))
        return relays[-1]

    yield make
    for relay in relays:
        relay.close()


def engine(port: int, retries: int = 2) -> Engine:
    settings = Settings(nameservers=((HOST, port),), timeout=TIMEOUT, retries=retries)
    return Engine(settings, paths=PathMemory())


def names_of(targets, spec):
    return [dnsbl.query_name(dnsbl.parse_target(text), spec) for text in targets]


def test_a_dropped_query_is_asked_again_after_the_measured_timer_and_answered(rbldnsd, relay_for, zen_spec):
    targets = [f"192.0.2.{n}" for n in range(16)] + [f"198.51.100.{n}" for n in range(40, 44)]
    targets += [f"10.0.0.{n}" for n in range(60)]
    names, zones = names_of(targets, zen_spec), [zen_spec.zone] * len(targets)
    dropped = names[::7]  # listed, clear and error-coded names among them
    relay = relay_for(drop_first=dropped)
    e = engine(relay.port)
    warm_up = names_of([f"10.1.0.{n}" for n in range(20)], zen_spec)
    e.resolve(warm_up, [zen_spec.zone] * 20)  # the path's round trip measured (the engine's PathMemory keeps it)
    answers = e.resolve(names, zones)
    expected = engine(rbldnsd.port).resolve(names, zones)  # straight to rbldnsd, nothing dropped
    assert answers == expected
    assert [a.failure for a in answers if a.failure] == []
    assert {Status.LISTED, Status.CLEAR, Status.ERROR} <= {dnsbl.decode(zen_spec, a).status for a in answers}
    assert e.stats["retransmits"] == len(dropped)
    for name in dropped:
        first, second = relay.arrivals[name]
        # a timer from the measured loopback round trip (milliseconds, at least 50 ms), not the 5 s a fixed
        # timeout waits: the bound is half of that, so only a machine stalled for seconds could miss it
        assert second - first < TIMEOUT / 2, (name, relay.arrivals[name])


def test_a_name_nothing_answers_ends_as_an_error_never_clear(relay_for, zen_spec):
    targets = ["192.0.2.1", "192.0.2.5", "203.0.113.7", "203.0.113.8"]  # listed, clear, clear, clear
    names = names_of(targets, zen_spec)
    relay = relay_for(never=names[1:3])
    e = Engine(Settings(nameservers=((HOST, relay.port),), timeout=0.3, retries=2), paths=PathMemory())
    findings = list(check(e, [dnsbl.parse_target(t) for t in targets], [zen_spec], zone_health={}))
    assert [f.result.status for f in findings] == [Status.LISTED, Status.ERROR, Status.ERROR, Status.CLEAR]
    assert [str(f.result.meaning) for f in findings[1:3]] == ["No answer (timeout)."] * 2
    assert [len(relay.arrivals[name]) for name in names[1:3]] == [3, 3]  # the first send and two retries


ASKED = {
    "zen_spec": ["192.0.2.1", "::ffff:198.51.100.3"],
    "v6_spec": ["2001:db8::1", "2001:db8:1::5"],
    "dbl_spec": ["spam.example", "a.b.wild.example"],
    "uribl_spec": ["www.black.example", "clean.example"],  # asked as black.example: the registered domain
}


@pytest.mark.parametrize("spec_name", ASKED)
def test_the_checker_asks_the_names_query_name_says(relay_for, request, spec_name):
    """``check`` builds each name's wire form from a target's labels and the zone's; the relay decodes what
    arrived."""
    spec = request.getfixturevalue(spec_name)
    targets = [dnsbl.parse_target(t) for t in ASKED[spec_name]]
    relay = relay_for()
    findings = list(check(engine(relay.port), targets, [spec], zone_health={}))
    assert set(relay.arrivals) == {dnsbl.query_name(t, spec) for t in targets}
    assert findings[0].result.status == Status.LISTED
