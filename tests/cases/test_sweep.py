"""The SLA sweep and the resolution reminders (cases/services/sweep.py): warn before a deadline, escalate to the
TAMs at the breach (MISSION TAM-4), each alert exactly once, and never close a case on anyone's behalf."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.outbox import outbox_drain
from cases import services
from cases.models import Case, CaseEvent, PendingNotification, SlaAlert
from cases.services import clocks, resolution_reminders, sla_sweep
from cases.services.sweep import CLOCK_LABELS, _check_case
from core.text import to_json
from tests.cases.conftest import emailed
from tests.cases.factories import CaseFactory, OnCallShiftFactory
from tests.cases.outbox import outbox

T = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # the deadline in these tests
SECOND = timedelta(seconds=1)
K = CaseEvent.Kind


def watched(case: Case, since: datetime) -> Case:
    """Store the derived sweep fields as the services do after any change to the clocks."""
    clocks.refresh(case, since)
    case.save()
    return case


def callback_case(world, *, due=T, **fields) -> Case:
    case = CaseFactory(
        account=world.acme,
        status=Case.Status.NEW,
        severity=Case.Severity.CRITICAL,
        callback_requested=True,
        contact_phone="+48 600 100 200",
        callback_due_at=due,
        reporter=world.alice,
        **fields,
    )
    case.followers.add(world.alice)
    return watched(case, due - timedelta(hours=1))


def response_case(world, *, due=T, **fields) -> Case:
    case = CaseFactory(account=world.acme, status=Case.Status.NEW, response_due_at=due, reporter=world.alice, **fields)
    return watched(case, due - timedelta(hours=4))


def counts() -> tuple[int, int, int]:
    """(alerts, alert events, emails) — what must never be duplicated."""
    return (
        SlaAlert.objects.count(),
        CaseEvent.objects.filter(kind__in=[K.SLA_WARNING, K.SLA_BREACH]).count(),
        outbox().count(),
    )


def test_a_callback_deadline_warns_the_agent_then_escalates_to_the_tams_once(world):
    # MISSION: CR-2, TAM-4
    case = callback_case(world, assignee=world.sam)
    assert case.sla_check_at == T - timedelta(minutes=5)

    assert sla_sweep(now=T - timedelta(minutes=6)) == 0
    assert counts() == (0, 0, 0)

    assert sla_sweep(now=T - timedelta(minutes=4)) == 1
    alert = SlaAlert.objects.get()
    assert (alert.case, alert.clock, alert.level, alert.due_at) == (case, "callback", "warning", T)
    event = CaseEvent.objects.get(kind=K.SLA_WARNING)
    assert (event.case, event.actor, event.public, event.details["clock"]) == (case, None, False, "callback")
    assert emailed("case.sla_warning") == {"sam@support.test"}
    row = outbox().get(kind="case.sla_warning")
    assert row.subject.startswith(f"[{case.number}] ")
    assert row.headers["Auto-Submitted"] == "auto-generated"
    assert row.headers["X-Auto-Response-Suppress"] == "All"
    assert Case.objects.get(pk=case.pk).sla_check_at == T

    assert sla_sweep(now=T - timedelta(minutes=3)) == 0
    assert counts() == (1, 1, 1)

    assert sla_sweep(now=T + SECOND) == 1
    assert SlaAlert.objects.filter(level="breach", clock="callback", due_at=T).count() == 1
    assert CaseEvent.objects.filter(kind=K.SLA_BREACH, case=case).count() == 1
    assert emailed("case.sla_breach") == {"sam@support.test", "tina@tam.test", "tom@tam.test"}
    case = Case.objects.get(pk=case.pk)
    assert (case.sla_check_at, case.next_deadline_at) == (None, T)  # all sent; still shown as the deadline

    assert sla_sweep(now=T + SECOND) == 0
    assert sla_sweep(now=T + timedelta(minutes=30)) == 0
    assert counts() == (2, 2, 2)
    # the customer never hears about deadlines
    assert "alice@acme.test" not in emailed("case.sla_warning") | emailed("case.sla_breach")


def test_an_unassigned_critical_case_warns_the_agents_on_duty(world):
    OnCallShiftFactory(agent__email="olga@support.test")
    OnCallShiftFactory(agent__email="omar@support.test")
    callback_case(world)

    sla_sweep(now=T - timedelta(minutes=4))

    assert emailed("case.sla_warning") == {"olga@support.test", "omar@support.test"}


def test_an_unassigned_non_critical_case_warns_the_agents_on_duty(world):
    # cases/sla.py: "a warning to the assigned agent (or the on-duty agents)" — a warning must reach someone.
    OnCallShiftFactory(agent__email="olga@support.test")
    response_case(world)

    assert sla_sweep(now=T - timedelta(minutes=20)) == 1

    assert emailed("case.sla_warning") == {"olga@support.test"}


def test_a_response_breach_on_a_non_critical_case_escalates_to_the_assigned_agent_and_the_tams(world):
    # MISSION: NC-2, TAM-4
    case = response_case(world, assignee=world.sam)
    assert case.sla_check_at == T - timedelta(minutes=30)

    assert sla_sweep(now=T + timedelta(hours=1)) == 1  # first seen breached: only the breach

    assert list(SlaAlert.objects.values_list("clock", "level")) == [("response", "breach")]
    assert emailed("case.sla_breach") == {"sam@support.test", "tina@tam.test", "tom@tam.test"}


def test_staff_in_two_languages_get_one_email_each_and_reruns_add_none(world):
    world.tina.language = "pl"
    world.tina.save(update_fields=["language"])
    callback_case(world, assignee=world.sam)

    sla_sweep(now=T + SECOND)
    sla_sweep(now=T + 2 * SECOND)

    rows = sorted(row.to for row in outbox().filter(kind="case.sla_breach"))
    assert rows == [["sam@support.test", "tom@tam.test"], ["tina@tam.test"]]


def test_two_runs_on_the_same_case_at_the_same_moment_raise_each_alert_once(world, monkeypatch):
    case = callback_case(world, assignee=world.sam)
    first, second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)  # both runs loaded the case
    now = T + SECOND

    assert _check_case(first, now) == 1
    assert _check_case(second, now) == 0
    # a run that read the alerts already sent before the other run recorded its own
    monkeypatch.setattr(clocks, "sent_alerts", lambda case, deadlines: set())
    assert _check_case(Case.objects.get(pk=case.pk), now) == 0
    monkeypatch.undo()
    assert sla_sweep(now=now) == 0

    assert counts() == (1, 1, 1)
    assert Case.objects.get(pk=case.pk).sla_check_at is None


def test_a_restarted_clock_gets_its_own_alerts(world):
    case = response_case(world, assignee=world.sam)
    sla_sweep(now=T + SECOND)
    # the customer writes again after a response: a new deadline
    case = Case.objects.get(pk=case.pk)
    case.response_due_at = T + timedelta(hours=4)
    watched(case, T + timedelta(minutes=1))

    assert sla_sweep(now=T + timedelta(hours=3, minutes=31)) == 1

    assert list(SlaAlert.objects.order_by("id").values_list("level", "due_at")) == [
        ("breach", T),
        ("warning", T + timedelta(hours=4)),
    ]


def test_a_resolved_case_is_ignored(world):
    case = callback_case(world, assignee=world.sam)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.RESOLVED)  # even with a stale check time

    assert sla_sweep(now=T + timedelta(hours=1)) == 0
    assert counts() == (0, 0, 0)


def sweep_queries(now) -> tuple[int, int]:
    """(alerts raised, queries run) by one sweep, leaving the database as it was."""
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        raised = sla_sweep(now=now)
        transaction.set_rollback(True)
    return raised, len(ctx.captured_queries)


def test_the_sweep_reads_only_the_cases_that_are_due(world, django_assert_max_num_queries):
    for _ in range(3):
        callback_case(world, assignee=world.sam)
    now = T - timedelta(minutes=4)
    raised, alone = sweep_queries(now)
    assert raised == 3

    later = T + timedelta(days=1)
    Case.objects.bulk_create(
        Case(
            account=world.acme,
            number=f"LATER-{n:06d}",
            subject="Not due yet",
            description="Due tomorrow.",
            severity=Case.Severity.CRITICAL,
            callback_due_at=later,
            next_deadline_at=later,
            sla_check_at=later - timedelta(minutes=5),
        )
        for n in range(300)
    )
    raised, among_many = sweep_queries(now)

    assert raised == 3
    assert among_many == alone
    with django_assert_max_num_queries(40):  # about ten per due case, whatever else is stored
        assert sla_sweep(now=now) == 3


def test_a_batch_of_due_cases_is_written_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    """Issue 18: the alerts, events and notifications of a minute's due cases are written together, not per case
    (on PostgreSQL in one statement, elsewhere one insert each); warnings and breaches alike, each once, a breach
    escalated to the TAMs. MISSION: TAM-4"""
    warned = [callback_case(world, assignee=world.sam) for _ in range(12)]  # callback due at T: a warning now
    breached = [response_case(world, due=T - timedelta(hours=2), assignee=world.sam) for _ in range(12)]
    now = T - timedelta(minutes=4)
    # the due cases, their alerts sent, the writes, the next checks (+ the test's savepoint); the old sweep ran ~7
    # queries per case, then 12 in all with an insert per kind of row
    limit = 6 if connection.vendor == "postgresql" else 10

    with django_assert_max_num_queries(limit) as captured:  # 24 due cases
        assert sla_sweep(now=now) == 24
    assert len(captured.captured_queries) <= limit
    assert PendingNotification.objects.count() == 24  # one notification per alert's event
    breach = CaseEvent.objects.get(case=breached[0], kind=K.SLA_BREACH)  # as ``record`` writes it
    due = (T - timedelta(hours=2)).isoformat()
    assert (breach.actor_id, breach.public, breach.body) == (None, False, "")
    assert breach.details == {"clock": "response", "due_at": due, "text": to_json(CLOCK_LABELS["response"])}
    told = PendingNotification.objects.get(event=breach)
    assert told.dedupe == f"sla:{breached[0].pk}:response:breach:{due}"
    assert sorted(told.extra_staff) == sorted(u.pk for u in world.acme.active_tams())

    alerts = SlaAlert.objects.order_by("case_id")
    assert {(a.case_id, a.level) for a in alerts} == {(c.pk, "warning") for c in warned} | {
        (c.pk, "breach") for c in breached
    }
    assert CaseEvent.objects.filter(kind=K.SLA_WARNING).count() == 12
    assert CaseEvent.objects.filter(kind=K.SLA_BREACH).count() == 12
    assert sla_sweep(now=now) == 0  # each alert once
    assert emailed("case.sla_breach") == {"sam@support.test", "tina@tam.test", "tom@tam.test"}
    assert outbox().filter(kind="case.sla_breach").count() == 12  # one email per breach
    for case in warned:
        case.refresh_from_db()
        assert case.sla_check_at == T  # the breach is next
    for case in breached:
        case.refresh_from_db()
        assert case.sla_check_at is None  # nothing left to tell


def test_a_batch_that_meets_an_alert_already_recorded_tells_nothing_twice(world, monkeypatch):
    """Should another run record an alert between this batch's read and its write, the unique constraint skips
    it with its event and notification (on PostgreSQL; elsewhere it stops the batch's insert and the cases are
    done one by one): nothing is told twice and the new alerts still go out."""
    first = callback_case(world, assignee=world.sam)
    now = T + SECOND
    assert sla_sweep(now=now) == 1  # the first case's breach, recorded by "another run"
    second = callback_case(world, assignee=world.sam)
    Case.objects.filter(pk=first.pk).update(sla_check_at=now)  # due again, as that other run saw it
    # this run read the alerts before the other run recorded its own
    monkeypatch.setattr(clocks, "sent_alerts_of", lambda cases, deadlines: {case.pk: set() for case in cases})

    assert sla_sweep(now=now) == 1  # only the second case's breach

    assert set(SlaAlert.objects.values_list("case_id", "level")) == {(first.pk, "breach"), (second.pk, "breach")}
    assert CaseEvent.objects.filter(kind=K.SLA_BREACH).count() == 2
    notified = PendingNotification.objects.values_list("event__case_id", "dedupe")
    assert sorted(case_id for case_id, _dedupe in notified) == sorted([first.pk, second.pk])


# --- the resolution reminder, and no silent closing (NC-5, CR-5) -------------------------------------


def proposed_case(world) -> Case:
    case = services.case_open(
        account=world.acme,
        actor=world.alice,
        subject="Bounces from gmail.com",
        description="Every message to gmail.com bounces.",
        severity=Case.Severity.NON_CRITICAL,
        category=Case.Category.BUG,
    )
    services.case_propose_resolution(case=case, actor=world.sam, summary="Gmail lifted the block.")
    return Case.objects.get(pk=case.pk)


def test_an_unanswered_proposal_gets_one_reminder_and_stays_open(world, django_capture_on_commit_callbacks, mailoutbox):
    case = proposed_case(world)
    proposed = case.resolution_proposed_at
    outbox()  # expands what opening and proposing notified
    outbox_drain()  # and sends it
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert resolution_reminders(now=proposed + timedelta(days=3) - timedelta(minutes=1)) == 0
        assert resolution_reminders(now=proposed + timedelta(days=3, minutes=1)) == 1
        assert resolution_reminders(now=proposed + timedelta(days=4)) == 0
        assert resolution_reminders(now=proposed + timedelta(days=30)) == 0

    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["alice@acme.test"], f"[{case.number}] Bounces from gmail.com — Reminder about the proposed resolution")
    ]
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.resolved_at) == (Case.Status.RESOLUTION_PROPOSED, None)
    assert case.events.filter(kind=K.RESOLUTION_REMINDER, actor=None).count() == 1


def test_a_new_proposal_gets_its_own_reminder(world):
    case = proposed_case(world)
    resolution_reminders(now=case.resolution_proposed_at + timedelta(days=4))
    services.case_reject_resolution(case=case, actor=world.alice, reason="Still bouncing.")
    services.case_propose_resolution(case=Case.objects.get(pk=case.pk), actor=world.sam, summary="Fixed for real.")

    again = Case.objects.get(pk=case.pk)
    assert resolution_reminders(now=again.resolution_proposed_at + timedelta(days=4)) == 1

    assert outbox().filter(kind="case.resolution_reminder").count() == 2


def test_time_alone_never_closes_a_case(world):
    # MISSION: NC-5, CR-5 — "the case closes only when both sides agree"
    case = proposed_case(world)
    far = timezone.now() + timedelta(days=90)

    sla_sweep(now=far)
    resolution_reminders(now=far)

    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.resolved_at) == (Case.Status.RESOLUTION_PROPOSED, None)
    assert not case.events.filter(kind__in=[K.RESOLUTION_ACCEPTED, K.AGREEMENT_RECORDED]).exists()


@pytest.mark.parametrize("status", [Case.Status.IN_PROGRESS, Case.Status.RESOLVED])
def test_only_proposals_get_reminders(world, status):
    case = CaseFactory(account=world.acme, status=status, resolution_proposed_at=T - timedelta(days=10))
    assert resolution_reminders(now=T) == 0
    assert Case.objects.get(pk=case.pk).resolution_reminder_sent_at is None
