"""What the case services store and whom they tell: deadlines computed on the support calendar when a clock
starts (business hours, summer time, holidays, exceptions), paused while the case waits on the customer
(MISSION NC-2, NC-3, CR-2), and the notifications written to the outbox (CR-2, TAM-4)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Account
from cases import services
from cases.models import Case, CaseEvent
from cases.services import clocks
from tests.accounts.factories import BusinessCalendarFactory, CalendarExceptionFactory
from tests.cases.conftest import emailed, open_case, reload
from tests.cases.factories import CaseFactory, OnCallShiftFactory
from tests.cases.outbox import outbox
from tests.helpers import WARSAW


def warsaw(*args) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


def fresh(account) -> Account:
    """The account as a new request would load it (no schedule cached from an earlier computation)."""
    return Account.objects.get(pk=account.pk)


@pytest.fixture
def office(world):
    """Acme's support calendar: Mon–Fri 09:00–17:00 Europe/Warsaw."""
    calendar = BusinessCalendarFactory()
    world.acme.support_calendar = calendar
    world.acme.save(update_fields=["support_calendar"])
    return calendar


@pytest.fixture
def always_open(world):
    calendar = BusinessCalendarFactory(always_open=True, weekdays=False)
    world.acme.support_calendar = calendar
    world.acme.save(update_fields=["support_calendar"])
    return calendar


# --- the first clock --------------------------------------------------------------------------------


def test_non_critical_response_is_due_four_business_hours_later_on_the_support_calendar(world, office):
    # MISSION: NC-2 — Friday 15:00 + 4 business hours = 2 h on Friday + 2 h on Monday
    case = open_case(world, now=warsaw(2026, 6, 5, 15, 0))

    case = Case.objects.get(pk=case.pk)
    assert case.response_due_at == warsaw(2026, 6, 8, 11, 0)
    assert case.next_deadline_at == warsaw(2026, 6, 8, 11, 0)
    assert case.sla_check_at == warsaw(2026, 6, 8, 10, 30)  # the warning, 30 minutes before
    assert case.callback_due_at is None


def test_the_response_deadline_across_the_change_to_summer_time(world, office):
    # Friday 2026-03-27 15:00 CET -> Monday 2026-03-30 11:00 CEST, which is 09:00 UTC
    case = open_case(world, now=warsaw(2026, 3, 27, 15, 0))

    due = Case.objects.get(pk=case.pk).response_due_at
    assert due == warsaw(2026, 3, 30, 11, 0)
    assert due == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def test_the_accounts_response_target_sets_the_deadline(world, office):
    world.acme.response_target_hours = 8
    world.acme.save(update_fields=["response_target_hours"])

    case = open_case(world, now=warsaw(2026, 6, 5, 15, 0))

    assert Case.objects.get(pk=case.pk).response_due_at == warsaw(2026, 6, 8, 15, 0)  # 2 h Friday + 6 h Monday


def test_a_public_holiday_is_not_a_business_day(world):
    calendar = BusinessCalendarFactory(holiday_country="PL")
    world.acme.support_calendar = calendar
    world.acme.save(update_fields=["support_calendar"])

    # Tuesday 2026-11-10 15:00; Wednesday 11 November is Independence Day
    case = open_case(world, now=warsaw(2026, 11, 10, 15, 0))

    assert Case.objects.get(pk=case.pk).response_due_at == warsaw(2026, 11, 12, 11, 0)


def test_a_day_closed_by_a_calendar_exception_is_skipped(world, office):
    # MISSION: TAM-2 — the provider may shorten business hours from time to time
    CalendarExceptionFactory(calendar=office, first=date(2026, 6, 8), last=date(2026, 6, 8), closed=True)

    case = open_case(world, account=fresh(world.acme), now=warsaw(2026, 6, 5, 15, 0))

    assert Case.objects.get(pk=case.pk).response_due_at == warsaw(2026, 6, 9, 11, 0)


def test_a_later_calendar_change_does_not_rewrite_a_stored_deadline(world, office):
    case = open_case(world, now=warsaw(2026, 6, 5, 15, 0))
    assert case.response_due_at == warsaw(2026, 6, 8, 11, 0)

    # Monday is closed after all; then work goes on with the case, saving it again
    CalendarExceptionFactory(calendar=office, first=date(2026, 6, 8), last=date(2026, 6, 8), closed=True)
    services.case_add_note(case=Case.objects.get(pk=case.pk), actor=world.sam, body="Checking the MTA logs.")
    services.case_assign(case=Case.objects.get(pk=case.pk), actor=world.sam, assignee=world.sam)

    assert Case.objects.get(pk=case.pk).response_due_at == warsaw(2026, 6, 8, 11, 0)
    # ...while a case opened at the same moment under the new hours is due a day later
    later = open_case(world, account=fresh(world.acme), now=warsaw(2026, 6, 5, 15, 0))
    assert later.response_due_at == warsaw(2026, 6, 9, 11, 0)


