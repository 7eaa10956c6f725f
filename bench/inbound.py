"""Inbound email: 5,000 varied raw messages through ``receive()``, one by one, in one process on one core.

    .venv/bin/python bench/inbound.py [--messages 5000] [--profile]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_email_bench .venv/bin/python bench/inbound.py
    # production's shape: PostgreSQL, and Redis as the broker the drain is enqueued on (and the cache)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_email_bench REDIS_URL=redis://127.0.0.1:6379/11 \
        .venv/bin/python bench/inbound.py [--worker]

Self-contained and repeatable: without DATABASE_URL a throw-away SQLite file in a temporary directory (the
embedded default's settings: WAL, synchronous=NORMAL); with a PostgreSQL DATABASE_URL that database is
dropped and created afresh (its name must contain "bench"). Migrated, then the Acme/Globex world (members,
contacts without a login, a contact of both accounts, an on-call agent) and 300 open cases to reply to.

The messages are generated first (not timed), from a fixed seed: new cases from known senders (some to the
critical address), replies threaded by our signed Message-ID, by References only and by the subject token,
out-of-office replies, DSN bounces of our notifications, unknown senders, a stranger quoting a case token,
our own notification looping back, windows-1250 Polish mail, HTML-only mail, small (~20 KB) and a few 1 MB
attachments, duplicate deliveries, and a contact of Acme who has a portal login at Globex. Then each goes
through ``receive()`` as the MTA pipe hands it over.
The outbox drain is enqueued on commit as in production (Celery not eager: the filesystem broker under a
temporary directory, or Redis with ``REDIS_URL``), not run inline; nothing consumes it unless ``--worker`` starts a real
worker on the other core (``bench/inbound_worker.py``), whose CPU time is then printed too. The machine's speed
(``bench/cpu.py: reference_ms``) is printed before and after the run: on a shared machine it moves by up to 2x
within minutes, and two runs compare only on their CPU per message divided by it. Prints messages/s and CPU
time beside the target, outcomes per kind, per-kind latency, and RSS after 1,000 / 2,500 / all messages with
the peak (``ru_maxrss``).
"""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))

import argparse  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from datetime import timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import inbound_worker  # noqa: E402
from inbound_mail import EXPECTED, MIX, WORDS, Generator, World  # noqa: E402

BASE_DIR = Path(_HERE).parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
TMP = tempfile.mkdtemp(prefix="portal-email-bench-")
# Uploaded attachments and Celery's filesystem broker go to the throw-away directory, not the project's var/.
os.environ.setdefault("PORTAL_VAR_DIR", TMP)

TARGET_PER_SECOND = 100.0
SEED_CASES = {"acme": 200, "globex": 100}
SAMPLES_AT = (1_000, 2_500)


def rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


def mb(kb: int) -> str:
    return f"{kb / 1024:.1f} MB"


