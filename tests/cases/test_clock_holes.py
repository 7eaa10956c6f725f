"""Holes in the Severity 1 promise (issue 15): logged callback times are bounded, every clock warns before it
breaches, and no stored row shows an absurd deadline. Time is pinned: these pass on any day."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cases import services, sla
from cases.models import Case, CaseEvent, SlaAlert
from cases.tasks import sla_sweep as sla_sweep_task
from tests.accounts.factories import BusinessCalendarFactory
from tests.cases.conftest import PHONE, case_snapshot, open_case, refusal, reload
from tests.helpers import element_text, messages_of, visible_text

T0 = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Warsaw
MIN = timedelta(minutes=1)


@pytest.fixture
def always_open(world):
    calendar = BusinessCalendarFactory(always_open=True, weekdays=False)
    world.acme.support_calendar = calendar
    world.acme.save(update_fields=["support_calendar"])
    return calendar


@pytest.fixture
def sam(client, world):
    client.force_login(world.sam)
    return client


def log_callback(client, case, **data):
    data = {"called_name": "Alice", "called_number": PHONE, "outcome": "reached", **data}
    return client.post(f"/console/cases/{case.number}/callback/", data)


def alerts(case) -> list[tuple[str, str]]:
    return list(SlaAlert.objects.filter(case=case).order_by("created_at", "id").values_list("clock", "level"))


def sweep_at(frozen, moment) -> None:
    """The real beat task, run at ``moment``."""
    frozen(moment)
    sla_sweep_task()


# --- 1. a logged callback lies between the clock's start and now ----------------------------------------


@pytest.mark.parametrize("called_at", ["1900-01-01T00:00", "2026-06-09T08:00"])  # 1900; an hour before opening
def test_a_callback_before_the_clock_started_is_refused_and_changes_nothing(sam, world, frozen, called_at):
    # MISSION: CR-2 — it was accepted "on time", rewound the cadence and escalated a false breach to both TAMs
    frozen(T0)
    case = open_case(world, critical=True, callback=True)
    frozen(T0 + 5 * MIN)
    before = case_snapshot(case)

    messages = refusal(log_callback(sam, case, called_at=called_at))

    assert len(messages) == 1
    assert messages[0].startswith("The call cannot have been made before 9 Jun 2026, ")
    assert messages[0].endswith(", when this case's clock started.")
    assert case_snapshot(case) == before
    assert reload(case).callback_pending
    sweep_at(frozen, T0 + 6 * MIN)
    assert alerts(case) == []  # no false breach, nobody paged


def test_the_refusal_is_in_polish_for_a_polish_agent(sam, world, frozen):
    world.sam.language = "pl"
    world.sam.save(update_fields=["language"])
    frozen(T0)
    case = open_case(world, critical=True, callback=True)
    [message] = refusal(log_callback(sam, case, called_at="1900-01-01T00:00"))
    assert message.startswith("Połączenie nie mogło się odbyć przed ")


def test_a_callback_more_than_two_minutes_ahead_is_refused_one_minute_ahead_is_accepted(sam, world, frozen):
    frozen(T0)
    case = open_case(world, critical=True, callback=True)
    frozen(T0 + 4 * MIN)
    response = log_callback(sam, case, called_at=_local_input(world.sam, T0 + 7 * MIN))  # in the agent's zone
    assert refusal(response) == ["A callback cannot be logged in the future."]

    response = log_callback(sam, case, called_at=_local_input(world.sam, T0 + 5 * MIN))
    assert response.status_code == 302, messages_of(response)
    case = reload(case)
    assert case.callback_done_at == T0 + 5 * MIN
    assert case.events.get(kind=CaseEvent.Kind.CALLBACK_LOGGED).details["on_time"] is True


def test_a_callback_logged_late_does_not_rewind_the_update_cadence(world, frozen):
    # MISSION: CR-4 — the next update stays where the last update put it
    frozen(T0)
    case = open_case(world, critical=True, callback=True)
    frozen(T0 + 3 * MIN)
    services.case_log_callback(case=case, actor=world.sam, called_name="Alice", called_number=PHONE, outcome="reached")
    frozen(T0 + 30 * MIN)
    services.case_post_update(case=case, actor=world.sam, nature="Relay down.", expected_resolution="by 11:00")
    assert reload(case).next_update_due_at == T0 + 90 * MIN

    frozen(T0 + 35 * MIN)
    services.case_log_callback(
        case=case,
        actor=world.sam,
        called_name="Alice",
        called_number=PHONE,
        outcome="reached",
        called_at=T0 + 20 * MIN,  # made before the update, logged after it
    )
    assert reload(case).next_update_due_at == T0 + 90 * MIN


def test_a_damaged_row_never_shows_a_century_overdue(client, world, frozen):
    # A row written before the bound: the update due in 1900. The page shows it due since the case opened.
    frozen(T0)
    case = open_case(world, critical=True, callback=True)
    services.case_log_callback(case=case, actor=world.sam, called_name="Alice", called_number=PHONE, outcome="reached")
    Case.objects.filter(pk=case.pk).update(next_update_due_at=datetime(1900, 1, 1, 0, 30, tzinfo=UTC))
    frozen(T0 + 2 * MIN)

    client.force_login(world.alice)
    response = client.get(case.get_absolute_url())
    page = response.content.decode()
    assert "1900" not in page and "1 Jan" not in page
    assert 'datetime="2026-06-09T' in page
    assert element_text(page, "next-update").startswith("Next update by ")
    assert "1 Jan" not in visible_text(response)


def _local_input(user, moment: datetime) -> str:
    """What a datetime-local field holds for ``moment`` in the user's time zone."""
    return moment.astimezone(ZoneInfo(user.timezone)).strftime("%Y-%m-%dT%H:%M")


