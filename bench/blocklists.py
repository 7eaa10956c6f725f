"""DNS blocklist checks: our engine against pydnsbl 1.1.7 on a local rbldnsd, direct and through a delay.

    .venv/bin/python bench/blocklists.py [--targets-scale 1.0] [--json]

From a fixed seed: rbldnsd zone files for 20 lists (14 ip4set, 2 ip6trie, 4 dnset, RFC 5782 test entries),
1,000 IPv4 + 100 IPv6 + 200 domain targets, 5% listed per list with documented codes, plus error-coded
entries (Spamhaus 127.255.255.254 / 127.0.1.255, SURBL/URIBL 127.0.0.1) that are errors, never listings.
rbldnsd on a free loopback port, ``shared/tools/dnsdelay.py`` (40 +- 10 ms, 0.5% loss) in front of it.
Each checker runs in its own process (``--child``), so CPU time and peak RSS are its own. pydnsbl runs at
its defaults, one checker per target kind; it has no nameserver option and c-ares takes no "host:port", so
the ``aiodns.DNSResolver`` it builds is given ``nameservers`` and ``udp_port``/``tcp_port``.
"""

import argparse
import asyncio
import functools
import ipaddress
import json
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

BASE_DIR = Path(__file__).resolve().parent.parent
DNSDELAY = BASE_DIR.parent / "shared" / "tools" / "dnsdelay.py"
RBLDNSD = "/usr/sbin/rbldnsd"
SEED = 42
COUNTS = {"ip4": 1000, "ip6": 100, "domain": 200}
MEMORY_TARGETS = 10_000
LISTED_SHARE = 0.05
DELAY = ["--delay-ms", "40", "--jitter-ms", "10", "--loss", "0.005"]
TARGET_RSS_MB = 200
SPAMHAUS_ERRORS = ({"code": "127.255.255.252", "meaning": "typo in the zone name"},
                   {"code": "127.255.255.254", "meaning": "public resolver"},
                   {"code": "127.255.255.255", "meaning": "excessive query volume"})  # fmt: skip
REFUSED = ({"code": "127.0.0.1", "meaning": "query refused"},)


@dataclass(frozen=True)
class Zone:
    name: str
    kind: str  # ip4 / ip6 / domain
    answers: tuple[str, ...] = ("127.0.0.2",)  # the codes its listings answer with (the first for the test entry)
    codes: tuple = ({"code": "127.0.0.2", "meaning": "listed"},)
    bits: tuple = ()
    errors: tuple = ()
    error_code: str = ""  # answered for error_share of its targets: an error, never a listing
    error_share: float = 0.0
    registered_domain: bool = False

    @property
    def spec(self) -> dict:
        return {"zone": self.name, "kind": self.kind, "codes": self.codes, "bits": self.bits, "errors": self.errors,
                "registered_domain": self.registered_domain}  # fmt: skip


def bits(*pairs):
    return tuple({"bit": bit, "meaning": meaning} for bit, meaning in pairs)