def prepare_database() -> str:
    """A throw-away SQLite file unless DATABASE_URL names a PostgreSQL bench database (dropped and created)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        url = f"sqlite:///{TMP}/email-bench.sqlite3"
        os.environ["DATABASE_URL"] = url
        return url
    import dj_database_url

    config = dj_database_url.parse(url)
    name = str(config["NAME"])
    if "bench" not in Path(name).name:
        sys.exit(f"refusing to drop {name!r}: the bench database's name must contain 'bench'")
    if config["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
        return url
    import psycopg
    from psycopg import sql

    params = {"host": config["HOST"] or None, "port": config["PORT"] or None, "user": config["USER"] or None}
    params = {k: v for k, v in params.items() if v}
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url


def drained(redis_url: str):
    """Nothing left for the worker: no task queued, no notification to expand, no mail waiting to go."""
    import redis

    from accounts.models import OutboundEmail
    from cases.models import PendingNotification

    broker = redis.Redis.from_url(redis_url)
    waiting = (OutboundEmail.Status.PENDING, OutboundEmail.Status.SENDING)
    return lambda: (
        not broker.llen("default")
        and not PendingNotification.objects.exists()
        and not OutboundEmail.objects.filter(status__in=waiting).exists()
    )


def build_world() -> World:
    from django.utils import timezone

    from accounts.models import Account, Contact, Membership, StaffRole, User
    from cases import services
    from cases.models import Case, OnCallShift

    def user(email, name, **extra):
        return User.objects.create_user(email, "bench-pass-2026", full_name=name, **extra)

    tina = user("tina@tam.test", "Tina Nowak", is_staff=True, staff_role=StaffRole.TAM)
    tess = user("tess@tam.test", "Tess Lindqvist", is_staff=True, staff_role=StaffRole.TAM)
    sam = user("sam@support.test", "Sam Okafor", is_staff=True, staff_role=StaffRole.AGENT)
    now = timezone.now()
    OnCallShift.objects.create(agent=sam, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=7))
    acme = Account.objects.create(name="Acme", slug="acme", support_email="support@acme.portal.test", primary_tam=tina)
    globex = Account.objects.create(
        name="Globex", slug="globex", support_email="support@globex.portal.test", primary_tam=tess
    )
    alice = user("alice@acme.test", "Alice Andrzejewska", language="pl")
    arthur = user("arthur@acme.test", "Arthur Malinowski")
    bob = user("bob@globex.test", "Bob Harris")
    Membership.objects.create(account=acme, user=alice, role=Membership.Role.ADMIN)
    Membership.objects.create(account=acme, user=arthur, role=Membership.Role.MEMBER)
    Membership.objects.create(account=globex, user=bob, role=Membership.Role.ADMIN)
    Contact.objects.bulk_create(
        [Contact(account=acme, name=f"Acme ops {i}", email=f"ops{i}@acme.test") for i in range(40)]
        + [Contact(account=globex, name=f"Globex ops {i}", email=f"ops{i}@globex.test") for i in range(30)]
        + [
            Contact(account=acme, name="Integrator", email="consultant@integrator.test"),
            Contact(account=globex, name="Integrator", email="consultant@integrator.test"),
            # Bob has a login at Globex and is also a contact of Acme (a consultant working for both).
            Contact(account=acme, name="Bob Harris", email="bob@globex.test"),
        ]
    )
    senders = {
        "acme": ["alice@acme.test", "arthur@acme.test", *[f"ops{i}@acme.test" for i in range(40)]],
        "globex": ["bob@globex.test", *[f"ops{i}@globex.test" for i in range(30)]],
    }
    rng = random.Random(7)
    cases = {}
    for account, actor in ((acme, alice), (globex, bob)):
        cases[account.slug] = []
        for _ in range(SEED_CASES[account.slug]):
            case = services.case_open(
                account=account,
                actor=actor,
                subject=" ".join(rng.sample(WORDS, 4)).capitalize(),
                description="Seeded for the email bench.",
                severity=Case.Severity.NON_CRITICAL,
                category=Case.Category.INFORMATION,
            )
            cases[account.slug].append((case.pk, case.number, case.subject))
    return World(acme=acme, globex=globex, senders=senders, shared="consultant@integrator.test", cases=cases)


# -- message generation -------------------------------------------------------------------------------------


def ingest(messages, *, profile: bool):
    from django.db import connection

    from cases.email.ingest import receive

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU time: waiting on PostgreSQL is not this process's cost
    wall0, cpu0 = time.perf_counter(), time.process_time()
    statements = [0]

    def count(execute, sql, params, many, context):  # every statement sent to the database, savepoints included
        statements[0] += 1
        return execute(sql, params, many, context)

    if profiler:
        profiler.enable()
    with connection.execute_wrapper(count):
        took, outcomes, reasons, samples = _receive_all(messages, receive, wall0)
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    samples.append((len(messages), rss_kb(), wall))
    return wall, cpu, statements[0], outcomes, reasons, took, samples, profiler


def _receive_all(messages, receive, wall0):
    outcomes: dict[str, Counter] = defaultdict(Counter)
    reasons: Counter = Counter()
    took: dict[str, list[float]] = defaultdict(list)
    samples = []
    for i, (kind, raw, sender, recipient) in enumerate(messages, 1):
        started = time.perf_counter()
        outcome = receive(raw, envelope_sender=sender, envelope_recipient=recipient)
        took[kind].append(time.perf_counter() - started)
        outcomes[kind][outcome.result] += 1
        if outcome.result not in EXPECTED[kind]:
            reasons[f"{kind}: {outcome.result}: {str(outcome.reason)[:140]}"] += 1
        if i in SAMPLES_AT:
            samples.append((i, rss_kb(), time.perf_counter() - wall0))
    return took, outcomes, reasons, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--profile", action="store_true", help="cProfile (CPU time) of the ingest loop, top 25")
    parser.add_argument("--keep", action="store_true", help=f"keep the temporary directory ({TMP})")
    parser.add_argument("--worker", action="store_true", help="a real Celery worker drains on CPU 1 (needs REDIS_URL)")
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL", "")
    if args.worker and not redis_url:
        sys.exit("--worker needs REDIS_URL: the worker and this process share Redis as broker and cache")
    if redis_url:
        inbound_worker.use_shared_cache(TMP, redis_url)  # as production: Redis is every process's cache
    if not args.keep:
        import atexit
        import shutil

        atexit.register(shutil.rmtree, TMP, ignore_errors=True)

    os.sched_setaffinity(0, {0})  # "on one core": this process, and with SQLite the database too
    url = prepare_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import OutboundEmail
    from bench.cpu import reference_ms
    from cases.models import Case, CaseAttachment, CaseEvent, InboundMessage
    from portal.celery import app

    # A failed message logs its traceback; the table below lists failures with their reasons instead.
    logging.getLogger("cases.email.ingest").setLevel(logging.CRITICAL)
    # As in production: the outbox drain is enqueued on commit (here to the filesystem broker), not run inline.
    app.conf.task_always_eager = False
    published = inbound_worker.count_publishes()
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    world = build_world()
    print(f"database: {connection.vendor} ({url.split('@')[-1]}); var: {os.environ['PORTAL_VAR_DIR']}")
    print(f"migrated and seeded {sum(SEED_CASES.values())} cases in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    messages = Generator(world).generate(args.messages)
    total_bytes = sum(len(m[1]) for m in messages)
    took = time.perf_counter() - started
    print(f"generated {len(messages):,} messages ({total_bytes / 1e6:.1f} MB raw) in {took:.1f} s (not timed)")
    cases_before, outbox_before = Case.objects.count(), OutboundEmail.objects.count()
    baseline = rss_kb()

    worker_log = os.path.join(TMP, "worker.log")
    worker = inbound_worker.start_worker(worker_log) if args.worker else None
    speed_before = reference_ms()
    wall, cpu, statements, outcomes, unexpected, took, samples, profiler = ingest(messages, profile=args.profile)
    speed_after = reference_ms()
    if worker:
        worker_cpu, ran, drained_in = inbound_worker.finish_worker(worker, worker_log, idle=drained(redis_url))

    n = len(messages)
    rate, cpu_rate = n / wall, n / cpu
    verdict = "ok" if rate >= TARGET_PER_SECOND else "MISSED"
    print(f"\ningest of {n:,} messages with receive(), one process pinned to CPU {sorted(os.sched_getaffinity(0))}")
    print(
        f"  wall time   {wall:8.1f} s   {rate:8.1f} messages/s   "
        f"target >= {TARGET_PER_SECOND:.0f}/s on one core: {verdict}"
    )
    print(f"  CPU time    {cpu:8.1f} s   {cpu_rate:8.1f} messages per CPU-second (this process only)")
    print(f"  per message {wall / n * 1000:8.2f} ms wall, {cpu / n * 1000:.2f} ms CPU, {statements / n:.1f} statements")
    broker = app.conf.broker_url.split(":", 1)[0]
    print(f"  broker {broker}; machine speed (reference_ms) {speed_before:.1f} ms before, {speed_after:.1f} ms after")
    if args.profile:
        print("  (under cProfile: the rates are lower than without it)")
    print("  tasks published: " + (", ".join(f"{k} {v}" for k, v in published.most_common()) or "none"))
    if worker:
        print(
            f"  worker (CPU 1): {worker_cpu:.1f} CPU-s, {worker_cpu / n * 1000:.2f} ms per message; drained "
            f"{drained_in:.1f} s after the last message; ran " + ", ".join(f"{k} {v}" for k, v in ran.most_common())
        )
        print(f"  both processes: {n / (cpu + worker_cpu):.1f} messages per CPU-second")

    print("\noutcomes")
    totals: Counter = Counter()
    print(f"  {'kind':<22} {'n':>5}  {'p50 ms':>7} {'p95 ms':>7}  outcomes")
    for kind, _share in MIX:
        if kind not in outcomes:
            continue
        times = sorted(took[kind])
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))] * 1000
        counts = outcomes[kind]
        totals.update(counts)
        shown = ", ".join(f"{k} {v}" for k, v in counts.most_common())
        print(f"  {kind:<22} {len(times):>5}  {statistics.median(times) * 1000:7.1f} {p95:7.1f}  {shown}")
    print("  total: " + ", ".join(f"{k} {v}" for k, v in totals.most_common()))
    if unexpected:
        print("\nUNEXPECTED outcomes")
        for line, count in unexpected.most_common(20):
            print(f"  {count:>5} × {line}")
    else:
        print("  every message came out as its kind expects")
    polish = sum(outcomes["polish_cp1250"].values())
    readable = CaseEvent.objects.filter(body__contains="Zespół IT").count()
    print(f"  windows-1250 mail read back with its Polish letters intact: {readable} of {polish}")
    print(
        f"  cases opened {Case.objects.count() - cases_before:,}; events {CaseEvent.objects.count():,}; "
        f"attachments {CaseAttachment.objects.count():,}; notifications queued "
        f"{OutboundEmail.objects.count() - outbox_before:,}; inbound rows {InboundMessage.objects.count():,}"
    )

    print("\nmemory (RSS), and the rate of each stretch (does it slow down as the tables grow?)")
    print(f"  before ingest (messages generated, in memory) {mb(baseline)}")
    done, at = 0, 0.0
    for i, kb, elapsed in samples:
        stretch = (i - done) / (elapsed - at) if elapsed > at else 0.0
        print(
            f"  after {i:>6,} messages {mb(kb):>10}   ({(kb - baseline) / 1024:+.1f} MB)"
            f"   messages {done + 1:,}-{i:,}: {stretch:.1f}/s"
        )
        done, at = i, elapsed
    growth = samples[-1][1] - samples[0][1]
    peak = max(peak_kb(), *(kb for _, kb, _ in samples))
    print(
        f"  peak (ru_maxrss) {mb(peak)}; growth from {samples[0][0]:,} to {samples[-1][0]:,} messages: "
        f"{growth / 1024:+.1f} MB"
    )

    if profiler:
        import pstats

        print("\ncProfile, top 25 by cumulative time")
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats("cumulative").print_stats(25)
        print("cProfile, top 25 by own time")
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
