"""The SLA ledger: each deadline a clock had, and how it ended (issue 15's SLA report; MISSION NC-2, CR-2,
CR-4, TAM-4).

The case stores only its running deadlines and overwrites them as clocks restart. ``track()`` runs after
every change to the clocks (``common.save``, and after a case opens) and compares the running deadlines with
the open ``ClockRecord`` rows:

- a deadline that no longer runs (met, stopped or moved) closes its row: **met** when it ended at or before
  its deadline, **breached** after it, **paused** when the case now waits on the customer (NC-3: the time
  left is kept and the clock goes on as a new row when the case resumes);
- a running deadline without a row opens one.

When a clock ended: the callback clock at the logged call (``callback_done_at``), any other at the change.
The margin (time to spare, negative when late) is business time for the non-critical response clock (the
account's support hours), wall-clock time for the 24/7 clocks of critical cases.
"""

from datetime import datetime, timedelta

from cases.models import Case, ClockRecord

from . import clocks


def _business(case: Case, clock: str) -> bool:
    return clock == "response" and not case.is_critical


def margin(case: Case, clock: str, due: datetime, ended: datetime, *, business: bool) -> timedelta:
    """Time to spare at ``ended`` (negative: late by), in business time where the clock counts it."""
    if not business:
        return due - ended
    schedule = clocks.support_schedule(case.account)
    if ended <= due:
        return schedule.business_time_between(ended, due)
    return -schedule.business_time_between(due, ended)


def _ended_at(case: Case, record: ClockRecord, now: datetime) -> datetime:
    done = case.callback_done_at
    if record.clock == "callback" and done is not None and (record.started_at is None or done >= record.started_at):
        return min(done, now)
    return now


def _close(case: Case, record: ClockRecord, now: datetime) -> None:
    if record.clock == "response" and case.response_paused_remaining is not None:
        record.outcome, record.ended_at = ClockRecord.Outcome.PAUSED, now
    else:
        ended = _ended_at(case, record, now)
        record.ended_at = ended
        record.outcome = ClockRecord.Outcome.MET if ended <= record.due_at else ClockRecord.Outcome.BREACHED
        record.margin = margin(case, record.clock, record.due_at, ended, business=record.business_time)
    record.save(update_fields=["ended_at", "outcome", "margin"])


def track(case: Case, now: datetime, *, new: bool = False) -> None:
    """Bring the ledger in line with the case's running deadlines (one query when nothing changed; none for a
    ``new`` case, which has no rows yet)."""
    if case.pk is None:
        return
    d = clocks.deadlines(case) if case.is_open else None
    running = dict(d.items()) if d is not None else {}
    kept = set()
    for record in [] if new else ClockRecord.objects.filter(case=case).running():
        if running.get(record.clock) == record.due_at:
            kept.add(record.clock)
        else:
            _close(case, record, now)
    for clock, due in running.items():
        if clock not in kept:
            ClockRecord.objects.create(
                case=case,
                clock=clock,
                due_at=due,
                started_at=getattr(d, f"{clock}_start"),
                business_time=_business(case, clock),
            )
