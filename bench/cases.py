"""Case list, staff queue and SLA sweep on one account with 100,000 cases (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/cases.py [--cases 100000]

Self-contained and repeatable: the database named in DATABASE_URL is dropped and created afresh (its name
must contain "bench", so a real database is never dropped), migrated, and filled with one account's cases
in bulk. Then Django's test client requests each page as an Acme member and as a support agent: 5 warm-ups
and 50 timed requests per URL, printing the queries per request and the p50/p95 server time beside the
targets. Last, ``sla_sweep()`` runs once over all cases reopened, ~50 of them due.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
# Celery's filesystem broker and uploaded files go to a throw-away directory, not the project's var/.
os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="portal-bench-"))

TARGET_QUERIES = 12
TARGET_P95_MS = 80.0
BATCH = 5_000
WARMUPS, RUNS = 5, 50
SWEEP_DUE = 50

# What the report proposes, as SQL, so one run measures before and after (bench database only; the
# application's models and migrations are not touched). The Django equivalents are in bench/README.md.
PROPOSED_INDEXES = [
    # The queue's ORDER BY, open cases only: the first page is read off the index, no sort of every open case.
    "CREATE INDEX case_queue_open ON cases_case (next_deadline_at ASC NULLS LAST, created_at DESC) "
    "WHERE status <> 'resolved'",
    # The customer's default list (open cases, newest first) and its count, as an index-only scan.
    "CREATE INDEX case_account_open ON cases_case (account_id, created_at DESC) WHERE status <> 'resolved'",
    # number__iexact compares UPPER(number): the unique index on number cannot serve it.
    "CREATE INDEX case_number_upper ON cases_case (UPPER(number))",
    # subject__icontains is UPPER(subject) LIKE '%...%': only a trigram index serves it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX case_subject_trgm ON cases_case USING gin (UPPER(subject) gin_trgm_ops)",
]

WORDS = (
    "bounce deferral DKIM SPF DMARC webhook API timeout SMTP injection throttling blocklist warm-up "
    "suppression template tracking unsubscribe latency TLS certificate IP pool quota 421 550 Gmail Outlook Yahoo"
).split()


def recreate_database(url: str) -> None:
    """Drop and create the bench database with psycopg (autocommit, from the maintenance database)."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit("bench/cases.py measures PostgreSQL: set DATABASE_URL=postgres://.../portal_bench")
    name = config["NAME"]
    if "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: the bench database's name must contain 'bench'")
    params = {"host": config["HOST"] or None, "port": config["PORT"] or None, "user": config["USER"] or None}
    params = {k: v for k, v in params.items() if v}
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@contextmanager
def keep_given_timestamps(model):
    """Let bulk_create store the created_at/updated_at we give (the bench's data spans two years)."""
    fields = [model._meta.get_field("created_at"), model._meta.get_field("updated_at")]
    before = [(f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (auto_now, auto_now_add) in zip(fields, before, strict=True):
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def people_and_account():
    from accounts.models import Account, Membership, StaffRole, User

    tina = User.objects.create_user(
        "tina@tam.test", "bench-pass-2026", full_name="Tina Nowak", is_staff=True, staff_role=StaffRole.TAM
    )
    sam = User.objects.create_user(
        "sam@support.test", "bench-pass-2026", full_name="Sam Okafor", is_staff=True, staff_role=StaffRole.AGENT
    )
    alice = User.objects.create_user("alice@acme.test", "bench-pass-2026", full_name="Alice Andrzejewska")
    acme = Account.objects.create(name="Acme", slug="acme", support_email="support@acme.test", primary_tam=tina)
    Membership.objects.create(account=acme, user=alice, role=Membership.Role.MEMBER)
    agents = [
        User.objects.create_user(
            f"agent{i}@support.test", "x", full_name=f"Agent {i}", is_staff=True, staff_role=StaffRole.AGENT
        )
        for i in range(8)
    ]
    return acme, alice, sam, [sam, tina, *agents]


STATUSES = [  # (status, share): two years of history, most of it resolved
    ("resolved", 0.62),
    ("in_progress", 0.16),
    ("waiting_on_customer", 0.09),
    ("new", 0.08),
    ("resolution_proposed", 0.05),
]


def make_case(i, *, account, reporter, staff, now, rng):
    from cases.models import Case

    status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
    critical = rng.random() < 0.04
    created = now - timedelta(seconds=rng.uniform(0, 730 * 86400))
    case = Case(
        account=account,
        number=f"ACME-{i:06d}",
        subject=" ".join(rng.sample(WORDS, 4)).capitalize(),
        description="Bench case.",
        severity=Case.Severity.CRITICAL if critical else Case.Severity.NON_CRITICAL,
        category=Case.Category.BUG if critical or rng.random() < 0.5 else rng.choice(["configuration", "information"]),
        channel=rng.choice(["portal", "portal", "email", "phone"]),
        status=status,
        reporter=reporter,
        assignee=rng.choice(staff) if status != "new" else None,
        created_at=created,
        updated_at=created,
    )
    if status == "resolved":
        case.first_responded_at = created + timedelta(minutes=rng.uniform(5, 240))
        case.resolved_at = created + timedelta(hours=rng.uniform(1, 400))
    elif status in ("new", "in_progress"):
        # Deadlines over the next days, a few already past (their breach alerts went out: no check pending).
        due = now + timedelta(minutes=rng.uniform(-600, 6 * 24 * 60)) if rng.random() < 0.97 else None
        if critical and due is not None:
            case.next_update_due_at = due
        else:
            case.response_due_at = due
        case.next_deadline_at = due
        case.sla_check_at = due - timedelta(minutes=30) if due and due - timedelta(minutes=30) > now else None
    elif status == "resolution_proposed":
        case.resolution_proposed_at = now - timedelta(hours=rng.uniform(1, 48))
    return case


def fill(n: int, *, account, reporter, staff) -> None:
    from django.utils import timezone

    from cases.models import Case, CaseSequence

    now, rng = timezone.now(), random.Random(2026)
    started = time.perf_counter()
    with keep_given_timestamps(Case):
        for first in range(1, n + 1, BATCH):
            batch = [
                make_case(i, account=account, reporter=reporter, staff=staff, now=now, rng=rng)
                for i in range(first, min(first + BATCH, n + 1))
            ]
            Case.objects.bulk_create(batch, batch_size=BATCH)
    CaseSequence.objects.create(account=account, prefix="ACME", last=n)
    with connection_cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_case")
    print(f"filled {n:,} cases in {time.perf_counter() - started:.1f} s")


@contextmanager
def connection_cursor():
    from django.db import connection

    with connection.cursor() as cursor:
        yield cursor


def explain(captured) -> None:
    """EXPLAIN ANALYZE of the request's queries that took more than 2 ms."""
    from django.db import connection

    for query in captured:
        if float(query["time"]) < 0.002 or not query["sql"].startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join("      " + row[0] for row in cursor.fetchall())
        print(f"    {float(query['time']) * 1000:.1f} ms: {query['sql'][:300]}\n{plan}")


def measure(client, url: str, *, show_plans=False) -> tuple[int, float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUPS):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    rows = response.content.count(b'data-testid="clock"')  # one clock badge per case row
    p95 = statistics.quantiles(times, n=20)[18]
    if show_plans and p95 > TARGET_P95_MS:
        explain(captured.captured_queries)
    return len(captured.captured_queries), statistics.median(times), p95, rows


def report(title: str, client, urls: list[str], *, show_plans=False) -> list[tuple]:
    results = []
    print(f"\n{title}")
    print(
        f"  {'URL':<44} {'rows':>5} {'queries':>8} {'p50 ms':>8} {'p95 ms':>8}   targets: <= {TARGET_QUERIES} "
        f"queries, p95 <= {TARGET_P95_MS:.0f} ms"
    )
    for url in urls:
        queries, p50, p95, rows = measure(client, url, show_plans=show_plans)
        miss = [m for m, bad in (("queries", queries > TARGET_QUERIES), ("p95", p95 > TARGET_P95_MS)) if bad]
        flag = "MISSED: " + ", ".join(miss) if miss else "ok"
        print(f"  {url:<44} {rows:>5} {queries:>8} {p50:>8.1f} {p95:>8.1f}   {flag}")
        results.append((url, queries, p50, p95, flag))
    return results


def sweep(n_due: int) -> None:
    """Every case open (100k), deadlines in the coming days; ~50 due for a warning or a breach now."""
    from django.db import connection
    from django.utils import timezone

    from cases.models import CaseEvent, SlaAlert
    from cases.services import sla_sweep

    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE cases_case SET status = 'in_progress', resolved_at = NULL, resolution_proposed_at = NULL,
                   response_due_at = %(now)s + (45 + random() * 6 * 24 * 60) * interval '1 minute',
                   next_update_due_at = NULL, callback_due_at = NULL""",
            {"now": now},
        )
        cursor.execute(
            "UPDATE cases_case SET next_deadline_at = response_due_at, "
            "sla_check_at = response_due_at - interval '30 minutes'"
        )
        cursor.execute(
            """UPDATE cases_case SET response_due_at = %(now)s + interval '10 minutes',
                   next_deadline_at = %(now)s + interval '10 minutes', sla_check_at = %(now)s - interval '20 minutes'
               WHERE id IN (SELECT id FROM cases_case ORDER BY random() LIMIT %(due)s)""",
            {"now": now, "due": n_due},
        )
        cursor.execute("ANALYZE cases_case")
        cursor.execute("SELECT count(*) FROM cases_case WHERE status <> 'resolved'")
        open_cases = cursor.fetchone()[0]
    alerts_before = SlaAlert.objects.count()
    started = time.perf_counter()
    raised = sla_sweep()
    took = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    again = sla_sweep()
    took_again = (time.perf_counter() - started) * 1000
    print(f"\nsla_sweep() over {open_cases:,} open cases, {n_due} due")
    print(f"  first run:  {raised} alerts in {took:.0f} ms ({took / max(raised, 1):.1f} ms per alert)")
    print(f"  second run: {again} alerts in {took_again:.0f} ms (nothing left to do: the index finds nothing)")
    assert SlaAlert.objects.count() - alerts_before == raised
    assert CaseEvent.objects.filter(kind="sla_warning").count() == raised


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slow queries of a missed target")
    parser.add_argument(
        "--proposals", action="store_true", help="measure again with the proposed indexes (bench database only)"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("set DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench")
    recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from portal.celery import app

    setup_test_environment()  # the test client's host, in-memory mail
    app.conf.task_always_eager = False  # the sweep enqueues the mail drain, as in production; it does not send
    call_command("migrate", verbosity=0, interactive=False)
    acme, alice, sam, staff = people_and_account()
    fill(args.cases, account=acme, reporter=alice, staff=staff)

    customer, agent = Client(), Client()
    customer.force_login(alice)
    agent.force_login(sam)
    rounds = [""] + (["with the proposed indexes"] if args.proposals else [])
    for label in rounds:
        if label:
            apply_proposals()
        suffix = f" — {label}" if label else ""
        report(
            f"customer case list, {args.cases:,} cases (as an Acme member){suffix}",
            customer,
            [
                "/a/acme/cases/",
                "/a/acme/cases/?status=open&severity=critical",
                "/a/acme/cases/?status=all",
                "/a/acme/cases/?q=webhook",
                "/a/acme/cases/?status=all&q=ACME-012345",
                "/a/acme/cases/?page=200",
            ],
            show_plans=args.explain and not label,
        )
        report(
            f"staff queue (as a support agent){suffix}",
            agent,
            ["/console/cases/", "/console/cases/?view=breached", "/console/cases/?page=200"],
            show_plans=args.explain and not label,
        )
    sweep(SWEEP_DUE)
    report(
        f"staff queue with all {args.cases:,} cases open" + (" — with the proposed indexes" if args.proposals else ""),
        agent,
        ["/console/cases/", "/console/cases/?view=breached"],
        show_plans=args.explain,
    )


def apply_proposals() -> None:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in PROPOSED_INDEXES:
            cursor.execute(statement)
        cursor.execute("VACUUM ANALYZE cases_case")
    print(f"\ncreated the proposed indexes in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
