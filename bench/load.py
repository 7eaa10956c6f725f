"""The production shape under load: wrk with 50 connections on the pages people keep open (issue 18).

    .venv/bin/python bench/load.py [--seconds 60] [--connections 50] [--workers N] [--worker-class gthread]
        [--only LABEL] [--cases 5000] [--targets 300]

gunicorn with ``portal.settings.production`` and ``portal/gunicorn_conf.py`` (the README's; plain HTTP as
behind a TLS-terminating proxy that sets ``X-Forwarded-Proto``), PostgreSQL and Redis, on the demo data grown
to a realistic account: Acme with thousands of cases and hundreds of monitored targets. Each page gets
``--seconds`` of wrk (Debian's) at ``--connections`` connections, signed in as the person who uses it. Prints
requests/s, p50/p99, errors and the web workers' memory beside the targets (0 errors, >= 200 requests/s, p99
<= 500 ms), and the CPU time the web workers and PostgreSQL spent per request, recycled workers and closed
backends included (bench/cpu.py): the figure that other work on a shared machine does not change much.
"""

import argparse
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import cpu  # noqa: E402
from tests import prod_smoke  # noqa: E402
from tests.prod_smoke import BIN, environment, free_port, fresh_database, manage, process, wait_for  # noqa: E402

TARGET_RPS, TARGET_P99_MS = 200.0, 500.0
QUIET_TICKS = 2  # gunicorn idle: at most 2 ticks (20 ms) of CPU in half a second
PAGES = [  # (label, path, who)
    ("customer dashboard", "/a/acme/", "alice@acme.test"),
    ("case list", "/a/acme/cases/", "alice@acme.test"),
    ("case page", "/a/acme/cases/ACME-000001/", "alice@acme.test"),
    ("blocklists page", "/a/acme/deliverability/", "alice@acme.test"),
    ("staff console", "/console/", "sam@support.test"),
    ("staff queue", "/console/cases/", "sam@support.test"),
    ("/healthz", "/healthz", None),
    ("/livez", "/livez", None),  # the load balancer's probe
]

GROW = """
import random, sys
from datetime import timedelta
import django
django.setup()
from django.db import connection
from django.utils import timezone
from accounts.models import Account, User
from bench.case_data import long_timeline, make_case
from cases.models import Case, CaseSequence
from deliverability.models import MonitoredTarget

n_cases, n_targets = int(sys.argv[1]), int(sys.argv[2])
acme = Account.objects.get(slug="acme")
alice = User.objects.get(email="alice@acme.test")
staff = list(User.objects.filter(is_staff=True, is_superuser=False))
now, rng = timezone.now(), random.Random(2026)
prefix = CaseSequence.objects.get(account=acme).prefix
for name in ("created_at", "updated_at"):  # the cases keep the two years of dates make_case gives them
    Case._meta.get_field(name).auto_now = Case._meta.get_field(name).auto_now_add = False
Case.objects.bulk_create(
    [make_case(i, account=acme, prefix=prefix, reporter=alice, staff=staff, now=now, rng=rng)
     for i in range(10_001, 10_001 + n_cases)],
    batch_size=2000,
)
CaseSequence.objects.filter(account=acme).update(last=10_000 + n_cases)
addresses = [f"198.18.{i // 250}.{i % 250 + 1}" for i in range(n_targets)]
targets = [MonitoredTarget(account=acme, kind="ip4", value=a) for a in addresses]
for t in targets:
    t.sort_key = MonitoredTarget.sort_key_for(t.kind, t.value)
MonitoredTarget.objects.bulk_create(targets, ignore_conflicts=True)
first = Case.objects.get(account=acme, number=f"{prefix}-000001")  # the case page: a long timeline
long_timeline(first, customer=alice, staff=staff, now=now, rng=rng)
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")
print(Case.objects.filter(account=acme).count(), MonitoredTarget.objects.filter(account=acme).count())
"""

SESSION = """
import sys
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.models import User

for email in sys.argv[1:]:
    user = User.objects.get(email=email)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "accounts.backends.RoleBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    print(email, store.session_key)
"""


def python(env: dict, script: str, *args: str) -> str:
    done = subprocess.run([str(BIN / "python"), "-c", script, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return done.stdout


def wrk(url: str, cookie: str | None, seconds: int, connections: int, while_running=lambda: None) -> dict:
    """wrk's figures; ``while_running()`` is called every ``cpu.INTERVAL`` seconds until wrk ends."""
    headers = ["-H", "X-Forwarded-Proto: https"] + (["-H", f"Cookie: sessionid={cookie}"] if cookie else [])
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", *headers, url]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) as run:  # wrk's report is a few hundred bytes
        while run.poll() is None:
            while_running()
            time.sleep(cpu.INTERVAL)
        out = run.stdout.read()
    if run.returncode:
        raise subprocess.CalledProcessError(run.returncode, argv, out)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    requests = int(re.search(r"(\d+) requests in", out)[1])

    def ms(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = sum(
        int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|connect|read|write|timeout)\s*:?\s*(\d+)", out)
    )
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "errors": errors, "requests": requests}


def database_backends(pg) -> list[int]:
    """The PostgreSQL backends connected to this run's database (``pg``: a connection to another database)."""
    return [pid for (pid,) in pg.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [prod_smoke.DB])]


