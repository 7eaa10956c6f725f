"""Every migration on a database holding the bench data, and the longest lock it holds (issue 18).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_migrations \
        .venv/bin/python bench/migrations.py [--cases 100000]

The database named in DATABASE_URL (its name must contain "bench") is created afresh and migrated; it is
filled with one account's cases (3 timeline entries each) and as many audit rows; then every app of the
project is migrated back to its first migration and forward again, so every later migration runs against the
full tables, as in production. A second connection watches ``pg_locks`` every 2 ms and times each lock that
blocks the portal's writes (ShareLock and stronger on a table) from first to last sight, per migration.

It prints the longest such locks (migration, table, mode, milliseconds), each migration's duration, and the
longest lock against the target: no lock that blocks writes for longer than ``ZERO_DOWNTIME_MIGRATIONS_LOCK_
TIMEOUT`` (2 s). Exit status 1 when the target is missed (the test runs it small: tests/portal/
test_migrations_safe.py).
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="portal-bench-"))

from bench.cases import recreate_database  # noqa: E402

OURS = ("accounts", "cases", "deliverability", "planning", "availability", "portal")
BLOCKS_WRITES = ("ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock")
TARGET_MS = 2000.0
BATCH = 5000
LOCKS_SQL = """
SELECT l.relation::regclass::text, l.mode
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE a.datname = current_database() AND l.pid <> pg_backend_pid() AND l.locktype = 'relation' AND l.granted
  AND l.mode = ANY(%s) AND l.relation::regclass::text NOT LIKE 'pg\\_%%'
"""


class LockWatch(threading.Thread):
    """Polls pg_locks from its own connection; ``held[(migration, table, mode)]`` = longest continuous ms."""

    def __init__(self, dsn: dict):
        super().__init__(daemon=True)
        self.dsn, self.current, self.stop = dsn, "(setup)", threading.Event()
        self.held: dict[tuple, float] = defaultdict(float)

    def run(self):
        import psycopg

        seen: dict[tuple, tuple[float, str]] = {}
        with psycopg.connect(autocommit=True, **self.dsn) as conn:
            while not self.stop.is_set():
                now = time.perf_counter()
                rows = {(t, m) for t, m in conn.execute(LOCKS_SQL, [list(BLOCKS_WRITES)]).fetchall()}
                rows = {key for key in rows if not key[0].isdigit()}  # a table created or dropped right now
                for key in rows - seen.keys():
                    seen[key] = (now, self.current)
                for key in list(seen):
                    start, migration = seen[key]
                    ms = (now - start) * 1000
                    self.held[(migration, *key)] = max(self.held[(migration, *key)], ms)
                    if key not in rows:
                        del seen[key]
                time.sleep(0.002)


def fill(n: int) -> None:
    from accounts.models import Account, AuditEvent, User
    from cases.models import Case, CaseEvent

    tam = User.objects.create_user("tina@tam.test", "x", full_name="Tina", is_staff=True, staff_role="tam")
    account = Account.objects.create(name="Acme", slug="acme", support_email="support@acme.test", primary_tam=tam)
    started = time.perf_counter()
    for first in range(0, n, BATCH):
        cases = Case.objects.bulk_create(
            Case(account=account, number=f"ACME-{i:07d}", subject=f"Bounces {i}", description="Bench case.")
            for i in range(first, min(first + BATCH, n))
        )
        CaseEvent.objects.bulk_create(
            CaseEvent(case=case, kind=kind, body="Bench entry.")
            for case in cases
            for kind in ("opened", "reply", "note")
        )
        AuditEvent.objects.bulk_create(AuditEvent(account=account, kind="account_changed") for _ in cases)
    print(f"filled {n:,} cases, {3 * n:,} timeline entries, {n:,} audit rows in {time.perf_counter() - started:.1f} s")


def rewind() -> None:
    """Every app back to its first migration (later migrations' columns go; the rows stay)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(connection).graph
    for app in OURS:
        first = min(name for label, name in graph.nodes if label == app)
        call_command("migrate", app, first, verbosity=0)


def replay(watch: LockWatch) -> list[tuple[str, float]]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    durations, started = [], {}

    def progress(action, migration=None, fake=False):
        if action == "apply_start":
            watch.current = f"{migration.app_label}.{migration.name}"
            started[watch.current] = time.perf_counter()
        elif action == "apply_success":
            durations.append((watch.current, (time.perf_counter() - started[watch.current]) * 1000))
            watch.current = "(between migrations)"

    executor = MigrationExecutor(connection, progress)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    return durations


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("set DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_migrations")
    recreate_database(url)
    import dj_database_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    fill(args.cases)
    started = time.perf_counter()
    rewind()
    print(f"rewound every app to its first migration in {time.perf_counter() - started:.1f} s")
    config = dj_database_url.parse(url)
    dsn = {"dbname": config["NAME"], "host": config["HOST"] or "127.0.0.1", "port": config["PORT"] or 5432}
    dsn["user"] = config["USER"] or "postgres"
    watch = LockWatch(dsn)
    watch.start()
    durations = replay(watch)
    watch.stop.set()
    watch.join()
    print(f"\nreplayed {len(durations)} migrations over {args.cases:,} cases; slowest:")
    for name, ms in sorted(durations, key=lambda d: -d[1])[:8]:
        print(f"  {ms:9.1f} ms  {name}")
    print("\nlongest locks that block writes (migration, table, mode):")
    longest = sorted(watch.held.items(), key=lambda item: -item[1])
    for (migration, table, mode), ms in longest[:10]:
        print(f"  {ms:9.1f} ms  {migration}  {table}  {mode}")
    worst = longest[0][1] if longest else 0.0
    verdict = "ok" if worst <= TARGET_MS else "MISSED"
    print(f"\nlongest lock blocking writes: {worst:.0f} ms (target <= {TARGET_MS:.0f} ms): {verdict}")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
