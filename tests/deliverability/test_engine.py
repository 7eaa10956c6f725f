"""The UDP lookup engine against a real rbldnsd, a lossy delaying proxy, a dead port and small fakes.

MISSION: DLV-2. What is checked: every zone entry of the rbldnsd fixture decodes end to end (A, then
``dnsbl.decode`` with the zone's spec); TXT reasons come back with ``$`` substituted; the RFC 5782 health
check passes for live zones and fails for dead.test and all.test; a dead resolver gives timeouts (errors,
never listed or clear) within timeout * (retries + 1); 5% loss is recovered by retransmissions; the
per-zone and window limits hold; replies from the wrong source / with the wrong ID / question are
ignored; a truncated answer is asked again over TCP; 20,000 names on loopback all come back.
"""

import heapq
import select
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from deliverability import dnsbl
from deliverability.dnsbl import Kind, Status, Target
from deliverability.engine import Engine, Settings, _Pending, encode_name

PROJECT = Path(__file__).resolve().parents[2]


def engine_for(port: int, **options) -> Engine:
    options.setdefault("timeout", 1.0)
    options.setdefault("retries", 2)
    return Engine(Settings(nameservers=(("127.0.0.1", port),), **options))


def check(engine: Engine, spec: dnsbl.ZoneSpec, targets, rdtype=dns.rdatatype.A):
    """Resolve the targets on one zone; return (answers, results)."""
    names = [dnsbl.query_name(t, spec) for t in targets]
    answers = engine.resolve(names, [spec.zone] * len(names), rdtype=rdtype)
    return answers, [dnsbl.decode(spec, a) for a in answers]


# --- every entry end to end ----------------------------------------------------------------------------

ZEN_CASES = [
    # (target, status, codes, meaning, policy)
    ("127.0.0.2", Status.LISTED, ("127.0.0.2",), "SBL", False),
    ("127.0.0.1", Status.CLEAR, (), "", False),
    ("192.0.2.0", Status.LISTED, ("127.0.0.2",), "SBL", False),  # first address of the /28
    ("192.0.2.15", Status.LISTED, ("127.0.0.2",), "SBL", False),  # last address of the /28
    ("192.0.2.5", Status.CLEAR, (), "", False),  # the "!" exclusion
    ("192.0.2.16", Status.CLEAR, (), "", False),  # just past the /28
    ("198.51.100.3", Status.LISTED, ("127.0.0.3",), "CSS", False),
    ("198.51.100.4", Status.LISTED, ("127.0.0.4",), "XBL (exploits)", False),
    ("198.51.100.10", Status.LISTED, ("127.0.0.10",), "PBL (policy)", True),
    ("198.51.100.252", Status.ERROR, ("127.255.255.252",), "Typo in the DNSBL zone name", False),
    ("198.51.100.254", Status.ERROR, ("127.255.255.254",), "Query via a public/open resolver", False),
    ("198.51.100.255", Status.ERROR, ("127.255.255.255",), "Excessive number of queries", False),
    ("198.51.100.20", Status.UNKNOWN, ("10.0.0.1",), "outside 127.0.0.0/8", False),
    ("198.51.100.99", Status.UNKNOWN, ("127.0.0.99",), "not a code this list documents", False),
    ("198.51.100.40", Status.LISTED, ("127.0.0.2", "127.0.0.4"), "SBL; XBL (exploits)", False),
    ("198.51.100.41", Status.LISTED, ("127.0.0.10", "127.0.0.11"), "PBL (policy)", True),
    ("198.51.100.42", Status.ERROR, ("127.0.0.2", "127.255.255.254"), "Query via a public/open resolver", False),
    ("203.0.113.7", Status.CLEAR, (), "", False),
    ("::ffff:198.51.100.3", Status.LISTED, ("127.0.0.3",), "CSS", False),  # mapped: asked as IPv4
]
V6_CASES = [
    ("2001:db8::1", Status.LISTED, ("127.0.0.2",), "Listed (v6)", False),
    ("2001:db8::ffff:ffff:ffff:ffff", Status.LISTED, ("127.0.0.2",), "Listed (v6)", False),
    ("2001:db8:0:1::1", Status.CLEAR, (), "", False),  # the next /64
    ("2001:db8:1::5", Status.LISTED, ("127.0.0.4",), "XBL (v6)", False),
    ("2001:db8:1::6", Status.CLEAR, (), "", False),
]
DBL_CASES = [
    ("spam.example", Status.LISTED, ("127.0.1.2",), "spam domain", False),
    ("sub.spam.example", Status.CLEAR, (), "", False),  # not a wildcard entry
    ("wild.example", Status.LISTED, ("127.0.1.2",), "spam domain", False),  # ".wild.example": itself
    ("a.b.wild.example", Status.LISTED, ("127.0.1.2",), "spam domain", False),  # and its subdomains
    ("notwild.example", Status.CLEAR, (), "", False),
    ("ipqueried.example", Status.ERROR, ("127.0.1.255",), "An IP address was queried on a domain list", False),
    ("phish.example", Status.LISTED, ("127.0.1.4",), "phishing domain", False),
    ("clean.example", Status.CLEAR, (), "", False),
]
URIBL_CASES = [
    ("black.example", Status.LISTED, ("127.0.0.2",), "black", False),
    ("www.black.example", Status.LISTED, ("127.0.0.2",), "black", False),  # asked as the registered domain
    ("blackgrey.example", Status.LISTED, ("127.0.0.6",), "black; grey", False),
    ("refused.example", Status.ERROR, ("127.0.0.1",), "Query refused (blocked resolver)", False),
    ("oddbit.example", Status.UNKNOWN, ("127.0.0.64",), "not a code this list documents", False),
    ("clean.example", Status.CLEAR, (), "", False),
]


