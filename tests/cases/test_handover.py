"""Off-shift assignees (issue 15): at a shift change the critical cases of an agent now off shift go to the
agent on duty, on the staff timeline and the audit trail, and the new assignee is told (MISSION CR-3, NC-4)."""

from datetime import timedelta

import pytest

from accounts.models import AuditEvent
from cases import services
from cases.models import Case, CaseEvent
from tests.accounts.factories import AgentFactory
from tests.cases.conftest import emailed, open_case
from tests.cases.factories import OnCallShiftFactory
from tests.cases.outbox import outbox
from tests.helpers import visible_text

H = timedelta(hours=1)


@pytest.fixture
def shift_change(world, frozen):
    """Tuesday 16:00 UTC: Sam's shift ended at 15:00, Olga's began at 14:00 (an hour's overlap)."""
    now = frozen("2026-06-09 16:00")
    OnCallShiftFactory(agent=world.sam, starts_at=now - 9 * H, ends_at=now - H)
    olga = AgentFactory(email="olga@support.test", full_name="Olga Wiśniewska")
    OnCallShiftFactory(agent=olga, starts_at=now - 2 * H, ends_at=now + 6 * H)
    return olga


def sams_critical_case(world) -> Case:
    case = open_case(world, critical=True, callback=True)
    services.case_assign(case=case, actor=world.tina, assignee=world.sam)
    outbox().all().delete()
    return Case.objects.get(pk=case.pk)


def test_a_critical_case_of_an_agent_off_shift_goes_to_the_agent_on_duty(world, shift_change, english):
    case = sams_critical_case(world)

    assert services.critical_cases_hand_over() == 1

    case = Case.objects.get(pk=case.pk)
    assert case.assignee == shift_change
    event = case.events.filter(kind=CaseEvent.Kind.ASSIGNED).order_by("pk").last()  # the clock is frozen
    assert (event.public, event.actor, event.details["before"], event.details["after"]) == (
        False,  # the staff timeline only
        None,
        "Sam Okafor",
        "Olga Wiśniewska",
    )
    assert str(event.text) == ("Handed over at the shift change: Sam Okafor is off shift, Olga Wiśniewska is on duty.")
    row = AuditEvent.objects.get(kind=AuditEvent.Kind.CASE_HANDED_OVER)
    assert (row.account, row.target_id, row.details["before"], row.details["after"]) == (
        world.acme,
        str(case.pk),
        "sam@support.test",
        "olga@support.test",
    )
    assert "olga@support.test" in emailed("case.assigned")
    # the new assignee's email says whom to call back, and by when
    mail = next(r for r in outbox().filter(kind="case.assigned") if "olga@support.test" in r.to)
    assert "+48 600 100 200" in mail.body


def test_the_hand_over_shows_on_the_staff_case_page_not_the_customers(client, world, shift_change, english):
    case = sams_critical_case(world)
    services.critical_cases_hand_over()

    client.force_login(world.tina)
    assert "Handed over at the shift change" in visible_text(client.get(f"/console/cases/{case.number}/"))
    client.force_login(world.alice)
    assert "Handed over" not in visible_text(client.get(case.get_absolute_url()))


def test_the_hand_over_runs_once(world, shift_change):
    sams_critical_case(world)
    services.critical_cases_hand_over()
    assert services.critical_cases_hand_over() == 0
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CASE_HANDED_OVER).count() == 1


def test_cases_of_an_agent_on_duty_and_non_critical_cases_stay(world, shift_change):
    non_critical = open_case(world)
    services.case_assign(case=non_critical, actor=world.tina, assignee=world.sam)
    olgas = open_case(world, critical=True, callback=True)
    services.case_assign(case=olgas, actor=world.tina, assignee=shift_change)

    assert services.critical_cases_hand_over() == 0
    assert Case.objects.get(pk=non_critical.pk).assignee == world.sam
    assert Case.objects.get(pk=olgas.pk).assignee == shift_change


def test_the_least_busy_agent_on_duty_takes_the_case(world, shift_change):
    omar = AgentFactory(email="omar@support.test", full_name="Aaron Omar")
    OnCallShiftFactory(agent=omar)
    busy = open_case(world, critical=True, callback=True)
    services.case_assign(case=busy, actor=world.tina, assignee=omar)
    case = sams_critical_case(world)

    services.critical_cases_hand_over()

    assert Case.objects.get(pk=case.pk).assignee == shift_change  # Omar has one already


def test_in_a_rota_gap_nothing_is_moved(world, frozen):
    now = frozen("2026-06-13 01:00")
    OnCallShiftFactory(agent=world.sam, starts_at=now - 9 * H, ends_at=now - H)
    case = sams_critical_case(world)

    assert services.critical_cases_hand_over() == 0
    assert Case.objects.get(pk=case.pk).assignee == world.sam
