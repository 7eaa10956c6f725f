"""Stored deadlines on a case: start, stop, pause and resume the clocks of ``cases.sla``.

Deadlines are computed once, when a clock starts or resumes, and stored on the case. A later change to a
calendar never rewrites them.
"""

import logging
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from accounts.hours import Schedule, Window
from cases import sla
from cases.models import Case, SlaAlert

log = logging.getLogger(__name__)


def default_schedule(account) -> Schedule:
    return Schedule(tz=ZoneInfo(account.timezone), weekly={d: (Window(time(9), time(17)),) for d in range(5)})


def support_schedule(account) -> Schedule:
    """The account's support calendar (MISSION NC-2); weekdays 09:00–17:00 in its time zone if none is set."""
    if account.support_calendar_id:
        return account.support_calendar.schedule
    return default_schedule(account)


def business_deadline(account, start: datetime, delta: timedelta) -> datetime:
    """``delta`` of business time from ``start``. A calendar that never opens (a mistake in the admin) must not
    lose the customer's case: the default hours stand in, and the mistake is logged."""
    try:
        return support_schedule(account).add_business_time(start, delta)
    except ValueError:
        log.error("support calendar of %s has no open time; using weekday 09:00-17:00", account.slug)
        return default_schedule(account).add_business_time(start, delta)


def _response_target(case: Case) -> timedelta:
    return timedelta(hours=case.account.response_target_hours)


def start_response(case: Case, now: datetime) -> None:
    """Someone owes the customer a response from ``now``."""
    case.response_started_at = now
    if case.is_critical:
        case.response_due_at = now + sla.CRITICAL_RESPONSE_TARGET
    else:
        case.response_due_at = business_deadline(case.account, now, _response_target(case))
    case.response_paused_remaining = None


def stop_response(case: Case, now: datetime) -> None:
    case.response_due_at = case.response_started_at = None
    case.response_paused_remaining = None
    if case.first_responded_at is None:
        case.first_responded_at = now


def pause_response(case: Case, now: datetime) -> None:
    """MISSION: NC-3 — the clock stops while the case waits on the customer; the time left is kept."""
    if case.response_due_at is None:
        return
    if case.is_critical:
        left = case.response_due_at - now
    else:
        left = support_schedule(case.account).business_time_between(now, case.response_due_at)
        if now >= case.response_due_at:
            left = timedelta(0)
    case.response_paused_remaining = sla.remaining_when_paused(left)
    case.response_due_at = case.response_started_at = None


def resume_response(case: Case, now: datetime) -> None:
    left = case.response_paused_remaining
    if left is None:
        return
    case.response_started_at = now  # a clock resumed with minutes left still warns before it ends
    if case.is_critical:
        case.response_due_at = now + left
    else:
        case.response_due_at = business_deadline(case.account, now, left)
    case.response_paused_remaining = None


def start_callback(case: Case, at: datetime) -> None:
    """MISSION: CR-2 — an agent calls back within 15 minutes, 24/7."""
    if case.callback_due_at is None or case.callback_done_at is not None:
        case.callback_due_at = at + sla.CALLBACK_TARGET
        case.callback_done_at = None


def start_updates(case: Case, at: datetime) -> None:
    """MISSION: CR-4 — the next update is due one agreed interval after the last one."""
    case.next_update_due_at = at + case.update_interval


def stop_all(case: Case) -> None:
    case.response_due_at = case.response_paused_remaining = case.response_started_at = None
    case.next_update_due_at = None
    if case.callback_pending:
        case.callback_due_at = None


# A clock may start a little before its case exists (a Severity 1 call matched to an account later); a deadline
# further back than this before the case opened is a damaged row, never a real one.
PLAUSIBLE_BEFORE_OPENING = timedelta(days=1)


def deadlines(case: Case) -> sla.Deadlines:
    callback = case.callback_due_at if case.callback_pending else None
    update = case.next_update_due_at
    response_start = case.response_started_at
    if response_start is None and case.response_due_at is not None and case.is_critical:
        response_start = case.response_due_at - sla.CRITICAL_RESPONSE_TARGET
    return sla.Deadlines(
        callback=callback,
        response=case.response_due_at,
        update=update,
        callback_start=callback - sla.CALLBACK_TARGET if callback else None,
        response_start=response_start,
        update_start=update - case.update_interval if update else None,
    )


def shown_deadlines(case: Case) -> sla.Deadlines:
    """The deadlines as people see them: a row written before logged times were bounded (a callback "made" in
    1900) shows its clock as due since the case opened, never as a century overdue."""
    d = deadlines(case)
    if case.created_at is None:
        return d
    floor = case.created_at - PLAUSIBLE_BEFORE_OPENING
    fixed = {name: case.created_at for name, due in d.items() if due < floor}
    return replace(d, **fixed) if fixed else d


def sent_alerts(case: Case, d: sla.Deadlines) -> set[tuple[str, str, datetime]]:
    dues = [due for _, due in d.items()]
    if not dues or case.pk is None:
        return set()
    return set(SlaAlert.objects.filter(case=case, due_at__in=dues).values_list("clock", "level", "due_at"))


def sent_alerts_of(cases: list[Case], deadlines: dict[int, sla.Deadlines]) -> dict[int, set]:
    """``sent_alerts`` of many cases in one query (the SLA sweep's batch): case id -> its set."""
    sent: dict[int, set] = {case.pk: set() for case in cases}
    dues = {due for d in deadlines.values() for _, due in d.items()}
    if not dues:
        return sent
    rows = SlaAlert.objects.filter(case__in=[c.pk for c in cases], due_at__in=dues)
    for case_id, clock, level, due in rows.values_list("case_id", "clock", "level", "due_at"):
        if due in {d for _, d in deadlines[case_id].items()}:
            sent[case_id].add((clock, level, due))
    return sent


def refresh(case: Case, now: datetime) -> list[str]:
    """Recompute the stored sort key and sweep time after any change to the clocks. Returns the fields set."""
    d = deadlines(case)
    case.next_deadline_at = d.next if case.is_open else None
    case.sla_check_at = sla.next_check(d, now, sent_alerts(case, d)) if case.is_open else None
    return ["next_deadline_at", "sla_check_at"]


CLOCK_FIELDS = [
    "response_due_at",
    "response_started_at",
    "response_paused_remaining",
    "first_responded_at",
    "callback_due_at",
    "callback_done_at",
    "next_update_due_at",
    "last_update_at",
    "update_interval",
    "next_deadline_at",
    "sla_check_at",
]