@pytest.mark.parametrize(
    ("spec_name", "case"),
    [("zen_spec", case) for case in ZEN_CASES]
    + [("v6_spec", case) for case in V6_CASES]
    + [("dbl_spec", case) for case in DBL_CASES]
    + [("uribl_spec", case) for case in URIBL_CASES],
    ids=lambda value: value if isinstance(value, str) else value[0],
)
def test_entry_decodes_end_to_end(rbldnsd, request, spec_name, case):
    spec = request.getfixturevalue(spec_name)
    text, status, codes, meaning, policy = case
    target = dnsbl.parse_target(text)
    assert spec.accepts(target)
    answers, results = check(engine_for(rbldnsd.port), spec, [target])
    result = results[0]
    assert answers[0].failure == ""
    assert result.status == status, (answers[0], result)
    assert result.codes == codes
    assert meaning in result.meaning
    assert result.policy is policy


def test_all_zones_in_one_batch(rbldnsd, zen_spec, v6_spec, dbl_spec, uribl_spec):
    """The same entries, every zone at once: the answers come back in the order asked."""
    names, zones, expected = [], [], []
    for spec, cases in ((zen_spec, ZEN_CASES), (v6_spec, V6_CASES), (dbl_spec, DBL_CASES), (uribl_spec, URIBL_CASES)):
        for text, status, codes, _meaning, _policy in cases:
            names.append(dnsbl.query_name(dnsbl.parse_target(text), spec))
            zones.append(spec.zone)
            expected.append((spec, status, codes))
    engine = engine_for(rbldnsd.port, window=7, per_zone=3)
    answers = engine.resolve(names, zones)
    assert [
        (dnsbl.decode(spec, a).status, dnsbl.decode(spec, a).codes)
        for (spec, _s, _c), a in zip(expected, answers, strict=True)
    ] == [(status, codes) for _spec, status, codes in expected]
    assert engine.stats["sent"] == len(names) and engine.stats["retransmits"] == 0


