"""The SLA clock rules of cases/sla.py (pure) and the badge of cases/clock.py built on them."""

from datetime import UTC, datetime, timedelta

import pytest

from cases import sla
from cases.badges import badge
from cases.models import Case
from cases.sla import WARN_BEFORE, Deadlines, alerts_due, counts_as_response, next_check

T = datetime(2026, 6, 9, 10, 0, tzinfo=UTC)  # a Tuesday
TICK = timedelta(microseconds=1)


# --- counts_as_response -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "public", "by_staff", "outcome", "expected", "why"),
    [
        ("reply", True, True, None, True, "a staff public reply is a response (NC-2)"),
        ("reply", True, False, None, False, "anything the customer writes is not"),
        ("reply", False, True, None, False, "a non-public reply is not"),
        ("note", False, True, None, False, "an internal note is not"),
        ("note", True, True, None, False, "a note is never a response, whatever its flag"),
        ("acknowledged", True, False, None, False, "the automatic acknowledgement (no actor) is not"),
        ("acknowledged", True, True, None, False, "an acknowledgement is not a response even if staff sent it"),
        ("callback_logged", True, True, "reached", True, "a callback that reached the contact (CR-2)"),
        ("callback_logged", True, True, "voicemail", True, "a callback that left a voicemail (CR-2)"),
        ("callback_logged", True, True, "no_answer", False, "a call nobody answered is not (CR-2)"),
        ("callback_logged", True, True, "wrong_number", False, "a wrong number is not"),
        ("callback_logged", True, True, None, False, "a callback without an outcome is not"),
        ("callback_logged", True, False, "reached", False, "a call logged by a customer is not"),
        ("update_posted", True, True, None, True, "a structured update is a response (CR-4)"),
        ("update_posted", True, False, None, False, "an update by a customer is not"),
        ("status_changed", True, True, None, False, "a status change alone is not"),
        ("opened", True, True, None, False, "opening the case is not"),
    ],
)
def test_what_counts_as_a_response(kind, public, by_staff, outcome, expected, why):
    # MISSION: NC-2, CR-2, CR-4
    assert counts_as_response(kind=kind, public=public, by_staff=by_staff, outcome=outcome) is expected, why


# --- alerts_due -----------------------------------------------------------------------------------


@pytest.mark.parametrize("clock", sla.CLOCKS)
def test_no_alert_before_the_warning_window(clock):
    due = T + timedelta(hours=1)
    assert alerts_due(Deadlines(**{clock: due}), due - WARN_BEFORE[clock] - TICK, set()) == []


@pytest.mark.parametrize("clock", sla.CLOCKS)
def test_warning_at_exactly_the_start_of_the_window(clock):
    due = T + timedelta(hours=1)
    assert alerts_due(Deadlines(**{clock: due}), due - WARN_BEFORE[clock], set()) == [(clock, "warning", due)]


@pytest.mark.parametrize("clock", sla.CLOCKS)
def test_warning_until_just_before_the_deadline(clock):
    due = T + timedelta(hours=1)
    assert alerts_due(Deadlines(**{clock: due}), due - TICK, set()) == [(clock, "warning", due)]


@pytest.mark.parametrize("clock", sla.CLOCKS)
def test_breach_at_exactly_the_deadline(clock):
    due = T + timedelta(hours=1)
    assert alerts_due(Deadlines(**{clock: due}), due, set()) == [(clock, "breach", due)]


def test_warning_windows_are_the_documented_ones():
    assert WARN_BEFORE == {
        "callback": timedelta(minutes=5),
        "response": timedelta(minutes=30),
        "update": timedelta(minutes=10),
    }


def test_a_deadline_first_seen_already_breached_gives_only_the_breach():
    due = T
    assert alerts_due(Deadlines(callback=due), due + timedelta(hours=2), set()) == [("callback", "breach", due)]


def test_a_sent_warning_is_not_repeated():
    due = T + timedelta(minutes=3)
    sent = {("callback", "warning", due)}
    assert alerts_due(Deadlines(callback=due), T, sent) == []


def test_a_sent_breach_is_not_repeated():
    due = T
    sent = {("callback", "warning", due), ("callback", "breach", due)}
    assert alerts_due(Deadlines(callback=due), T + timedelta(hours=1), sent) == []


def test_a_warning_for_an_earlier_deadline_does_not_silence_a_new_one():
    # a clock restarted with a new due time gets its own alerts
    old, new = T - timedelta(hours=1), T + timedelta(minutes=20)
    sent = {("response", "warning", old), ("response", "breach", old)}
    assert alerts_due(Deadlines(response=new), T, sent) == [("response", "warning", new)]


