"""``manage.py blocklist_check`` as a user runs it: a whole process, 10,000 IPv4 addresses x 3 lists.

    .venv/bin/python bench/blocklist_process.py [--runs 3] [--json] [--pydnsbl-path DIR]

rbldnsd serves three ip4set zones on loopback (the first three of ``bench/blocklists.py``, 5% listed,
written by its ``write_zones``); ``shared/tools/dnsdelay.py`` (40 +- 10 ms, 0.5% loss) sits in front of it.
Each checker is timed as a whole process from ``subprocess`` (interpreter start, imports, settings,
the catalogue, the queries, the output), best of ``--runs``:

- ours: ``manage.py blocklist_check --nameserver 127.0.0.1 --port P --zone Z1 --zone Z2 --zone Z3`` and
  the 10,000 addresses as 39 /24 networks and one /28 (the settings ``manage.py`` picks by default);
- pydnsbl 1.1.7 at its defaults: a script that builds ``DNSBLIpChecker`` for the three zones and calls
  ``bulk_check`` (its ``aiodns.DNSResolver`` is given the nameserver and port, as in ``bench/blocklists.py``).

Beside each figure: the limit the congestion window and the round trip allow, queries / window x RTT, with
the window the engine may fill on three lists (``min(BLOCKLIST_WINDOW, 3 x BLOCKLIST_PER_ZONE)``), the RTT
the delay's mean (or the loopback's, measured), plus our process's start-up as measured (one address on
one list on loopback: interpreter, imports, settings, catalogue, two health probes and one query).
Without ``DATABASE_URL`` the command runs on a fresh SQLite database in a temporary ``PORTAL_VAR_DIR``.
The processes run with bytecode cached, as a user's shell has it (``PYTHONDONTWRITEBYTECODE``, which a
development session may set, is removed: with it every run compiles the project's modules again, ~0.15 s).
The CPU seconds of each process are printed, and those ``dnsdelay.py`` spent during the run: the proxy is a
Python process too, and its CPU per run is a floor under any checker's time through it.
MISSION: DLV-2. Needs ``pip install pydnsbl==1.1.7`` (``make bench-blocklists`` does it).
"""

import argparse
import ipaddress
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from blocklists import (  # noqa: E402  (bench/ is not a package)
    BASE_DIR,
    DELAY,
    DNSDELAY,
    RBLDNSD,
    SEED,
    ZONES,
    World,
    free_port,
    wait_answering,
    write_zones,
)

LISTS = 3
NETWORKS = [f"{a}.{b}.{c}.0/24" for a, b, c in ((31 + n, 7 * n % 256, 11 * n % 256) for n in range(39))]
NETWORKS.append("203.0.113.0/28")  # 39 x 256 + 16 = 10,000 addresses
LISTED_SHARE = 0.05
DELAY_MS = float(DELAY[DELAY.index("--delay-ms") + 1])
TARGETS = {"delay": 3.0, "loopback": 2.0}  # pydnsbl's wall time over ours, at least

PYDNSBL = """
import functools, sys
import aiodns
from pydnsbl import DNSBLIpChecker
from pydnsbl.providers import Provider

port, zones, targets = int(sys.argv[1]), sys.argv[2].split(","), open(sys.argv[3]).read().split()
aiodns.DNSResolver = functools.partial(aiodns.DNSResolver, nameservers=["127.0.0.1"], udp_port=port, tcp_port=port)
checker = DNSBLIpChecker(providers=[Provider(zone) for zone in zones])  # its defaults otherwise
results = checker.bulk_check(targets)
print(sum(len(result.detected_by) for result in results), sum(len(result.failed_providers) for result in results))
"""


def addresses() -> list[str]:
    return [str(ip) for net in NETWORKS for ip in ipaddress.ip_network(net)]