# --- 2. every clock warns before it breaches, through the real sweep task ------------------------------


def test_warn_at_is_a_moment_every_clock_has():
    due = T0 + timedelta(hours=4)
    assert sla.warn_at("response", due, T0) == due - 30 * MIN  # a long clock: 30 minutes before
    assert sla.warn_at("response", due, due - 15 * MIN) == due - timedelta(minutes=7, seconds=30)  # half-way
    assert sla.warn_at("update", due, due - 10 * MIN) == due - 5 * MIN
    assert sla.warn_at("callback", due, due - 15 * MIN) == due - 5 * MIN
    assert sla.warn_at("response", due) == due - 30 * MIN  # start unknown (an old row): as before


def test_a_critical_case_without_a_call_request_warns_half_way_through_its_15_minutes(world, frozen):
    # MISSION: CR-2, TAM-4 — a 15-minute clock with a 30-minute warning never warned
    frozen(T0)
    case = open_case(world, critical=True)
    assert reload(case).response_due_at == T0 + 15 * MIN

    sweep_at(frozen, T0 + 7 * MIN)
    assert alerts(case) == []
    sweep_at(frozen, T0 + timedelta(minutes=7, seconds=30))
    assert alerts(case) == [("response", "warning")]
    sweep_at(frozen, T0 + 15 * MIN)
    assert alerts(case) == [("response", "warning"), ("response", "breach")]


def test_a_callback_clock_warns_five_minutes_before(world, frozen):
    frozen(T0)
    case = open_case(world, critical=True, callback=True)
    sweep_at(frozen, T0 + 9 * MIN)
    assert alerts(case) == []
    sweep_at(frozen, T0 + 10 * MIN)
    assert alerts(case) == [("callback", "warning")]


def test_a_ten_minute_update_interval_warns_half_way(world, frozen):
    # MISSION: CR-4 — an interval of 10 minutes or less started inside its own warning window
    frozen(T0)
    case = open_case(world, critical=True, callback=True)
    frozen(T0 + 3 * MIN)
    services.case_log_callback(case=case, actor=world.sam, called_name="Alice", called_number=PHONE, outcome="reached")
    frozen(T0 + 4 * MIN)
    services.case_change_cadence(case=case, actor=world.sam, minutes=10, agreed_with="Alice")
    assert reload(case).next_update_due_at == T0 + 13 * MIN

    sweep_at(frozen, T0 + 7 * MIN)
    assert alerts(case) == []
    sweep_at(frozen, T0 + 8 * MIN)
    assert alerts(case) == [("update", "warning")]
    sweep_at(frozen, T0 + 13 * MIN)
    assert alerts(case) == [("update", "warning"), ("update", "breach")]


def test_a_clock_resumed_with_twenty_minutes_left_warns_half_way(world, frozen, always_open):
    # MISSION: NC-3 — the time left is given back, and the warning still comes before the deadline
    frozen(T0)
    case = open_case(world)
    assert reload(case).response_due_at == T0 + timedelta(hours=4)
    frozen(T0 + timedelta(hours=3, minutes=40))
    services.case_wait_on_customer(case=case, actor=world.sam)  # paused without a message: 20 minutes kept
    frozen(T0 + timedelta(hours=5))
    services.case_reply(case=case, actor=world.alice, body="Here are the headers.")
    assert reload(case).response_due_at == T0 + timedelta(hours=5, minutes=20)

    sweep_at(frozen, T0 + timedelta(hours=5, minutes=9))
    assert alerts(case) == []
    sweep_at(frozen, T0 + timedelta(hours=5, minutes=10))
    assert alerts(case) == [("response", "warning")]
    sweep_at(frozen, T0 + timedelta(hours=5, minutes=20))
    assert alerts(case) == [("response", "warning"), ("response", "breach")]


def test_a_long_response_clock_still_warns_thirty_minutes_before(world, frozen, always_open):
    frozen(T0)
    case = open_case(world)
    sweep_at(frozen, T0 + timedelta(hours=3, minutes=29))
    assert alerts(case) == []
    sweep_at(frozen, T0 + timedelta(hours=3, minutes=30))
    assert alerts(case) == [("response", "warning")]
