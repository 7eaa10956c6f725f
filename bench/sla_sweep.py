"""The SLA sweep at 100,000 open cases when 50 alerts fall due in the same minute (issue 18: under 100 ms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_sweep_bench .venv/bin/python bench/sla_sweep.py

The database named in DATABASE_URL is dropped and created afresh (its name must contain "bench"), migrated and
filled with one account's cases (``bench/cases.py``'s data). Then, ``--rounds`` times: every case is reopened
with its deadline in the coming days and ``--due`` of them made due for a warning now (a critical one may
not be yet: its warning comes later), and ``sla_sweep()`` is timed (alerts, timeline events and
notifications written; the mail drain enqueued, not run). Prints each round and the median beside the target.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.case_data import fill, people_and_accounts  # noqa: E402
from bench.cases import recreate_database  # noqa: E402

TARGET_MS = 100.0

REOPEN = """
UPDATE cases_case SET status = 'in_progress', resolved_at = NULL, resolution_proposed_at = NULL,
    response_due_at = %(now)s + (45 + random() * 6 * 24 * 60) * interval '1 minute',
    next_update_due_at = NULL, callback_due_at = NULL;
UPDATE cases_case SET next_deadline_at = response_due_at, sla_check_at = response_due_at - interval '30 minutes';
UPDATE cases_case SET response_due_at = %(now)s + interval '10 minutes', next_deadline_at = %(now)s + interval
    '10 minutes', sla_check_at = %(now)s - interval '20 minutes'
    WHERE id IN (SELECT id FROM cases_case ORDER BY random() LIMIT %(due)s);
"""


def one_round(n_due: int) -> tuple[int, float, float, int]:
    import logging

    from django.db import connection
    from django.utils import timezone

    from cases.models import CaseEvent, SlaAlert
    from cases.services import sla_sweep

    now = timezone.now()
    with connection.cursor() as cursor:
        for statement in filter(str.strip, REOPEN.split(";")):
            cursor.execute(statement, {"now": now, "due": n_due})
        cursor.execute("ANALYZE cases_case")
    logging.disable(logging.INFO)  # a line per task enqueued would be timed too
    alerts, events = SlaAlert.objects.count(), CaseEvent.objects.filter(kind="sla_warning").count()
    statements = [0]

    def count(execute, sql, params, many, context):  # every statement sent, savepoints included
        statements[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started, cpu = time.perf_counter(), time.process_time()
        raised = sla_sweep()
        took, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
    assert 0 < raised <= n_due and SlaAlert.objects.count() - alerts == raised, (raised, n_due)
    assert CaseEvent.objects.filter(kind="sla_warning").count() - events == raised
    assert sla_sweep() == 0  # nothing left: each alert once
    return raised, took, cpu, statements[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("set DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_sweep_bench")
    recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from portal.celery import app

    setup_test_environment()
    app.conf.task_always_eager = False  # the sweep enqueues the mail drain, as in production; it does not send
    call_command("migrate", verbosity=0, interactive=False)
    accounts, alice, _sam, _tina, staff = people_and_accounts(1)
    fill(args.cases, accounts=accounts, reporter=alice, staff=staff)
    times, cpus = [], []
    for n in range(1, args.rounds + 1):
        raised, took, cpu, statements = one_round(args.due)
        times.append(took)
        cpus.append(cpu)
        print(
            f"  round {n}: {raised} alerts in {took:.0f} ms ({cpu:.0f} ms of this process's CPU, "
            f"{statements} statements)"
        )
    median = statistics.median(times)
    verdict = "met" if median < TARGET_MS else "MISSED"
    print(
        f"sla_sweep() at {args.cases:,} open cases, {args.due} due: median {median:.0f} ms wall, "
        f"{statistics.median(cpus):.0f} ms CPU (target < {TARGET_MS:.0f} ms) {verdict}; load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