@pytest.mark.parametrize(
    "opened",
    [warsaw(2026, 6, 9, 10, 0), warsaw(2026, 6, 7, 3, 0)],  # a Tuesday morning; 03:00 on a Sunday
    ids=["tuesday-10h", "sunday-3h"],
)
def test_a_critical_case_with_a_callback_is_due_a_call_in_15_minutes_any_time(world, office, opened):
    # MISSION: CR-1, CR-2 — 24/7/365, whatever the support calendar says
    case = open_case(
        world, severity=Case.Severity.CRITICAL, callback_requested=True, contact_phone="+48 600 100 200", now=opened
    )

    case = Case.objects.get(pk=case.pk)
    assert case.callback_due_at == opened + timedelta(minutes=15)
    assert case.callback_done_at is None
    assert case.response_due_at is None
    assert case.next_deadline_at == opened + timedelta(minutes=15)
    assert case.sla_check_at == opened + timedelta(minutes=10)


def test_a_critical_case_without_a_callback_is_due_a_response_in_15_minutes(world, office):
    opened = warsaw(2026, 6, 7, 3, 0)
    case = open_case(world, severity=Case.Severity.CRITICAL, now=opened)

    case = Case.objects.get(pk=case.pk)
    assert case.response_due_at == opened + timedelta(minutes=15)
    assert case.callback_due_at is None


def test_a_callback_on_a_non_critical_case_is_not_a_callback_clock(world, office):
    case = open_case(world, callback_requested=True, contact_phone="+48 600 100 200", now=warsaw(2026, 6, 5, 15))

    case = Case.objects.get(pk=case.pk)
    assert (case.callback_requested, case.callback_due_at) == (False, None)
    assert case.response_due_at == warsaw(2026, 6, 8, 11, 0)


# --- waiting on the customer pauses the response clock (NC-3) ---------------------------------------


def test_waiting_keeps_the_business_time_left_and_gives_it_back_on_the_customers_answer(world, office):
    # MISSION: NC-3
    case = CaseFactory(account=world.acme, response_due_at=warsaw(2026, 6, 9, 13, 0))  # Tuesday 13:00

    clocks.pause_response(case, warsaw(2026, 6, 9, 10, 0))  # Tuesday 10:00
    assert (case.response_paused_remaining, case.response_due_at) == (timedelta(hours=3), None)

    clocks.resume_response(case, warsaw(2026, 6, 10, 16, 0))  # Wednesday 16:00: 1 h left today, 2 h Thursday
    assert case.response_due_at == warsaw(2026, 6, 11, 11, 0)
    assert case.response_paused_remaining is None


def test_pausing_overnight_counts_only_business_hours(world, office):
    case = CaseFactory(account=world.acme, response_due_at=warsaw(2026, 6, 10, 10, 0))  # Wednesday 10:00

    clocks.pause_response(case, warsaw(2026, 6, 9, 16, 0))  # Tuesday 16:00

    assert case.response_paused_remaining == timedelta(hours=2)


@pytest.mark.parametrize("paused", [warsaw(2026, 6, 9, 13, 0), warsaw(2026, 6, 9, 15, 30)], ids=["at-due", "after"])
def test_a_clock_paused_after_its_breach_keeps_nothing(world, office, paused):
    case = CaseFactory(account=world.acme, response_due_at=warsaw(2026, 6, 9, 13, 0))

    clocks.pause_response(case, paused)
    assert case.response_paused_remaining == timedelta(0)

    clocks.resume_response(case, warsaw(2026, 6, 10, 8, 0))  # before opening: due as soon as the office opens
    assert case.response_due_at == warsaw(2026, 6, 10, 9, 0)


def test_a_critical_response_clock_pauses_on_the_wall_clock(world, office):
    due = warsaw(2026, 6, 7, 3, 10)  # Sunday night: the 24/7 clock
    case = CaseFactory(account=world.acme, severity=Case.Severity.CRITICAL, response_due_at=due)

    clocks.pause_response(case, due - timedelta(minutes=6))
    clocks.resume_response(case, due + timedelta(hours=2))

    assert case.response_due_at == due + timedelta(hours=2, minutes=6)


