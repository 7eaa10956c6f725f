"""The SLA sweep (every minute from beat): warn before a deadline, escalate to the TAM at a breach.

It reads only the cases whose ``sla_check_at`` has come (an index), claims each with a row lock
(``SKIP LOCKED``, so overlapping runs share rather than repeat the work) and records each alert once
(a unique constraint), so redelivery and overlapping runs never send an alert twice. A batch's alerts, timeline
events and notifications are written in one statement on PostgreSQL (issue 18: 50 alerts due in the same
minute at 100,000 open cases in under 100 ms, ``bench/sla_sweep.py``).
"""

import json

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cases import sla
from cases.models import Case, CaseEvent, SlaAlert
from cases.notifications import expand_after_commit, notify, notify_all
from core.panel_cache import changed_many
from core.text import _, to_json

from . import clocks
from .common import record

BATCH = 200

CLOCK_LABELS = {"callback": _("callback"), "response": _("response"), "update": _("next update")}


def sla_sweep(now=None, *, batch: int = BATCH) -> int:
    """Process due cases in batches; returns how many alerts were raised."""
    now = now or timezone.now()
    raised = 0
    while True:
        with transaction.atomic():
            due = list(
                Case.objects.due_for_sla_check(now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("account__primary_tam", "account__backup_tam", "assignee")
                .order_by("sla_check_at")[:batch]
            )
            raised += _check_batch(due, now)
        if len(due) < batch:
            return raised


def _check_batch(cases: list[Case], now) -> int:
    """MISSION: TAM-4 — the alerts of a batch of locked cases: one query reads what was sent, one statement
    writes what is new (alerts, their events, their notifications: ``_raise``), one update moves each case's
    next check. Each alert once, should another run have raised one between our reads."""
    deadlines = {case.pk: clocks.deadlines(case) for case in cases}
    sent = clocks.sent_alerts_of(cases, deadlines)
    alerts = [
        SlaAlert(case=case, clock=clock, level=level, due_at=due)
        for case in cases
        for clock, level, due in sla.alerts_due(deadlines[case.pk], now, sent[case.pk])
    ]
    raised = 0
    if alerts:
        raised = _raise(alerts)
        if raised is None:  # an alert existed already: case by case
            return sum(_check_case(case, now) for case in cases)
        for alert in alerts:  # ours, or another run's that got there first: sent either way
            sent[alert.case_id].add((alert.clock, alert.level, alert.due_at))
    for case in cases:
        case.next_deadline_at = deadlines[case.pk].next
        case.sla_check_at = sla.next_check(deadlines[case.pk], now, sent[case.pk])
    _move_checks(cases)
    changed_many(case.account_id for case in cases)  # bulk writes: the dashboard's cached panels
    return raised


def _raise(alerts: list[SlaAlert]) -> int | None:
    """Write the alerts, their timeline events and their notifications; how many were raised. On PostgreSQL in
    one statement (issue 18), where an alert another run raised first is skipped with its event and notification.
    Elsewhere one insert per kind of row, and ``None`` when an alert existed already (the savepoint undid them)."""
    if connection.vendor == "postgresql":
        return _raise_in_one_statement(alerts)
    try:
        with transaction.atomic():
            SlaAlert.objects.bulk_create(alerts)
    except IntegrityError:
        return None
    events = CaseEvent.objects.bulk_create([_event(alert) for alert in alerts])
    notify_all([_notice(alert, event) for alert, event in zip(alerts, events, strict=True)])
    return len(alerts)


# The alerts that are new (the unique constraint skips one raised already), an internal event for each, a pending
# notification for each event, in the order given. The events are joined back to their notices by what they say.
_RAISE = """
WITH due AS (
    SELECT * FROM unnest(%(case)s::bigint[], %(clock)s::varchar[], %(level)s::varchar[], %(due)s::timestamptz[],
                         %(kind)s::varchar[], %(details)s::jsonb[], %(staff)s::jsonb[], %(dedupe)s::varchar[])
        WITH ORDINALITY AS due(case_id, clock, level, due_at, kind, details, extra_staff, dedupe, n)
), alert AS (
    INSERT INTO cases_slaalert (case_id, clock, level, due_at, created_at)
    SELECT case_id, clock, level, due_at, %(now)s FROM due ORDER BY n
    ON CONFLICT (case_id, clock, level, due_at) DO NOTHING
    RETURNING case_id, clock, level, due_at
), event AS (
    INSERT INTO cases_caseevent (case_id, actor_id, kind, public, body, details, created_at)
    SELECT due.case_id, NULL, due.kind, false, '', due.details, %(now)s
    FROM due JOIN alert USING (case_id, clock, level, due_at) ORDER BY due.n
    RETURNING id, case_id, kind, details
)
INSERT INTO cases_pendingnotification (event_id, extra_staff, dedupe, created_at)
SELECT event.id, due.extra_staff, due.dedupe, %(now)s
FROM event JOIN due ON due.case_id = event.case_id AND due.kind = event.kind AND due.details = event.details
ORDER BY event.id
"""


def _raise_in_one_statement(alerts: list[SlaAlert]) -> int:
    """``_raise`` on PostgreSQL: the three inserts of ``bulk_create`` and ``notify_all`` as one statement
    (data-modifying CTEs), the same rows."""
    events = [_event(alert) for alert in alerts]
    notices = [_notice(alert, event) for alert, event in zip(alerts, events, strict=True)]
    params = {
        "case": [a.case_id for a in alerts],
        "clock": [a.clock for a in alerts],
        "level": [a.level for a in alerts],
        "due": [a.due_at for a in alerts],
        "kind": [e.kind for e in events],
        "details": [json.dumps(e.details) for e in events],
        "staff": [json.dumps([u.pk for u in staff]) for _event, staff, _dedupe in notices],
        "dedupe": [dedupe for _event, _staff, dedupe in notices],
        "now": timezone.now(),
    }
    with connection.cursor() as cursor:
        cursor.execute(_RAISE, params)
        raised = cursor.rowcount
    if raised:
        expand_after_commit()
    return raised


_MOVE = """
UPDATE cases_case SET next_deadline_at = moved.next_deadline_at, sla_check_at = moved.sla_check_at
FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS moved(id, next_deadline_at, sla_check_at)
WHERE cases_case.id = moved.id
"""


def _move_checks(cases: list[Case]) -> None:
    """Each case's next deadline and next check, in one UPDATE. On PostgreSQL from three arrays: ``bulk_update``
    builds a CASE expression per case and field, half the sweep's CPU at 50 due cases (issue 18)."""
    if connection.vendor != "postgresql":
        Case.objects.bulk_update(cases, ["next_deadline_at", "sla_check_at"])
        return
    columns = ([c.pk for c in cases], [c.next_deadline_at for c in cases], [c.sla_check_at for c in cases])
    with connection.cursor() as cursor:
        cursor.execute(_MOVE, columns)


def _event(alert: SlaAlert) -> CaseEvent:
    """The internal timeline event of an alert, as ``record`` writes it (no actor: nobody's access to check)."""
    kind = CaseEvent.Kind.SLA_WARNING if alert.level == "warning" else CaseEvent.Kind.SLA_BREACH
    details = {"clock": alert.clock, "due_at": alert.due_at.isoformat(), "text": to_json(CLOCK_LABELS[alert.clock])}
    return CaseEvent(case=alert.case, actor=None, kind=kind, public=False, body="", details=details)


def _notice(alert: SlaAlert, event: CaseEvent) -> tuple:
    """What ``notify`` is given: a breach escalates to the account's TAMs (MISSION TAM-4)."""
    escalate = alert.case.account.active_tams() if alert.level == "breach" else []
    return event, escalate, f"sla:{alert.case_id}:{alert.clock}:{alert.level}:{alert.due_at.isoformat()}"


def _check_case(case: Case, now) -> int:
    d = clocks.deadlines(case)
    sent = clocks.sent_alerts(case, d)
    raised = 0
    for clock, level, due in sla.alerts_due(d, now, sent):
        try:
            with transaction.atomic():
                SlaAlert.objects.create(case=case, clock=clock, level=level, due_at=due)
        except IntegrityError:
            continue  # another run raised it first
        sent.add((clock, level, due))
        raised += 1
        kind = CaseEvent.Kind.SLA_WARNING if level == "warning" else CaseEvent.Kind.SLA_BREACH
        event = record(
            case,
            actor=None,
            kind=kind,
            public=False,
            clock=clock,
            due_at=due.isoformat(),
            text=to_json(CLOCK_LABELS[clock]),  # the clock's name, in the reader's language
        )
        escalate = case.account.active_tams() if level == "breach" else []
        notify(case, event, extra_staff=escalate, dedupe=f"sla:{case.pk}:{clock}:{level}:{due.isoformat()}")
    case.next_deadline_at = d.next
    case.sla_check_at = sla.next_check(d, now, sent)
    case.save(update_fields=["next_deadline_at", "sla_check_at"])
    return raised


def resolution_reminders(now=None) -> int:
    """A proposal the customer has not answered for a while gets one reminder (never an auto-close)."""
    now = now or timezone.now()
    waiting = Case.objects.filter(
        status=Case.Status.RESOLUTION_PROPOSED,
        resolution_reminder_sent_at__isnull=True,
        resolution_proposed_at__lte=now - sla.RESOLUTION_REMINDER_AFTER,
    ).select_related("account", "reporter")
    count = 0
    for case in waiting[:500]:
        with transaction.atomic():
            claimed = Case.objects.filter(pk=case.pk, resolution_reminder_sent_at__isnull=True).update(
                resolution_reminder_sent_at=now
            )
            if not claimed:
                continue
            event = record(case, actor=None, kind=CaseEvent.Kind.RESOLUTION_REMINDER)
            notify(case, event, dedupe=f"reminder:{case.pk}:{case.resolution_proposed_at.isoformat()}")
            count += 1
    return count
