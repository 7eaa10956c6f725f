"""The non-browser suite under faked clocks: `make test-dates`.

Each run starts the whole process tree (pytest, its xdist workers, rbldnsd, a Celery worker) on a
clock set by Debian's libfaketime, then lets it tick. The database is SQLite, which reads the same
faked clock; PostgreSQL's ``now()`` would not. The dates are the days a calendar bug shows itself:

- a month turn that is also a year turn, in Warsaw (UTC still on the 31st) on a Sunday night, so the run
  crosses midnight into Monday and into the new year there; and in UTC (New York still on the 31st);
- both DST changes of Europe/Warsaw and of America/New_York, in the hour after the change;
- a leap day.

Every test runs under every date, except the access matrices (tests named ``test_*matrix*``: every URL x every
role, a third of the suite's time). They ask who may see what, not what a date does, and each of their cases runs
under one of the dates, the same one every time (``DATES_SHARD``, tests/conftest.py): across the dates every case
runs once on a faked clock, and CI's run fits its time (issue 18: eight full runs took 70 minutes on a slow day).

Usage: python tests/dates.py [pytest args...]; FAKE_DATES="2027-01-01 00:05:00,..." picks other dates (UTC).
"""

import glob
import os
import subprocess
import sys
import time
import zlib

DATES = [
    "2028-12-31 22:58:30",  # Sunday 23:58:30 in Warsaw, then Monday 1 January there for most of the run; UTC in 2028
    "2027-01-01 00:05:00",  # the year turns in UTC; New York still on 31 December
    "2027-03-28 01:30:00",  # Warsaw has just sprung forward (03:30 CEST)
    "2027-10-31 01:30:00",  # Warsaw's repeated hour (02:30 CET, the second time)
    "2027-03-14 07:30:00",  # New York has just sprung forward (03:30 EDT)
    "2027-11-07 06:30:00",  # New York's repeated hour (01:30 EST, the second time)
    "2028-02-29 12:00:00",  # a leap day
]


def runs_here(nodeid: str, name: str, shard: str | None) -> bool:
    """Whether a collected test runs in this date's run: every test does, except a case of an access matrix
    (``test_*matrix*``), which runs in the k-th of n runs (``shard`` "k/n") chosen by its id."""
    if not shard or "matrix" not in name:
        return True
    k, n = (int(part) for part in shard.split("/"))
    return zlib.crc32(nodeid.encode()) % n == k


def library() -> str:
    """Debian's libfaketime (multi-threaded build), whatever the architecture."""
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketimeMT.so.1"))
    if not found:
        sys.exit("libfaketime is missing: apt-get install faketime (make test-dates installs it)")
    return found[0]


def run(date: str, args: list[str], shard: str) -> int:
    # SQLite, whatever DATABASE_URL says: it reads the faked clock, PostgreSQL's now() would not. The broker
    # stays as configured (Redis in CI): it keeps no time of its own that the tests depend on.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        TZ="UTC",
        FAKETIME=f"@{date}",
        LD_PRELOAD=library(),
        FAKETIME_DONT_RESET="1",  # child processes keep the parent's clock instead of starting again
        DATES_SHARD=shard,  # "k/n": this date's share of the access matrices
    )
    cmd = [sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", "-m", "not browser", *args]
    started = time.monotonic()
    print(f"\n=== {date} UTC ===", flush=True)
    rc = subprocess.call(cmd, env=env)
    print(
        f"=== {date} UTC: {'green' if rc == 0 else f'RED (exit {rc})'} in {time.monotonic() - started:.0f} s",
        flush=True,
    )
    return rc


def main() -> int:
    dates = [d.strip() for d in os.environ.get("FAKE_DATES", "").split(",") if d.strip()] or DATES
    failed = [date for k, date in enumerate(dates) if run(date, sys.argv[1:], f"{k}/{len(dates)}") != 0]
    print("\nFaked dates: " + ("all green" if not failed else "red at " + "; ".join(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
