"""CPU per request of the pages people keep open, in process, with production settings (issue 18).

    .venv/bin/python bench/pages.py [--requests 30] [--rounds 3] [--reuse] [--profile "case list"] [--cold]
        [--only "case page"]

The same data as ``bench/load.py`` (the demo grown to Acme with ``--cases`` cases and ``--targets`` targets) in a
database of its own (``SMOKE_DB``, default ``portal_pages_bench``; dropped and recreated unless ``--reuse``),
Redis db ``PAGES_REDIS_DB`` (default 4). Then one process with ``portal.settings.production`` asks each page
through Django's test client, signed in as the person who uses it, and prints per page: the best of ``--rounds``
rounds of the mean CPU time of this process per request (``time.process_time``: the figure other work on a
shared machine changes least), the queries of one request, the answer's size, and the Python function calls of
one request (a count: the figure a busy machine does not change at all). The whole middleware stack runs
(sessions from Redis, CSP, axes, structlog, metrics); PostgreSQL's own CPU is not counted. Panels cached per
account are warm after the first request; ``--cold`` empties the cache before every request instead (the figure
right after each change). ``--reuse`` keeps the database but collects the tree's static files, so two trees can
be measured on the same data. ``--profile LABEL`` adds cProfile's top functions for that page (``PROFILE_LINES``
of them, 60 unless set; ``PROFILE_OUT=file`` also saves the profile); ``--only LABEL``
measures that page alone. Besides ``bench/load.py``'s pages it measures the staff's page of the same case (its
timeline with the internal notes).
"""

import argparse
import cProfile
import os
import pstats
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SMOKE_DB", "portal_pages_bench")
os.environ.setdefault("SMOKE_REDIS_URL", f"redis://127.0.0.1:6379/{os.environ.get('PAGES_REDIS_DB', '4')}")

from bench.load import GROW, PAGES, python  # noqa: E402
from tests.prod_smoke import BIN, environment, fresh_database, manage  # noqa: E402

PAGES = [*PAGES, ("staff case page", "/console/cases/ACME-000001/", "sam@support.test")]


def prepare(env: dict, cases: int, targets: int) -> None:
    fresh_database()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo")
    python(env, GROW, str(cases), str(targets))


def measure(requests: int, rounds: int, profile: str | None, cold: bool, only: str | None) -> None:
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from accounts.models import User

    clients = {}
    for who in {who for _, _, who in PAGES}:
        client = Client(HTTP_X_FORWARDED_PROTO="https", secure=True)
        if who:
            client.force_login(User.objects.get(email=who), backend="accounts.backends.RoleBackend")
        clients[who] = client
    print(
        f"{'page':22} {'cpu ms/req':>10} {'queries':>8} {'KB':>6} {'py calls':>9}   ({rounds} x {requests} requests, "
        "best round; Python function calls per request: the same on a busy machine)"
    )
    for label, path, who in [page for page in PAGES if only in (None, page[0])]:
        client = clients[who]

        def get(client=client, path=path, label=label):
            if cold:
                cache.delete_pattern("panel:*") if hasattr(cache, "delete_pattern") else cache.clear()
            response = client.get(path)
            assert response.status_code == 200, (label, response.status_code)
            return response

        for _ in range(5):
            get()
        queries = []

        def count(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            size = len(get().content)
        best = float("inf")
        for _ in range(rounds):
            start = time.process_time()
            for _ in range(requests):
                get()
            best = min(best, (time.process_time() - start) * 1000 / requests)
        print(f"{label:22} {best:10.1f} {len(queries):8d} {size / 1024:6.0f} {calls_per_request(get, requests):9d}")
        if profile == label:
            print("\n".join(f"  {sql[:150]}" for sql in queries))
        if profile == label:
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for _ in range(requests):
                get()
            profiler.disable()
            if os.environ.get("PROFILE_OUT"):  # for pstats' callers and callees
                profiler.dump_stats(os.environ["PROFILE_OUT"])
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(int(os.environ.get("PROFILE_LINES", "60")))
            stats.sort_stats("tottime").print_stats(25)


def calls_per_request(get, requests: int) -> int:
    """Python function calls of one request (cProfile's count): unlike CPU time, other work on a shared machine
    does not change it, so two trees compare on it even when the CPU figures are noisy."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        get()
    profiler.disable()
    return sum(calls for _, calls, *_ in pstats.Stats(profiler).stats.values()) // requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--targets", type=int, default=300)
    parser.add_argument("--reuse", action="store_true", help="keep the database of the last run")
    parser.add_argument("--profile", metavar="LABEL")
    parser.add_argument("--cold", action="store_true", help="empty the panel cache before every request")
    parser.add_argument("--only", metavar="LABEL", help="one page, by its label")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.requests, args.rounds, args.profile, args.cold, args.only)
    with tempfile.TemporaryDirectory(prefix="pages-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "prometheus").mkdir()
        env = environment(tmp, 8000, 2525, 5353)
        env.update(SECURE_SSL_REDIRECT="false", LOG_LEVEL="WARNING", METRICS_TOKEN=secrets.token_urlsafe(16))
        env["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
        if not args.reuse:
            prepare(env, args.cases, args.targets)
        manage(env, "collectstatic", "--noinput", "-v0")  # the tree's own (a --reuse of another tree's database)
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        argv = [str(BIN / "python"), __file__, "--measure", f"--requests={args.requests}", f"--rounds={args.rounds}"]
        argv += [f"--profile={args.profile}"] * bool(args.profile) + ["--cold"] * args.cold
        argv += [f"--only={args.only}"] * bool(args.only)
        subprocess.run(argv, cwd=ROOT, env=env, check=True)


if __name__ == "__main__":
    main()
