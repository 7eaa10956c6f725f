"""The availability ledger on PostgreSQL: ingestion speed and memory, and a month report from rollups
against the naive GROUP BY over raw attempts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_availability_bench \
        .venv/bin/python bench/availability.py [--attempts 10000000]

1. Writes a day of attempts as CSV (average ~115/s with bursts, API and SMTP, a few failing spells) and
   ingests it with the real ingestion path (``availability.ingest.ingest``), printing attempts/s (target
   >= 200,000/s) and the peak RSS (flat: bounded by FLUSH_AT, not by the file).
2. Fills a full month of per-second rollups for one account (2.6M seconds × 2 channels) and times the
   month report from rollups (target <= 300 ms) against a naive ``GROUP BY date_trunc('second', ts)
   HAVING bool_and(server_fail)`` over the raw attempts loaded into a plain table (the baseline).
The database named in DATABASE_URL must contain "bench": it is dropped and recreated.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
DAY = 86400


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_attempts(path: Path, attempts: int, day_start: int) -> int:
    """A day of attempts: bursts, and a few spells where everything fails. Returns the lines written."""
    rng = random.Random(7)
    spells = [(day_start + rng.randrange(DAY), rng.randrange(5, 120)) for _ in range(20)]
    failing = set()
    for start, length in spells:
        failing.update(range(start, start + length))
    written = 0
    per_second = attempts / DAY
    with path.open("w") as out:
        out.write("ts,channel,outcome\n")
        for second in range(day_start, day_start + DAY):
            burst = 8 if (second // 600) % 12 == 0 else 1
            n = int(per_second * burst * rng.uniform(0.5, 1.5) * 0.6) + 1
            stamp = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            down = second in failing
            lines = []
            for i in range(n):
                channel = "smtp" if i % 3 == 0 else "api"
                outcome = "timeout" if down else ("success" if i % 17 else "client_error")
                lines.append(f"{stamp}.{(i * 37) % 1000:03d}Z,{channel},{outcome}\n")
            out.writelines(lines)
            written += n
            if written >= attempts:
                break
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=10_000_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit("set DATABASE_URL to a PostgreSQL database with 'bench' in its name (it is dropped)")
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="availability-bench-"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    name = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)
    from accounts.models import Account
    from availability.ingest import digest_of, ingest
    from availability.models import SecondRollup
    from availability.reports import report

    account = Account.objects.create(name="Bench", slug="bench")
    day_start = int(datetime(2026, 11, 3, tzinfo=UTC).timestamp())
    path = Path(os.environ["PORTAL_VAR_DIR"]) / "attempts.csv"
    t = time.perf_counter()
    lines = write_attempts(path, args.attempts, day_start)
    print(f"wrote {lines:,} attempts ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")

    base_rss = rss_mb()
    with path.open("rb") as raw:
        digest = digest_of(iter(lambda: raw.read(1 << 20), b""))
    t, cpu = time.perf_counter(), time.process_time()
    with path.open(newline="") as stream:
        outcome = ingest(account, stream, digest=digest, source=path.name)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    print(
        f"ingest: {outcome.accepted:,} attempts in {wall:.1f} s = {outcome.accepted / wall:,.0f} attempts/s "
        f"(target >= 200,000), CPU {cpu:.1f} s; rollups {SecondRollup.objects.count():,}; "
        f"peak RSS {rss_mb():.0f} MB (before: {base_rss:.0f} MB)"
    )

    # A full month of rollups for a second account, and the same month as raw rows for the baseline.
    other = Account.objects.create(name="Month", slug="month")
    month_start = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    seconds = 30 * DAY
    rng = random.Random(3)
    down = set()
    for _ in range(40):
        start = month_start + rng.randrange(seconds)
        down.update(range(start, start + rng.randrange(1, 90)))
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO availability_secondrollup (account_id, channel, second, attempts, failures)
            SELECT %s, c, s, 3, CASE WHEN s = ANY(%s) THEN 3 ELSE 0 END
            FROM generate_series(%s, %s) AS s, (VALUES (1), (2)) AS ch(c)""",
            [other.pk, sorted(down), month_start, month_start + seconds - 1],
        )
        cursor.execute("ANALYZE availability_secondrollup")
    print(f"filled {2 * seconds:,} rollups for a full month in {time.perf_counter() - t:.1f} s")
    timings = []
    for _ in range(5):
        t = time.perf_counter()
        r = report(other, 2026, 11)
        timings.append(time.perf_counter() - t)
    best, median = min(timings) * 1000, sorted(timings)[2] * 1000
    print(f"month report from rollups: {r.unavailable:,} unavailable s, {len(r.incidents)} incidents; "
          f"best {best:.0f} ms, median {median:.0f} ms (target <= 300 ms)")  # fmt: skip

    raw_rows = 2 * seconds * 3
    with connection.cursor() as cursor:
        t = time.perf_counter()
        cursor.execute("CREATE UNLOGGED TABLE raw_attempts (ts timestamptz, channel smallint, server_fail boolean)")
        cursor.execute(
            """INSERT INTO raw_attempts
            SELECT to_timestamp(s + k * 0.3), c, s = ANY(%s)
            FROM generate_series(%s, %s) AS s, (VALUES (1), (2)) AS ch(c), generate_series(0, 2) AS k""",
            [sorted(down), month_start, month_start + seconds - 1],
        )
        cursor.execute("ANALYZE raw_attempts")
        print(f"loaded {raw_rows:,} raw attempts for the baseline in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        cursor.execute(
            """SELECT count(DISTINCT sec) FROM (
                 SELECT date_trunc('second', ts) AS sec, channel FROM raw_attempts
                 GROUP BY 1, 2 HAVING bool_and(server_fail)) AS d"""
        )
        naive = cursor.fetchone()[0]
        elapsed = (time.perf_counter() - t) * 1000
        print(f"naive GROUP BY over raw rows: {naive:,} unavailable s in {elapsed:.0f} ms")


if __name__ == "__main__":
    main()