ZONES = (
    Zone("zen.spamhaus.test", "ip4", ("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.9", "127.0.0.10", "127.0.0.11"),
         ({"code": "127.0.0.2", "meaning": "SBL"}, {"code": "127.0.0.3", "meaning": "CSS"},
          {"code": "127.0.0.4-127.0.0.7", "meaning": "XBL"}, {"code": "127.0.0.9", "meaning": "DROP"},
          {"code": "127.0.0.10-127.0.0.11", "meaning": "PBL", "policy": True}),
         errors=SPAMHAUS_ERRORS, error_code="127.255.255.254", error_share=0.01),
    Zone("combined.abusix.test", "ip4", ("127.0.0.2", "127.0.0.3", "127.0.0.200", "127.0.0.11"),
         ({"code": "127.0.0.2-127.0.0.4", "meaning": "listed"}, {"code": "127.0.0.200", "meaning": "listed"},
          {"code": "127.0.0.11-127.0.0.12", "meaning": "policy", "policy": True})),
    Zone("all.spamrats.test", "ip4", ("127.0.0.36", "127.0.0.37", "127.0.0.38"),
         ({"code": "127.0.0.36-127.0.0.38", "meaning": "listed"},)),
    Zone("bl.mailspike.test", "ip4", ("127.0.0.2", "127.0.0.10", "127.0.0.14"),
         ({"code": "127.0.0.2", "meaning": "listed"}, {"code": "127.0.0.10-127.0.0.14", "meaning": "reputation"})),
    *(Zone(name, "ip4") for name in ("b.barracuda.test", "bl.spamcop.test", "psbl.surriel.test",
      "dnsbl-1.uceprotect.test", "ips.backscatterer.test", "dnsbl.dronebl.test", "bl.blocklist.test",
      "rbl.interserver.test", "bl.nordspam.test", "dnsbl.spfbl.test")),
    Zone("v6.spamhaus.test", "ip6"),
    Zone("bl.ipv6.spameatingmonkey.test", "ip6"),
    Zone("dbl.spamhaus.test", "domain", ("127.0.1.2", "127.0.1.4", "127.0.1.5", "127.0.1.6", "127.0.1.102"),
         ({"code": "127.0.1.2", "meaning": "spam"}, {"code": "127.0.1.4", "meaning": "phishing"},
          {"code": "127.0.1.5", "meaning": "malware"}, {"code": "127.0.1.6", "meaning": "botnet C&C"},
          {"code": "127.0.1.102-127.0.1.106", "meaning": "abused legit"}),
         errors=({"code": "127.0.1.255", "meaning": "IP queried"}, *SPAMHAUS_ERRORS),
         error_code="127.0.1.255", error_share=0.01),
    Zone("multi.surbl.test", "domain", ("127.0.0.8", "127.0.0.16", "127.0.0.24", "127.0.0.64", "127.0.0.128"), (),
         bits((8, "phishing"), (16, "malware"), (64, "abuse"), (128, "cracked")),
         REFUSED, "127.0.0.1", 0.01),
    Zone("multi.uribl.test", "domain", ("127.0.0.2", "127.0.0.4", "127.0.0.8", "127.0.0.6"), (),
         bits((2, "black"), (4, "grey"), (8, "red")), REFUSED, "127.0.0.1", 0.02, registered_domain=True),
    Zone("dom.bench.test", "domain"),
)  # fmt: skip
TEST_ENTRY = {"ip4": "127.0.0.2", "ip6": "::ffff:7f00:2/128", "domain": "test"}
DATASET = {"ip4": "ip4set", "ip6": "ip6trie", "domain": "dnset"}


@dataclass
class World:
    targets: list[tuple[str, str]]  # (kind, text): the IPv4 ones first, then IPv6, then domains
    memory: list[str]  # IPv4 targets for the memory run; its first ones are the IPv4 targets above
    truth: list[dict[int, str]]  # per zone: target index -> the answer its zone file gives


def build_world(scale: float) -> World:
    rng = random.Random(SEED)
    n = {kind: max(1, round(count * scale)) for kind, count in COUNTS.items()}
    ip4: dict[str, None] = {}
    while len(ip4) < max(n["ip4"], round(MEMORY_TARGETS * scale)):
        first = rng.randint(1, 223)
        if first not in (10, 127):
            ip4[f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"] = None
    ip6 = dict.fromkeys(str(ipaddress.IPv6Address(0x20010DB8 << 96 | rng.getrandbits(96))) for _ in range(n["ip6"]))
    domains: dict[str, None] = {}
    while len(domains) < n["domain"]:
        label = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=rng.randint(5, 12)))
        domains[f"{label}.{rng.choice(('com', 'net', 'org', 'io', 'de'))}"] = None
    memory = list(ip4)
    targets = [("ip4", t) for t in memory[: n["ip4"]]] + [("ip6", t) for t in ip6]
    targets += [("domain", t) for t in domains]
    truth = []
    for zone in ZONES:
        applicable = [i for i, (kind, _text) in enumerate(targets) if kind == zone.kind]
        listed = rng.sample(applicable, round(len(applicable) * LISTED_SHARE))
        rest = sorted(set(applicable) - set(listed))
        erroneous = rng.sample(rest, round(len(applicable) * zone.error_share))
        truth.append({i: rng.choice(zone.answers) for i in listed} | dict.fromkeys(erroneous, zone.error_code))
    return World(targets, memory, truth)