# --- TXT reasons ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec_name", "text", "reason"),
    [
        ("zen_spec", "127.0.0.2", "Listed, see https://zen.test/lookup?127.0.0.2"),
        ("zen_spec", "192.0.2.3", "Listed, see https://zen.test/lookup?192.0.2.3"),
        ("zen_spec", "198.51.100.3", "CSS listing for 198.51.100.3"),
        ("zen_spec", "198.51.100.10", "PBL listing for 198.51.100.10"),
        ("v6_spec", "2001:db8:1::5", "XBL v6 listing for 2001:db8:1::5"),
        ("dbl_spec", "phish.example", "Phishing domain phish.example"),
        ("dbl_spec", "spam.example", "Spam domain spam.example"),
        ("uribl_spec", "blackgrey.example", "Black and grey blackgrey.example"),
    ],
)
def test_txt_reason_with_dollar_substituted(rbldnsd, request, spec_name, text, reason):
    spec = request.getfixturevalue(spec_name)
    target = dnsbl.parse_target(text)
    engine = engine_for(rbldnsd.port)
    (txt,), _results = check(engine, spec, [target], rdtype=dns.rdatatype.TXT)
    assert txt.rcode == dns.rcode.NOERROR
    assert txt.texts == (reason,)
    assert "$" not in txt.texts[0]
    (a,), (result,) = check(engine, spec, [target])
    assert result.status == Status.LISTED
    assert result.with_reason(txt.texts[0]).reason == reason


def test_txt_of_an_unlisted_address_is_nxdomain(rbldnsd, zen_spec):
    (txt,), (result,) = check(
        engine_for(rbldnsd.port), zen_spec, [dnsbl.parse_target("203.0.113.7")], dns.rdatatype.TXT
    )
    assert txt.rcode == dns.rcode.NXDOMAIN and txt.texts == ()
    assert result.status == Status.CLEAR


def test_txt_of_a_listing_without_a_template_is_empty(rbldnsd, zen_spec):
    """Entries written ``:127.0.0.2:`` (empty template) answer A but carry no TXT: no reason, still listed."""
    engine = engine_for(rbldnsd.port)
    (txt,), _ = check(engine, zen_spec, [dnsbl.parse_target("198.51.100.40")], dns.rdatatype.TXT)
    assert txt.texts == ()
    (a,), (result,) = check(engine, zen_spec, [dnsbl.parse_target("198.51.100.40")])
    assert result.status == Status.LISTED and result.with_reason("").reason == ""


# --- health -------------------------------------------------------------------------------------------


def health_of(engine: Engine, spec: dnsbl.ZoneSpec) -> dnsbl.Health:
    listed_name, clear_name = dnsbl.probe_names(spec)
    listed, clear = engine.resolve([listed_name, clear_name], [spec.zone] * 2)
    return dnsbl.health(spec, listed, clear)


@pytest.mark.parametrize("spec_name", ["zen_spec", "v6_spec", "dbl_spec", "uribl_spec"])
def test_health_passes_for_live_zones(rbldnsd, request, spec_name):
    assert health_of(engine_for(rbldnsd.port), request.getfixturevalue(spec_name)) == dnsbl.Health(True)


def test_health_fails_for_a_zone_that_does_not_list_the_test_entry(rbldnsd, dead_spec):
    health = health_of(engine_for(rbldnsd.port), dead_spec)
    assert not health.ok
    assert health.problem == "The test entry 127.0.0.2 is not listed: the list is dead or not answering."


def test_health_fails_for_a_zone_that_lists_everything(rbldnsd, all_spec):
    health = health_of(engine_for(rbldnsd.port), all_spec)
    assert not health.ok
    assert health.problem == "127.0.0.1 is listed: the list answers “listed” for everything."


def test_health_probe_entries_are_really_served(rbldnsd, v6_spec, dbl_spec):
    """The RFC 5782 probes asked as the module builds them: ::ffff:7f00:2 as nibbles, "test" as a name."""
    engine = engine_for(rbldnsd.port)
    v6_listed, v6_clear = engine.resolve(list(dnsbl.probe_names(v6_spec)))
    assert v6_listed.addresses == ("127.0.0.2",) and v6_clear.rcode == dns.rcode.NXDOMAIN
    dbl_listed, dbl_clear = engine.resolve(list(dnsbl.probe_names(dbl_spec)))
    assert dbl_listed.addresses == ("127.0.1.2",) and dbl_clear.rcode == dns.rcode.NXDOMAIN
    # and through decode: the probe target itself is a listing on these zones
    probe = dnsbl.decode(v6_spec, engine.resolve([dnsbl.query_name(Target(Kind.IP6, "::ffff:7f00:2"), v6_spec)])[0])
    assert probe.status == Status.LISTED