def workers(master_pid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master_pid)], capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def measured(page: Callable[[Callable[[], None]], dict], master_pid: int, pg) -> tuple[dict, float, int, int]:
    """Run ``page`` (wrk, given the sampler to call while it runs) and return its figures, the CPU milliseconds
    per request gunicorn's tree and the database's backends spent (bench/cpu.py), the workers recycled and the
    backends closed meanwhile."""
    backends = cpu.BackendTicks(lambda: database_backends(pg))
    web_before = cpu.settle(lambda: cpu.tree_ticks(master_pid), quiet=QUIET_TICKS)  # the warm-up's queue served
    workers_before = workers(master_pid)
    backends.start()
    figures = page(backends.sample)
    backends.sample()
    spent = cpu.tree_ticks(master_pid) - web_before + backends.total
    ms = spent / cpu.ticks_per_second() * 1000 / max(figures["requests"], 1)
    return figures, ms, len(workers_before - workers(master_pid)), backends.closed()


def worker_memory_mb(master_pid: int) -> list[float]:
    out = subprocess.run(["ps", "-o", "rss=", "--ppid", str(master_pid)], capture_output=True, text=True).stdout
    return [int(rss) / 1024 for rss in out.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=0, help="default: portal/gunicorn_conf.py's")
    parser.add_argument("--worker-class", default="", choices=["", "gthread", "sync"], help="default: the conf's")
    parser.add_argument("--only", help="one page, by its label")
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--targets", type=int, default=300)
    args = parser.parse_args()
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="load-") as tmp_name:
        tmp = Path(tmp_name)
        logs = ROOT / "var" / "bench-load"
        logs.mkdir(parents=True, exist_ok=True)
        web_port = free_port()
        (tmp / "prometheus").mkdir()
        env = environment(tmp, web_port, free_port(), free_port())
        env.update(SECURE_SSL_REDIRECT="false", LOG_LEVEL="WARNING", METRICS_TOKEN=secrets.token_urlsafe(16))
        fresh_database()
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "seed_demo")
        cases, targets = python(env, GROW, str(args.cases), str(args.targets)).split()
        sessions = dict(
            line.split() for line in python(env, SESSION, "alice@acme.test", "sam@support.test").splitlines()
        )
        web = [str(BIN / "gunicorn"), "-c", "portal/gunicorn_conf.py", "portal.wsgi", "--bind", f"127.0.0.1:{web_port}"]
        web += ["--workers", str(args.workers)] * bool(args.workers)
        web += ["--worker-class", args.worker_class] * bool(args.worker_class)
        gunicorn = stack.enter_context(process("web", web, env, logs))
        base = f"http://127.0.0.1:{web_port}"
        import httpx

        wait_for("gunicorn", lambda: _up(httpx, f"{base}/healthz"))
        print(
            f"Acme: {int(cases):,} cases, {int(targets):,} targets; gunicorn {args.workers or 'default'} workers "
            f"({args.worker_class or 'default class'}); load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
            f"wrk {args.connections} connections x {args.seconds} s per page\n"
        )
        columns = f"{'page':22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'cpu ms/req':>10} {'ref ms':>6}"
        print(f"{columns}  target: >= {TARGET_RPS:.0f}/s, p99 <= {TARGET_P99_MS:.0f} ms, 0 errors")
        pg = stack.enter_context(psycopg.connect(f"{prod_smoke.PG}/postgres", autocommit=True))
        recycled = closed = 0
        for label, path, who in [page for page in PAGES if args.only in (None, page[0])]:
            wrk(f"{base}{path}", sessions.get(who), 3, args.connections)  # warm-up
            reference = cpu.reference_ms()  # the machine's speed just before this page's run
            run = partial(wrk, f"{base}{path}", sessions.get(who), args.seconds, args.connections)
            r, cpu_ms, gone, ended = measured(run, gunicorn.pid, pg)
            recycled, closed = recycled + gone, closed + ended
            ok = r["rps"] >= TARGET_RPS and r["p99"] <= TARGET_P99_MS and r["errors"] == 0
            per_request = f"{cpu_ms:10.1f}" if r["requests"] else f"{'-':>10}"  # none answered: no figure
            figures = f"{r['rps']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f} {r['errors']:7d} {per_request} {reference:6.1f}"
            print(f"{label:22} {figures}  {'met' if ok else 'MISSED'}")
        print(
            f"\ncpu ms/req: gunicorn's master and workers ({recycled} recycled during the runs: counted whole) and "
            f"the database's PostgreSQL backends, sampled every {cpu.INTERVAL} s ({closed} closed during the runs: "
            "counted to their last sample)\nref ms: the CPU time of one fixed piece of Python work (bench/cpu.py:"
            " reference_ms) just before the page's run; this machine's speed moves with its neighbours, so compare"
            " two runs' cpu ms/req divided by it"
        )
        memory = worker_memory_mb(gunicorn.pid)
        print(f"\nweb worker memory (RSS): {', '.join(f'{m:.0f} MB' for m in memory)}")


def _up(httpx, url: str) -> bool:
    try:
        return httpx.get(url, headers={"X-Forwarded-Proto": "https"}, timeout=5).status_code == 200
    except httpx.TransportError:
        time.sleep(0.5)
        return False


if __name__ == "__main__":
    main()