def write_zones(world: World, directory: Path) -> list[str]:
    args = []
    for zi, zone in enumerate(ZONES):
        lines = [f":{zone.answers[0]}:Listed on {zone.name}, see https://{zone.name}/?$", TEST_ENTRY[zone.kind]]
        for i, code in sorted(world.truth[zi].items()):
            text = world.targets[i][1] + ("/128" if zone.kind == "ip6" else "")
            lines.append(f"{text} :{code}:{'error' if code == zone.error_code else 'listed'} $")
        path = directory / f"zone{zi:02d}.txt"
        path.write_text("\n".join(lines) + "\n")
        path.chmod(0o644)
        args.append(f"{zone.name}:{DATASET[zone.kind]}:{path.name}")
    return args


# --- the children ------------------------------------------------------------------------------


class Clock:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def score(world: World, zones: list[int], listed: set, errors: int, queries: int, clock: Clock) -> dict:
    true, coded = set(), set()
    for zi in zones:
        for i, code in world.truth[zi].items():
            (coded if code == ZONES[zi].error_code else true).add((i, zi))
    return {"queries": queries, "wall": clock.wall, "qps": queries / clock.wall, "cpu": clock.cpu,
            "false": len(listed - true), "missed": len(true - listed), "errors": errors,
            "error_coded": len(coded), "error_coded_listed": len(listed & coded)}  # fmt: skip


def check_ours(world: World, port: int, memory: bool = False) -> dict:
    from django.conf import settings

    if not settings.configured:  # dnsbl.py's gettext needs settings; nothing else of Django is used
        settings.configure(USE_I18N=False)
    from deliverability.blocklists import dnsbl, probes
    from deliverability.engine import Engine, Settings

    zones = [zi for zi, zone in enumerate(ZONES) if not memory or zone.kind == "ip4"]
    specs = {zi: dnsbl.zone_spec(**ZONES[zi].spec) for zi in zones}
    texts = world.memory if memory else [text for _kind, text in world.targets]
    base = peak_mb()
    engine = Engine(Settings(nameservers=(("127.0.0.1", port),)))  # the engine's defaults
    with Clock() as clock:
        targets = [dnsbl.parse_target(text) for text in texts]
        probes = [name for spec in specs.values() for name in probes.probe_names(spec)]
        answers = engine.resolve(probes, [spec.zone for spec in specs.values() for _ in (0, 1)])
        healthy = [probes.health(spec, *answers[2 * n : 2 * n + 2]) for n, spec in enumerate(specs.values())]
        keys, names, groups = [], [], []
        for zi, spec in specs.items():
            for i, target in enumerate(targets):
                if spec.accepts(target):
                    keys.append((i, zi))
                    names.append(dnsbl.query_name(target, spec))
                    groups.append(spec.zone)
        answers = engine.resolve(names, groups)
        results = [dnsbl.decode(specs[zi], answer) for (_i, zi), answer in zip(keys, answers, strict=True)]
    listed = {key for key, result in zip(keys, results, strict=True) if result.status == dnsbl.Status.LISTED}
    errors = sum(not result.status.conclusive for result in results)
    out = score(world, zones, listed, errors, len(probes) + len(names), clock)
    unhealthy = [f"{ZONES[zi].name}: {h.problem}" for zi, h in zip(zones, healthy, strict=True) if not h.ok]
    return out | {"rss_base": base, "stats": engine.stats, "unhealthy": unhealthy}