def test_health_fails_when_the_resolver_is_dead(dead_port, zen_spec):
    health = health_of(engine_for(dead_port, timeout=0.2, retries=0), zen_spec)
    assert not health.ok
    assert health.problem == "No answer from the resolver (timeout)."


# --- a dead resolver ----------------------------------------------------------------------------------


def test_dead_port_times_out_every_name_in_bounded_time(dead_port, zen_spec):
    timeout, retries = 0.3, 2
    targets = [dnsbl.parse_target(f"192.0.2.{n}") for n in range(50)]  # listed and unlisted alike
    engine = engine_for(dead_port, timeout=timeout, retries=retries)
    started = time.monotonic()
    answers, results = check(engine, zen_spec, targets)
    elapsed = time.monotonic() - started
    assert elapsed < timeout * (retries + 1) + 1.0
    assert elapsed >= timeout * (retries + 1) * 0.9  # it did wait for every attempt
    assert [a.failure for a in answers] == ["timeout"] * len(targets)
    assert {r.status for r in results} == {Status.ERROR}
    assert {r.meaning for r in results} == {"No answer (timeout)."}
    assert engine.stats["sent"] == len(targets) * (retries + 1)
    assert engine.stats["retransmits"] == len(targets) * retries
    assert engine.stats["received"] == 0


# --- loss and latency ---------------------------------------------------------------------------------


def test_lossy_delayed_path_recovers_every_answer(delayed, zen_spec, dbl_spec):
    """2,000 queries through 40 +- 10 ms and 5% loss: retransmissions recover every lost answer."""
    targets, specs, expected = [], [], []
    for n in range(1500):
        if n % 5 == 0:
            address, status = f"192.0.2.{n % 16}", Status.LISTED if n % 16 != 5 else Status.CLEAR
        else:
            address, status = f"10.{n // 256 % 256}.{n % 256}.{n % 7}", Status.CLEAR
        targets.append(dnsbl.parse_target(address))
        specs.append(zen_spec)
        expected.append(status)
    for n in range(500):
        domain, status = ("spam.example", Status.LISTED) if n % 4 == 0 else (f"host{n}.clean.example", Status.CLEAR)
        if n % 10 == 1:
            domain, status = f"d{n}.wild.example", Status.LISTED
        targets.append(dnsbl.parse_target(domain))
        specs.append(dbl_spec)
        expected.append(status)
    names = [dnsbl.query_name(t, s) for t, s in zip(targets, specs, strict=True)]
    engine = Engine(Settings(nameservers=(("127.0.0.1", delayed),), timeout=2.0, retries=4))
    started = time.monotonic()
    answers = engine.resolve(names, [s.zone for s in specs])
    elapsed = time.monotonic() - started
    assert [a.failure for a in answers if a.failure] == []
    assert [dnsbl.decode(s, a).status for s, a in zip(specs, answers, strict=True)] == expected
    assert engine.stats["retransmits"] > 0
    assert engine.stats["received"] == len(names)
    assert elapsed < 15, f"2,000 queries through the proxy took {elapsed:.1f} s"


# --- flow control and progress: a fake nameserver that counts what is outstanding ---------------------