def world() -> World:
    """The three lists' listings (the other zones of bench/blocklists.py stay empty and are not served)."""
    rng = random.Random(SEED)
    ips = addresses()
    truth = [{i: rng.choice(zone.answers) for i in rng.sample(range(len(ips)), round(len(ips) * LISTED_SHARE))}
             for zone in ZONES[:LISTS]] + [{} for _zone in ZONES[LISTS:]]  # fmt: skip
    return World([("ip4", ip) for ip in ips], [], truth)


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) the running process ``pid`` has used so far; 0 without one."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(command: list[str], env: dict, ok: tuple[int, ...], watch: int | None) -> tuple[float, float, str, float]:
    """Wall time, CPU time (user + system) and stdout of one process, and the CPU ``watch`` used meanwhile."""
    start, cpu_start, watched = time.perf_counter(), cpu(), process_cpu(watch)
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, cwd=BASE_DIR)
    wall, used = time.perf_counter() - start, cpu() - cpu_start
    if done.returncode not in ok:
        raise RuntimeError(f"{command[:4]} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return wall, used, done.stdout, process_cpu(watch) - watched


def best(runs: int, command: list[str], env: dict, ok: tuple[int, ...] = (0,), watch: int | None = None):
    """The fastest run's wall time and stdout, the least CPU time of any run (a shared host's noise), the
    least CPU time ``watch`` (the proxy) used during a run, and the most lines any run said "error" on (our
    checker's "No answer": a query it gave up on)."""
    results = [timed(command, env, ok, watch) for _ in range(runs)]
    wall, _used, out, _watched = min(results, key=lambda r: r[0])
    errors = max(sum(" error " in line for line in r[2].splitlines()) for r in results)
    return wall, min(r[1] for r in results), out, min(r[3] for r in results), errors


def loopback_rtt(port: int) -> float:
    import dns.message
    import dns.query

    query = dns.message.make_query(f"2.0.0.127.{ZONES[0].name}", "A")
    samples = []
    for _ in range(50):
        start = time.perf_counter()
        dns.query.udp(query, "127.0.0.1", port=port, timeout=1)
        samples.append(time.perf_counter() - start)
    return sorted(samples)[len(samples) // 2]


def engine_window() -> int:
    sys.path.insert(0, str(BASE_DIR))
    from deliverability.engine.config import Settings

    window = int(os.environ.get("BLOCKLIST_WINDOW", Settings.window))
    per_zone = int(os.environ.get("BLOCKLIST_PER_ZONE", Settings.per_zone))
    return min(window, LISTS * per_zone)


def run(tmp: Path, runs: int, pydnsbl_path: str = "") -> dict:
    w = world()
    zone_args = write_zones(w, tmp)[:LISTS]
    zones = [zone.name for zone in ZONES[:LISTS]]
    (tmp / "targets.txt").write_text("\n".join(addresses()) + "\n")
    (tmp / "pydnsbl_check.py").write_text(PYDNSBL)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode cached, as a user's shell has it
    if "DATABASE_URL" not in env:
        env["PORTAL_VAR_DIR"] = str(tmp / "var")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], check=True, env=env, cwd=BASE_DIR)
    expected = sum(len(truth) for truth in w.truth)
    queries = len(w.targets) * LISTS + 2 * LISTS  # and two health probes per list
    window = engine_window()
    port, delayed = free_port(), free_port()
    log = (tmp / "servers.log").open("w")
    procs = [subprocess.Popen([RBLDNSD, "-n", "-u", "nobody", "-b", f"127.0.0.1/{port}", "-w", str(tmp), *zone_args],
                              stdout=log, stderr=log)]  # fmt: skip
    proxy = [sys.executable, str(DNSDELAY), "--listen", f"127.0.0.1:{delayed}", "--upstream", f"127.0.0.1:{port}"]
    procs.append(subprocess.Popen([*proxy, *DELAY, "--max-seconds", "1800"], stdout=log, stderr=log))
    try:
        wait_answering(port, f"2.0.0.127.{zones[0]}")
        wait_answering(delayed, f"2.0.0.127.{zones[0]}")
        one = ["--nameserver", "127.0.0.1", "--port", str(port), "--zone", zones[0], "127.0.0.1"]
        one_check = [sys.executable, "manage.py", "blocklist_check", *one]
        startup, startup_cpu, _out, _proxy, _errors = best(runs, one_check, env)
        figures = {"startup": startup, "startup_cpu": startup_cpu, "queries": queries, "window": window, "paths": {}}
        rtts = {"loopback": loopback_rtt(port), "delay": DELAY_MS / 1000}
        for path, server, watch in (("loopback", port, None), ("delay", delayed, procs[1].pid)):
            ours_cmd = [sys.executable, "manage.py", "blocklist_check", "--nameserver", "127.0.0.1", "--port",
                        str(server), *(arg for zone in zones for arg in ("--zone", zone)), *NETWORKS]  # fmt: skip
            ours, ours_cpu, out, ours_proxy, errors = best(runs, ours_cmd, env, ok=(2,), watch=watch)
            listed = sum(" listed " in line for line in out.splitlines())
            theirs_cmd = [sys.executable, str(tmp / "pydnsbl_check.py"), str(server), ",".join(zones),
                          str(tmp / "targets.txt")]  # fmt: skip
            theirs_env = {**env, "PYTHONPATH": pydnsbl_path} if pydnsbl_path else env
            theirs, theirs_cpu, out, theirs_proxy, _errors = best(runs, theirs_cmd, theirs_env, watch=watch)
            their_listed, their_failed = map(int, out.split())
            limit = queries / window * rtts[path]
            figures["paths"][path] = {"ours": ours, "pydnsbl": theirs, "ratio": theirs / ours, "rtt": rtts[path],
                                      "ours_cpu": ours_cpu, "pydnsbl_cpu": theirs_cpu,
                                      "proxy_cpu_ours": ours_proxy, "proxy_cpu_pydnsbl": theirs_proxy,
                                      "limit": limit, "ours_listed": listed, "ours_errors": errors,
                                      "pydnsbl_listed": their_listed,
                                      "pydnsbl_failed": their_failed, "expected_listed": expected}  # fmt: skip
            print(f"{path}: done", file=sys.stderr)
        return figures
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(5)
        log.close()