def check_pydnsbl(world: World, port: int) -> dict:
    import aiodns
    from pydnsbl import DNSBLDomainChecker, DNSBLIpChecker
    from pydnsbl.providers import Provider

    base = peak_mb()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    ours = functools.partial(aiodns.DNSResolver, nameservers=["127.0.0.1"], udp_port=port, tcp_port=port)
    checkers = {}
    with mock.patch.object(aiodns, "DNSResolver", ours):  # pydnsbl.checker calls aiodns.DNSResolver(...)
        for kind, cls in (("ip4", DNSBLIpChecker), ("ip6", DNSBLIpChecker), ("domain", DNSBLDomainChecker)):
            zones = [zi for zi, zone in enumerate(ZONES) if zone.kind == kind]
            checker = cls(providers=[Provider(ZONES[zi].name) for zi in zones], loop=loop)  # default settings
            assert checker._resolver.nameservers == ["127.0.0.1"], checker._resolver.nameservers
            checkers[kind] = (checker, zones)
    for kind, probe in (("ip4", "127.0.0.2"), ("ip6", "::ffff:7f00:2")):  # only our rbldnsd lists these
        checker, zones = checkers[kind]
        found = checker.check(probe).detected_by
        assert len(found) == len(zones), f"pydnsbl does not reach rbldnsd: {probe} -> {found}"
    listed, errors, queries = set(), 0, 0
    with Clock() as clock:
        for kind, (checker, zones) in checkers.items():
            index = {ZONES[zi].name: zi for zi in zones}
            items = [i for i, (k, _text) in enumerate(world.targets) if k == kind]
            results = checker.bulk_check([world.targets[i][1] for i in items])
            queries += len(items) * len(zones)
            for i, result in zip(items, results, strict=True):
                listed.update((i, index[host]) for host in result.detected_by)
                errors += len(result.failed_providers)
    return score(world, list(range(len(ZONES))), listed, errors, queries, clock) | {"rss_base": base}


def child(args) -> None:
    sys.path.insert(0, str(BASE_DIR))
    world = build_world(args.targets_scale)
    if args.child == "pydnsbl":
        out = check_pydnsbl(world, args.port)
    else:
        out = check_ours(world, args.port, memory=args.child == "memory")
    print(json.dumps(out | {"rss_peak": peak_mb()}))