class FakeServer:
    """A UDP nameserver on 127.0.0.1 that answers NXDOMAIN after ``delay`` seconds.

    It counts the queries it holds (received, not yet answered) in total and per zone (the last two
    labels of the name), so a test can see how many the client had in flight at once. With
    ``truncate`` it answers over UDP with TC set and nothing else, and serves the real answer (an A
    record 127.0.0.2) over TCP on the same port.
    """

    def __init__(self, delay=0.0, truncate=False):
        self.delay, self.truncate = delay, truncate
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.port = self.udp.getsockname()[1]
        self.tcp = None
        if truncate:
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.tcp.bind(("127.0.0.1", self.port))
            self.tcp.listen(64)
        self.held = Counter()
        self.max_held = Counter()
        self.total_held = self.max_total = 0
        self.received = self.tcp_queries = 0
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._udp_loop, daemon=True)]
        if truncate:
            self.threads.append(threading.Thread(target=self._tcp_loop, daemon=True))
        for thread in self.threads:
            thread.start()

    def _udp_loop(self):
        queue = []  # (due, seq, reply, client, zone)
        seq = 0
        while not self.stopping.is_set():
            wait = max(0.0, queue[0][0] - time.monotonic()) if queue else 0.05
            ready, _, _ = select.select([self.udp], [], [], min(wait, 0.05))
            if ready:
                data, client = self.udp.recvfrom(4096)
                query = dns.message.from_wire(data)
                zone = ".".join(str(query.question[0].name).rstrip(".").split(".")[-2:])
                response = dns.message.make_response(query)
                if self.truncate:
                    response.flags |= dns.flags.TC
                else:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                with self.lock:
                    self.received += 1
                    self.held[zone] += 1
                    self.max_held[zone] = max(self.max_held[zone], self.held[zone])
                    self.total_held += 1
                    self.max_total = max(self.max_total, self.total_held)
                seq += 1
                heapq.heappush(queue, (time.monotonic() + self.delay, seq, response.to_wire(), client, zone))
            while queue and queue[0][0] <= time.monotonic():
                _due, _seq, reply, client, zone = heapq.heappop(queue)
                with self.lock:
                    self.held[zone] -= 1
                    self.total_held -= 1
                self.udp.sendto(reply, client)

    def _tcp_loop(self):
        self.tcp.settimeout(0.05)
        while not self.stopping.is_set():
            try:
                conn, _addr = self.tcp.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                (length,) = struct.unpack("!H", conn.recv(2, socket.MSG_WAITALL))
                query = dns.message.from_wire(conn.recv(length, socket.MSG_WAITALL))
                response = dns.message.make_response(query)
                response.answer.append(dns.rrset.from_text(query.question[0].name, 60, "IN", "A", "127.0.0.2"))
                wire = response.to_wire()
                conn.sendall(struct.pack("!H", len(wire)) + wire)
                with self.lock:
                    self.tcp_queries += 1

    def close(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=2)
        self.udp.close()
        if self.tcp:
            self.tcp.close()


@pytest.fixture
def fake_server(request):
    server = FakeServer(**getattr(request, "param", {}))
    yield server
    server.close()


@pytest.mark.parametrize("fake_server", [{"delay": 0.04}], indirect=True)
def test_window_and_per_zone_limits_and_progress(fake_server):
    """window=5, per_zone=2, three zones of 30 names: at most 2 per zone and 5 in all in flight.

    90 names, 5 at a time, 40 ms each: about 0.7 s, so the 0.2 s progress reports come several times.
    """
    names, zones = [], []
    for zone in ("a.test", "b.test", "c.test"):
        for n in range(30):
            names.append(f"{n}.0.0.10.{zone}")
            zones.append(zone)
    progress = []
    engine = engine_for(fake_server.port, window=5, per_zone=2, timeout=2.0)
    answers = engine.resolve(names, zones, on_progress=lambda done, total: progress.append((done, total)))
    assert all(a.rcode == dns.rcode.NXDOMAIN for a in answers)
    assert engine.stats["retransmits"] == 0 and fake_server.received == len(names)
    assert max(fake_server.max_held.values()) == 2  # the limit was reached, and held
    assert set(fake_server.max_held) == {"a.test", "b.test", "c.test"}
    assert 2 < fake_server.max_total <= 5  # zones in parallel, never more than the window
    # progress: more than the final call, never going back, within bounds, ending at the total
    assert len(progress) >= 3
    assert all(total == len(names) for _done, total in progress)
    dones = [done for done, _total in progress]
    assert dones == sorted(dones)
    assert all(0 <= done <= len(names) for done in dones)
    assert progress[-1] == (len(names), len(names))