def report(figures: dict, runs: int) -> None:
    print(f"\n{len(addresses()):,} IPv4 x {LISTS} ip4set lists on rbldnsd ({figures['queries']:,} queries with the "
          f"health probes), whole processes, best of {runs}; window {figures['window']} in flight")  # fmt: skip
    print(
        f"our start-up (one address on one list, loopback): {figures['startup']:.2f} s, "
        f"CPU {figures['startup_cpu']:.2f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    for path, f in figures["paths"].items():
        ok = f["ratio"] >= TARGETS[path]
        print(f"{path:<8} ours {f['ours']:.2f} s  pydnsbl {f['pydnsbl']:.2f} s  ratio {f['ratio']:.2f}x "
              f"(target >= {TARGETS[path]:.0f}x) {'PASS' if ok else 'MISS'}   "
              f"limit {f['limit']:.2f} s "
              f"({figures['queries']:,} / {figures['window']} x {f['rtt'] * 1000:.2f} ms RTT; "
              f"+ start-up {f['limit'] + figures['startup']:.2f} s); ours / limit with start-up "
              f"{f['ours'] / (f['limit'] + figures['startup']):.2f}")  # fmt: skip
        proxy = (f" (dnsdelay.py meanwhile: {f['proxy_cpu_ours']:.2f} s / {f['proxy_cpu_pydnsbl']:.2f} s; it forwards"
                 f" every datagram in one Python process, so no checker through it finishes sooner: pydnsbl's time"
                 f" over that floor, {f['pydnsbl'] / f['proxy_cpu_ours']:.2f}x, is the most any ratio can be here)"
                 if f["proxy_cpu_ours"] else "")  # fmt: skip
        print(
            f"         CPU (user + system, least of the runs): ours {f['ours_cpu']:.2f} s, "
            f"pydnsbl {f['pydnsbl_cpu']:.2f} s{proxy}"
        )
        print(f"         listed: ours {f['ours_listed']:,}, pydnsbl {f['pydnsbl_listed']:,} "
              f"(failed {f['pydnsbl_failed']:,}), in the zones {f['expected_listed']:,}; "
              f"no answer: ours {f['ours_errors']:,} (the most of any run)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs per figure")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object at the end")
    parser.add_argument("--pydnsbl-path", default="",
                        help="a directory holding pydnsbl (pip install --target DIR pydnsbl==1.1.7), "
                        "on PYTHONPATH for its process only, when it is not installed in the venv")  # fmt: skip
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dnsbl-process-"))
    tmp.chmod(0o755)  # rbldnsd reads the zones as nobody
    print(f"load average at the start {os.getloadavg()[0]:.1f}", file=sys.stderr)
    try:
        figures = run(tmp, args.runs, args.pydnsbl_path)
        report(figures, args.runs)
        if args.json:
            print(json.dumps(figures))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