# --- the parent --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_answering(port: int, name: str, seconds: float = 15.0) -> None:
    import dns.exception
    import dns.message
    import dns.query

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=port, timeout=0.5).answer:
                return
        except (dns.exception.Timeout, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers {name} on 127.0.0.1:{port}")


def udp_rcvbuf_errors() -> int:
    """Datagrams the kernel dropped because a socket's receive buffer was full (all sockets of the host)."""
    lines = [line.split() for line in Path("/proc/net/snmp").read_text().splitlines() if line.startswith("Udp:")]
    return int(dict(zip(lines[0], lines[1], strict=True))["RcvbufErrors"])


def run_child(which: str, port: int, scale: float) -> dict:
    command = [sys.executable, __file__, "--child", which, "--port", str(port), "--targets-scale", str(scale)]
    before = udp_rcvbuf_errors()
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if done.returncode:
        raise RuntimeError(f"child {which} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1]) | {"rcvbuf_drops": udp_rcvbuf_errors() - before}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


HEAD = "{:<9} {:<8} {:>8} {:>7} {:>10} {:>6} {:>12} {:>7} {:>13} {:>7} {:>7} {:>10}"
ROW = "{path:<9} {name:<8} {queries:>8,} {wall:>7.2f} {qps:>10,.0f} {cpu:>6.2f} {rss_peak:>12.1f} {base:>7} {false:>13}"
ROW += " {missed:>7} {errors:>7} {rcvbuf_drops:>10}"
COLUMNS = ("path", "checker", "queries", "wall s", "queries/s", "CPU s", "peak RSS MB", "(base)", "false listed",
           "missed", "errors", "UDP drops")  # fmt: skip


def report(world: World, figures: dict) -> None:
    kinds = [kind for kind, _text in world.targets]
    zones = [zone.kind for zone in ZONES]
    coded = figures["paths"]["loopback"]["ours"]["error_coded"]
    print(f"\n{kinds.count('ip4'):,} IPv4 + {kinds.count('ip6'):,} IPv6 + {kinds.count('domain'):,} domains; "
          f"{len(ZONES)} zones ({zones.count('ip4')} ip4set, {zones.count('ip6')} ip6trie, {zones.count('domain')} "
          f"dnset) on rbldnsd; {LISTED_SHARE:.0%} listed per zone; {coded} error-coded answers (errors, not listings)"
          "\n\n" + HEAD.format(*COLUMNS))  # fmt: skip
    for path, checkers in figures["paths"].items():
        for name, f in checkers.items():
            print(ROW.format(path=path, name=name, base=f"({f['rss_base']:.1f})", **f))
    print("(UDP drops: datagrams the kernel dropped on full socket receive buffers during the run, host-wide)")
    for path, checkers in figures["paths"].items():
        ours, theirs = checkers["ours"], checkers["pydnsbl"]
        print(f"  {path}: engine {ours['stats']}; unhealthy zones: {ours['unhealthy'] or 'none'}; "
              f"pydnsbl listed {theirs['error_coded_listed']} of the {coded} error-coded answers")  # fmt: skip
    r, m = figures["ratios"], figures["memory"]
    print(f"\nours/pydnsbl queries/s on loopback: {r['loopback_throughput']:.2f} (target >= 1)  "
          f"{verdict(r['loopback_throughput'] >= 1)}")  # fmt: skip
    print(f"ours/pydnsbl wall through 40+-10 ms, 0.5% loss: {r['delay_wall']:.2f} (target <= 0.5)  "
          f"{verdict(r['delay_wall'] <= 0.5)}")  # fmt: skip
    print(f"ours, {len(world.memory):,} IPv4 x {zones.count('ip4')} zones on loopback: {m['queries']:,} queries, "
          f"{m['wall']:.2f} s, {m['qps']:,.0f}/s, CPU {m['cpu']:.2f} s, false {m['false']}, missed {m['missed']}, "
          f"errors {m['errors']}, UDP drops {m['rcvbuf_drops']}, retransmits {m['stats']['retransmits']}\n"
          f"  peak RSS {m['rss_peak']:.1f} MB (base {m['rss_base']:.1f}) (target < {TARGET_RSS_MB} MB)  "
          f"{verdict(m['rss_peak'] < TARGET_RSS_MB)}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets-scale", type=float, default=1.0, help="multiply the target counts (quick runs)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object at the end")
    parser.add_argument("--child", choices=("ours", "pydnsbl", "memory"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    world = build_world(args.targets_scale)
    tmp = Path(tempfile.mkdtemp(prefix="dnsbl-bench-"))
    tmp.chmod(0o755)  # rbldnsd reads the zones as nobody
    procs = []
    log = (tmp / "servers.log").open("w")
    try:
        zone_args = write_zones(world, tmp)
        port, delayed = free_port(), free_port()
        rbldnsd = [RBLDNSD, "-n", "-u", "nobody", "-b", f"127.0.0.1/{port}", "-w", str(tmp), *zone_args]
        procs.append(subprocess.Popen(rbldnsd, stdout=log, stderr=log))
        proxy = [sys.executable, str(DNSDELAY), "--listen", f"127.0.0.1:{delayed}", "--upstream", f"127.0.0.1:{port}"]
        procs.append(subprocess.Popen([*proxy, *DELAY, "--max-seconds", "3600"], stdout=log, stderr=log))
        probe = f"2.0.0.127.{ZONES[0].name}"
        try:
            wait_answering(port, probe)
            wait_answering(delayed, probe)
        except RuntimeError as exc:
            sys.exit(f"{exc}\n{(tmp / 'servers.log').read_text()}")
        figures: dict = {"paths": {}}
        for path, server in (("loopback", port), ("delay", delayed)):
            figures["paths"][path] = {name: run_child(name, server, args.targets_scale) for name in ("ours", "pydnsbl")}
            print(f"{path}: done", file=sys.stderr)
        figures["memory"] = run_child("memory", port, args.targets_scale)
        loop, delay = figures["paths"]["loopback"], figures["paths"]["delay"]
        figures["ratios"] = {"loopback_throughput": loop["ours"]["qps"] / loop["pydnsbl"]["qps"],
                             "delay_wall": delay["ours"]["wall"] / delay["pydnsbl"]["wall"]}  # fmt: skip
        report(world, figures)
        if args.json:
            print(json.dumps(figures))
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