@pytest.mark.parametrize("fake_server", [{"delay": 0.02}], indirect=True)
def test_per_zone_limit_of_one_is_serial(fake_server):
    names = [f"{n}.0.0.10.one.test" for n in range(10)]
    engine = engine_for(fake_server.port, per_zone=1)
    assert all(a.rcode == dns.rcode.NXDOMAIN for a in engine.resolve(names, ["one"] * len(names)))
    assert fake_server.max_held["one.test"] == 1


@pytest.mark.parametrize("fake_server", [{"truncate": True}], indirect=True)
def test_truncated_answers_are_asked_again_over_tcp(fake_server):
    names = [f"{n}.2.0.192.tc.test" for n in range(5)]
    progress = []
    engine = engine_for(fake_server.port)
    answers = engine.resolve(names, on_progress=lambda done, total: progress.append((done, total)))
    assert [a.addresses for a in answers] == [("127.0.0.2",)] * len(names)
    assert engine.stats["tcp"] == len(names) and fake_server.tcp_queries == len(names)
    assert progress[-1] == (len(names), len(names))


def test_empty_input_and_no_nameserver():
    assert Engine(Settings(nameservers=(("127.0.0.1", 9),))).resolve([]) == []
    with pytest.raises(ValueError):
        Engine(Settings(nameservers=()))


def test_encode_name():
    assert encode_name("2.0.0.127.zen.test.") == b"\x012\x010\x010\x03127\x03zen\x04test\x00"
    with pytest.raises(ValueError):
        encode_name("a..test")
    with pytest.raises(ValueError):
        encode_name("x" * 64 + ".test")
    with pytest.raises(ValueError):
        encode_name(".".join(["abcdefghi"] * 30))


# --- a send that fails --------------------------------------------------------------------------------

FAILING_SEND = """
import sys
from deliverability.engine import Engine, Settings
engine = Engine(Settings(nameservers=(("255.255.255.255", 53),), per_zone=int(sys.argv[1]), timeout=0.3, retries=1))
answers = engine.resolve(["a.zone.test", "b.zone.test", "c.zone.test"], ["zone"] * 3)
print(";".join(a.failure for a in answers))
"""


