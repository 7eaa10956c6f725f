"""DMARC aggregate reports on PostgreSQL: reports/s through the real ingestion path, and the pages' queries
and time over a year of rollups for 50 From domains (issue 19).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_dmarc_bench \
        .venv/bin/python bench/dmarc.py [--reports 200] [--records 100] [--domains 50] [--rows-per-day 200]

1. Stores ``--reports`` zipped reports (Google's layout, ``--records`` records each) with
   ``services.report_receive`` and counts each with ``services.report_ingest`` (unpack, defusedxml parse,
   bulk upsert): prints reports/s and rollup rows/s.
2. Fills a year of rollups (``--domains`` x 365 days x ``--rows-per-day``) and their day totals with
   INSERT ... SELECT, then
   requests the report list, a domain's 30- and 90-day pages and the authentication page's measure as a
   signed-in member, printing each page's queries and the median of 5 timings.
The database named in DATABASE_URL must contain "bench": it is dropped and recreated.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
BEGIN = 1795132800  # 2026-11-20 UTC


def report_zip(n: int, records: int) -> bytes:
    rows = "".join(
        f"<record><row><source_ip>10.{n % 250}.{i // 250}.{i % 250}</source_ip><count>{i + 1}</count>"
        "<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated>"
        f"</row><identifiers><header_from>d{i % 50}.bench.example</header_from></identifiers><auth_results>"
        "<dkim><domain>bench.example</domain><result>pass</result><selector>s1</selector></dkim>"
        "<spf><domain>bounce.esp.example</domain><result>pass</result></spf></auth_results></record>"
        for i in range(records)
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" ?><feedback><report_metadata><org_name>google.com</org_name>'
        f"<email>noreply-dmarc-support@google.com</email><report_id>{n}</report_id><date_range>"
        f"<begin>{BEGIN}</begin><end>{BEGIN + 86399}</end></date_range></report_metadata><policy_published>"
        "<domain>bench.example</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct>"
        f"</policy_published>{rows}</feedback>"
    ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"google.com!bench.example!{BEGIN}!{BEGIN + 86399}-{n}.xml", xml)
    return buffer.getvalue()


def ingest(account, reports: int, records: int) -> None:
    from deliverability.dmarc_reports import services
    from deliverability.models import DmarcReport, DmarcRollup

    files = [report_zip(n, records) for n in range(reports)]
    warm = report_zip(reports + 1, 1)  # the first report pays the imports (the parser, the resolver): not timed
    services.report_receive(account=account, data=warm, filename="warm.zip", source="upload")
    t = time.perf_counter()
    for n, data in enumerate(files):
        report, _new = services.report_receive(account=account, data=data, filename=f"{n}.zip", source="upload")
        services.report_ingest(report_id=report.pk)  # what the task does (eager tasks run it already)
    took = time.perf_counter() - t
    counted = DmarcReport.objects.filter(status="ingested").count() - 1
    rows = DmarcRollup.objects.count()
    print(
        f"ingested {counted:,} reports of {records} records in {took:.1f} s: {counted / took:,.0f} reports/s, "
        f"{counted * records / took:,.0f} records/s ({rows:,} rollup rows)"
    )


def fill_year(account, domains: int, rows_per_day: int) -> None:
    from django.db import connection

    from deliverability.models import DmarcDay, DmarcRollup

    table = DmarcRollup._meta.db_table
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (account_id, domain, day, source_ip, spf, dkim, spf_aligned, dkim_aligned,
                disposition, messages)
            SELECT %s, 'y' || d || '.bench.example', DATE '2025-11-26' + day, ('172.16.0.0'::inet + s),
                CASE WHEN s %% 10 = 0 THEN 'fail' ELSE 'pass' END, 'pass', s %% 10 <> 0, s %% 17 <> 0,
                'none', 1 + (s * 7 + day) %% 500
            FROM generate_series(0, %s - 1) d, generate_series(0, 364) day, generate_series(0, %s - 1) s""",
            [account.pk, domains, rows_per_day],
        )
        # their day totals, as rollups.add writes them with each batch
        days = DmarcDay._meta.db_table
        cursor.execute(
            f"""INSERT INTO {days} (account_id, domain, day, messages, aligned)
            SELECT account_id, domain, day, SUM(messages),
                SUM(CASE WHEN spf_aligned OR dkim_aligned THEN messages ELSE 0 END)
            FROM {table} WHERE account_id = %s AND domain LIKE 'y%%' GROUP BY account_id, domain, day""",
            [account.pk],
        )
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"ANALYZE {days}")
    total = DmarcRollup.objects.filter(account=account).count()
    print(f"filled {total:,} rollup rows (a year, {domains} domains) in {time.perf_counter() - t:.1f} s")


def time_pages(user, domain: str) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    pages = {
        "report list (30 days, every domain)": "/a/bench/dmarc/",
        "domain page, 30 days": f"/a/bench/dmarc/domains/{domain}/",
        "domain page, 90 days": f"/a/bench/dmarc/domains/{domain}/?days=90",
        "authentication page (measure)": "/a/bench/authentication/",
    }
    for label, url in pages.items():
        timings = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                t = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{label}: {len(queries.captured_queries)} queries, median {statistics.median(timings):.0f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--domains", type=int, default=50)
    parser.add_argument("--rows-per-day", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit("set DATABASE_URL to a PostgreSQL database with 'bench' in its name (it is dropped)")
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="dmarc-bench-"))
    import django

    django.setup()
    import logging

    logging.disable(logging.CRITICAL)  # the request log would hide the figures
    import time_machine
    from django.core.management import call_command
    from django.db import connection

    name = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)
    from accounts.models import Account, Membership, User

    account = Account.objects.create(name="Bench", slug="bench")
    user = User.objects.create_user(email="bench@bench.example", password="bench-pass-2026")
    Membership.objects.create(account=account, user=user, role="admin")
    with time_machine.travel("2026-11-25 12:00:00+00:00", tick=True):  # the year filled ends on the 25th
        ingest(account, args.reports, args.records)
        fill_year(account, args.domains, args.rows_per_day)
        time_pages(user, f"y{min(7, args.domains - 1)}.bench.example")


if __name__ == "__main__":
    main()