def test_each_clock_is_judged_on_its_own():
    d = Deadlines(
        callback=T - timedelta(minutes=1),  # breached
        response=T + timedelta(minutes=29),  # inside its 30-minute window
        update=T + timedelta(minutes=11),  # outside its 10-minute window
    )
    assert alerts_due(d, T, set()) == [("callback", "breach", d.callback), ("response", "warning", d.response)]


def test_no_deadlines_no_alerts():
    assert alerts_due(Deadlines(), T, set()) == []


# --- next_check -----------------------------------------------------------------------------------


def test_next_check_is_the_warning_moment_first():
    due = T + timedelta(hours=1)
    assert next_check(Deadlines(update=due), T, set()) == due - timedelta(minutes=10)


def test_next_check_is_the_deadline_once_the_warning_is_sent():
    due = T + timedelta(hours=1)
    sent = {("update", "warning", due)}
    assert next_check(Deadlines(update=due), due - timedelta(minutes=10), sent) == due


def test_next_check_is_the_deadline_inside_the_window_even_before_the_warning_is_recorded():
    due = T + timedelta(minutes=2)
    assert next_check(Deadlines(callback=due), T, set()) == due


def test_next_check_is_none_when_every_alert_is_sent():
    due = T
    sent = {("callback", "warning", due), ("callback", "breach", due)}
    assert next_check(Deadlines(callback=due), T + timedelta(minutes=1), sent) is None


def test_next_check_is_none_without_deadlines():
    assert next_check(Deadlines(), T, set()) is None


def test_next_check_is_the_earliest_moment_over_all_clocks():
    d = Deadlines(response=T + timedelta(hours=4), update=T + timedelta(minutes=40))
    assert next_check(d, T, set()) == T + timedelta(minutes=30)  # the update's warning


def test_a_breach_already_sent_does_not_keep_the_case_in_the_sweep():
    d = Deadlines(callback=T - timedelta(minutes=5), response=T + timedelta(hours=2))
    sent = {("callback", "breach", d.callback)}
    assert next_check(d, T, sent) == d.response - timedelta(minutes=30)


# --- Deadlines ------------------------------------------------------------------------------------


def test_deadlines_next_is_the_earliest_running_one():
    d = Deadlines(callback=T + timedelta(minutes=15), response=T + timedelta(minutes=5), update=T + timedelta(hours=1))
    assert d.next == T + timedelta(minutes=5)


def test_deadlines_next_is_none_when_no_clock_runs():
    assert Deadlines().next is None


def test_deadlines_items_skip_the_clocks_that_do_not_run():
    d = Deadlines(update=T)
    assert list(d.items()) == [("update", T)]
    assert d.next == T


# --- pausing --------------------------------------------------------------------------------------


def test_a_paused_clock_keeps_its_time_left():
    # MISSION: NC-3
    assert sla.remaining_when_paused(timedelta(hours=3)) == timedelta(hours=3)


def test_a_clock_paused_after_its_breach_keeps_nothing():
    assert sla.remaining_when_paused(timedelta(minutes=-20)) == timedelta(0)


# --- the badge on lists and the case page ---------------------------------------------------------


def case_in_progress(**fields) -> Case:
    return Case(status=Case.Status.IN_PROGRESS, **fields)


def test_badge_shows_the_callback_clock_while_the_call_is_owed():
    case = case_in_progress(severity=Case.Severity.CRITICAL, callback_due_at=T + timedelta(minutes=15))
    b = badge(case, T)
    assert (str(b.label), b.due, b.level) == ("Callback due", T + timedelta(minutes=15), "ok")


def test_badge_warns_inside_the_warning_window_and_is_bad_at_the_deadline():
    due = T + timedelta(minutes=30)
    case = case_in_progress(response_due_at=due)
    assert badge(case, due - timedelta(minutes=31)).level == "ok"
    assert badge(case, due - timedelta(minutes=30)).level == "warn"
    assert badge(case, due).level == "bad"
    assert badge(case, due).overdue


def test_badge_ignores_a_callback_already_made():
    case = case_in_progress(
        severity=Case.Severity.CRITICAL,
        callback_due_at=T,
        callback_done_at=T - timedelta(minutes=3),
        next_update_due_at=T + timedelta(hours=1),
    )
    b = badge(case, T)
    assert (str(b.label), b.due) == ("Next update due", T + timedelta(hours=1))


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Case.Status.RESOLVED, "Resolved"),
        (Case.Status.RESOLUTION_PROPOSED, "Awaiting the customer's answer"),
        (Case.Status.WAITING_ON_CUSTOMER, "Paused: waiting on the customer"),
    ],
)
def test_badge_has_no_running_clock_when_nobody_owes_anything(status, label):
    case = Case(status=status, response_due_at=T)
    b = badge(case, T + timedelta(hours=1))
    assert (str(b.label), b.due, b.level) == (label, None, "neutral")