@pytest.mark.parametrize("per_zone", [200, 1])
def test_failing_send_is_reported_and_does_not_hang(per_zone):
    """sendto() to the broadcast address fails (EACCES): every name gets a "network" failure, promptly.

    Run in a child process with a time limit: a hung engine must fail the test, not hang the run.
    """
    try:
        out = subprocess.run(
            [sys.executable, "-c", FAILING_SEND, str(per_zone)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"Engine.resolve() hung after failed sends with per_zone={per_zone}")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().split(";") == ["network: Permission denied"] * 3


BESIDE_A_WORKING_ONE = """
import sys
from deliverability.engine import Engine, Settings
servers = (("127.0.0.1", int(sys.argv[1])), ("255.255.255.255", 53))
engine = Engine(Settings(nameservers=servers, sockets=1, timeout=0.5, retries=1))  # default per_zone=200
answers = engine.resolve([f"{n}.0.0.10.zen.test" for n in range(1000)], ["zen"] * 1000)
print(";".join(a.failure or str(a.rcode) for a in answers)); print(engine.stats, file=sys.stderr)
"""


@pytest.mark.parametrize("fake_server", [{"delay": 0.0}], indirect=True)
def test_failing_nameserver_beside_a_working_one_does_not_hang(fake_server):
    """Two resolvers, one unusable (an IPv6 resolver on a host without IPv6 looks the same): with the
    default per_zone=200 a zone reaches its limit and a failed send must not leave it stuck.
    """
    try:
        out = subprocess.run(
            [sys.executable, "-c", BESIDE_A_WORKING_ONE, str(fake_server.port)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("Engine.resolve() hung: a failed send at the per-zone limit stalled the zone")
    assert out.returncode == 0, out.stderr
    assert set(out.stdout.strip().split(";")) <= {str(dns.rcode.NXDOMAIN), "network: Permission denied"}


# --- which replies are accepted -----------------------------------------------------------------------


class TestMatch:
    """``Engine._match``: only the nameserver asked, with the query's ID and question, as a response."""

    SERVER = ("127.0.0.1", 5300)
    QID = 0x1234

    def setup_method(self):
        self.engine = Engine(Settings(nameservers=(self.SERVER,)))
        self.name = "2.0.0.127.zen.test"
        self.pending = _Pending(0, None, encode_name(self.name) + struct.pack("!HH", dns.rdatatype.A, 1), "zen")
        self.pending.qid = self.QID
        self.table = {self.QID: self.pending}

    def reply(self, name=None, qid=QID, rdtype="A", response=True) -> bytes:
        query = dns.message.make_query(name or self.name, rdtype)
        query.id = qid
        if not response:
            return query.to_wire()
        answer = dns.message.make_response(query)
        answer.set_rcode(dns.rcode.NXDOMAIN)
        return answer.to_wire()

    def test_the_right_reply_is_accepted(self):
        assert self.engine._match(self.reply(), self.SERVER, self.SERVER, self.table) is self.pending
        assert self.engine.stats["received"] == 1 and self.engine.stats["ignored"] == 0

    def test_case_randomised_question_is_accepted(self):
        reply = self.reply(name="2.0.0.127.ZeN.TeSt")
        assert self.engine._match(reply, self.SERVER, self.SERVER, self.table) is self.pending

    @pytest.mark.parametrize("source", [("127.0.0.2", 5300), ("127.0.0.1", 5301), ("192.0.2.1", 53)])
    def test_wrong_source_is_ignored(self, source):
        assert self.engine._match(self.reply(), source, self.SERVER, self.table) is None
        assert self.engine.stats["ignored"] == 1 and self.engine.stats["received"] == 0

    def test_wrong_id_is_ignored(self):
        assert self.engine._match(self.reply(qid=self.QID + 1), self.SERVER, self.SERVER, self.table) is None
        assert self.engine.stats["ignored"] == 1

    @pytest.mark.parametrize(
        ("name", "rdtype"), [("3.0.0.127.zen.test", "A"), (None, "TXT"), ("2.0.0.127.zen.tes", "A")]
    )
    def test_wrong_question_is_ignored(self, name, rdtype):
        assert self.engine._match(self.reply(name=name, rdtype=rdtype), self.SERVER, self.SERVER, self.table) is None
        assert self.engine.stats["ignored"] == 1

    def test_a_query_is_not_a_reply(self):
        assert self.engine._match(self.reply(response=False), self.SERVER, self.SERVER, self.table) is None

    @pytest.mark.parametrize("data", [b"", b"\x12\x34\x81", b"\x12\x34\x81\x83\x00\x01\x00\x00\x00\x00\x00"])
    def test_short_packets_are_ignored(self, data):
        assert self.engine._match(data, self.SERVER, self.SERVER, self.table) is None

    def test_truncated_question_is_ignored(self):
        assert self.engine._match(self.reply()[:20], self.SERVER, self.SERVER, self.table) is None

    def test_ipv6_source_tuple(self):
        engine = Engine(Settings(nameservers=(("::1", 5300),)))
        assert engine._match(self.reply(), ("::1", 5300, 0, 0), ("::1", 5300), self.table) is self.pending


# --- volume -------------------------------------------------------------------------------------------


def test_twenty_thousand_names_on_loopback(rbldnsd, zen_spec):
    """20,000 A queries straight to rbldnsd: every one answered, none timed out, all decoded right."""
    targets, expected = [], []
    for n in range(20_000):
        if n % 50 == 0:
            targets.append(Target(Kind.IP4, f"192.0.2.{n % 16}"))
            expected.append(Status.CLEAR if n % 16 == 5 else Status.LISTED)
        else:
            targets.append(Target(Kind.IP4, f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"))
            expected.append(Status.CLEAR)
    engine = engine_for(rbldnsd.port)
    started = time.monotonic()
    answers, results = check(engine, zen_spec, targets)
    elapsed = time.monotonic() - started
    assert [a.failure for a in answers if a.failure] == []
    assert Counter(r.status for r in results) == Counter(expected)
    assert [r.status for r in results] == expected
    assert engine.stats["received"] == len(targets)
    assert elapsed < 15, f"20,000 queries on loopback took {elapsed:.1f} s"