def test_waiting_and_answering_through_the_services(world, always_open):
    case = open_case(world, now=timezone.now() - timedelta(hours=1))
    due = case.response_due_at

    t0 = timezone.now()
    # A pause without a message to the customer (a message asking for information is a response: test_clock_holes)
    services.case_wait_on_customer(case=case, actor=world.sam, body="")
    t1 = timezone.now()
    case = reload(case)
    assert (case.status, case.response_due_at) == (Case.Status.WAITING_ON_CUSTOMER, None)
    assert due - t1 <= case.response_paused_remaining <= due - t0
    assert (case.next_deadline_at, case.sla_check_at) == (None, None)  # nothing to watch while it waits
    left = case.response_paused_remaining

    t2 = timezone.now()
    services.case_reply(case=case, actor=world.alice, body="Here are the headers.")
    t3 = timezone.now()
    case = reload(case)
    assert case.status == Case.Status.IN_PROGRESS
    assert t2 + left <= case.response_due_at <= t3 + left
    assert case.response_paused_remaining is None
    assert case.sla_check_at is not None


# --- who is told when a case opens ------------------------------------------------------------------


def test_a_critical_case_tells_the_on_duty_agents_and_the_tams_at_once(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    # MISSION: CR-2, TAM-4
    on_duty = OnCallShiftFactory(agent__email="olga@support.test").agent

    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(world, severity=Case.Severity.CRITICAL, callback_requested=True, contact_phone="+48 600 1")

    opened = [m for m in mailoutbox if "Case opened" in m.subject]
    assert {addr for m in opened for addr in m.to} == {"olga@support.test", "tina@tam.test", "tom@tam.test"}
    assert all(f"[{case.number}]" in m.subject for m in mailoutbox)
    assert on_duty.email not in {addr for m in mailoutbox if "acknowledgement" in m.subject for addr in m.to}
    # the customer gets the acknowledgement, not a copy of what she did herself
    assert [m.subject for m in mailoutbox if "alice@acme.test" in m.to] == [
        f"[{case.number}] CRITICAL: Bounces from Gmail since 9:00 — Automatic acknowledgement"
    ]
    assert "sam@support.test" not in {addr for m in mailoutbox for addr in m.to}


def test_a_non_critical_case_does_not_page_the_tams(world):
    OnCallShiftFactory(agent__email="olga@support.test")
    open_case(world)
    assert emailed("case.opened") == {"olga@support.test"}


def test_emails_go_out_in_each_recipients_language(world):
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    case = open_case(world)
    services.case_follow(case=case, user=world.arthur, follow=True)
    outbox().all().delete()

    services.case_reply(case=Case.objects.get(pk=case.pk), actor=world.sam, body="We are on it.")

    rows = {tuple(row.to): row for row in outbox().filter(kind="case.reply")}
    assert set(rows) == {("alice@acme.test",), ("arthur@acme.test",)}  # one email per language group
    for address, language in [("alice@acme.test", "pl"), ("arthur@acme.test", "en")]:
        with translation.override(language):
            expected = f"[{case.number}] Bounces from Gmail since 9:00 — {CaseEvent.Kind.REPLY.label}"
        assert rows[(address,)].subject == expected


def test_staff_emails_link_to_the_case_in_the_staff_console(world):
    OnCallShiftFactory(agent__email="olga@support.test")
    case = open_case(world)

    row = outbox().get(kind="case.opened")
    assert row.to == ["olga@support.test"]
    assert reverse("staff-case", kwargs={"number": case.number}) in row.body


# --- who hears about a message ------------------------------------------------------------------------


def test_staff_are_not_told_about_their_own_reply(world):
    case = open_case(world)
    services.case_assign(case=case, actor=world.sam, assignee=world.sam)
    outbox().all().delete()

    services.case_reply(case=reload(case), actor=world.sam, body="We are on it.")

    assert emailed() == {"alice@acme.test"}


def test_a_customer_reply_reaches_the_assigned_agent_and_the_other_followers_but_not_its_author(world):
    case = open_case(world)
    services.case_assign(case=case, actor=world.tina, assignee=world.sam)
    services.case_follow(case=case, user=world.arthur, follow=True)
    outbox().all().delete()

    services.case_reply(case=reload(case), actor=world.alice, body="Any news?")

    assert emailed() == {"sam@support.test", "arthur@acme.test"}
    staff_row = outbox().get(to=["sam@support.test"])
    assert staff_row.subject.startswith(f"[{case.number}] ")
