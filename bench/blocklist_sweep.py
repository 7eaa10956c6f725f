"""A whole blocklist sweep through the portal: 10,000 targets of one account, the catalogue's lists.

    .venv/bin/python bench/blocklist_sweep.py [--targets 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_sweep_bench .venv/bin/python bench/blocklist_sweep.py

rbldnsd on a free loopback port serves the catalogue's zones (``manage.py demo_dns`` writes them) with 5%
of the IPv4 targets listed on zen.spamhaus.org and bl.spamcop.net. The sweep runs as the worker runs it
(``sweeps.sweep_run`` then every chunk, in this process): health checks, DNS, decoding, the status rows,
the events, the alert. Printed: wall time, queries/s, CPU, peak RSS of the process (target: < 200 MB),
rows written, and a second sweep over the same answers (no transitions: status updates only).
A PostgreSQL ``DATABASE_URL`` must name a database with ``bench`` in it: it is dropped and recreated.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
RBLDNSD = "/usr/sbin/rbldnsd"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", type=int, default=10_000)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="sweep-bench-"))
    os.environ.setdefault("PORTAL_VAR_DIR", str(var))
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    url = os.environ.get("DATABASE_URL", "")
    if url and "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit("DATABASE_URL must name a database with 'bench' in its name (it is dropped)")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if url:
        name = connection.settings_dict["NAME"]
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    else:
        connection.settings_dict["NAME"] = str(var / "bench.sqlite3")
    call_command("migrate", verbosity=0)

    from accounts.models import Account, OutboundEmail
    from deliverability.blocklists import sweeps
    from deliverability.management.commands.demo_dns import write_zones  # noqa: I001
    from deliverability.models import ListingEvent, ListingStatus, MonitoredTarget, Sweep, SweepChunk
    from portal.celery import app

    app.conf.task_always_eager = False  # the bench calls the sweep's steps itself, as a worker would
    account = Account.objects.create(name="Bench", slug="bench")
    ips = [f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}" for i in range(1, args.targets + 1)]
    MonitoredTarget.objects.bulk_create(
        [
            MonitoredTarget(account=account, kind="ip4", value=ip, sort_key=MonitoredTarget.sort_key_for("ip4", ip))
            for ip in ips
        ],
        batch_size=2000,
    )
    listed = ips[::20]  # 5%
    zones = var / "zones"
    from deliverability.management.commands import demo_dns

    demo_dns.LISTINGS = {"zen.spamhaus.org": listed, "bl.spamcop.net": listed}
    demo_dns.SILENT = set()
    specs = write_zones(zones)
    port = 5390 + os.getpid() % 500
    server = subprocess.Popen(
        [
            RBLDNSD,
            "-n",
            *(["-u", "nobody"] if os.geteuid() == 0 else []),
            "-b",
            f"127.0.0.1/{port}",
            "-w",
            str(zones),
            *specs,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    settings.BLOCKLIST_NAMESERVERS = [f"127.0.0.1:{port}"]
    spent = {"dns": 0.0, "database": 0.0}

    def timed(fn, key):
        def wrapper(*a, **kw):
            start = time.perf_counter()
            try:
                return list(fn(*a, **kw)) if key == "dns" else fn(*a, **kw)
            finally:
                spent[key] += time.perf_counter() - start

        return wrapper

    sweeps.check = timed(sweeps.check, "dns")
    sweeps.record = timed(sweeps.record, "database")
    time.sleep(1.0)
    try:
        for label in ("first sweep (every listing is new)", "second sweep (no transitions)"):
            sweep = Sweep.objects.create(account=account)
            spent.update(dns=0.0, database=0.0)
            wall, cpu = time.perf_counter(), time.process_time()
            sweeps.sweep_run(sweep.pk)
            for chunk in SweepChunk.objects.filter(sweep=sweep).order_by("number").values_list("pk", flat=True):
                sweeps.chunk_run(chunk)
            from deliverability.blocklists.alerts import send_alerts

            send_alerts(sweep.pk)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            sweep.refresh_from_db()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{label}: {connection.vendor}, {len(ips):,} targets, {sweep.queries_total:,} queries in "
                f"{sweep.chunks_total} chunks: {wall:.2f} s wall ({sweep.queries_total / wall:,.0f} queries/s), "
                f"{cpu:.2f} s CPU; status {sweep.status}, {sweep.listed:,} listings; "
                f"events {ListingEvent.objects.filter(sweep=sweep).count():,}; peak RSS {rss:.0f} MB (target < 200); "
                f"checking {spent['dns']:.2f} s, recording {spent['database']:.2f} s"
            )
        print(
            f"rows: {ListingStatus.objects.count():,} statuses, {ListingEvent.objects.count():,} events, "
            f"{OutboundEmail.objects.count():,} alert emails"
        )
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
