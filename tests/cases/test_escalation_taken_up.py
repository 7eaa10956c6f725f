"""A customer's escalation to their TAM (MISSION TAM-4, issue 15) is taken up with the same "I'm on it" as a
missed deadline: recorded on the case, where the customer sees it, and shown on the console. Time is pinned."""

from datetime import UTC, datetime, timedelta

import pytest

from cases import services
from cases.models import CaseEvent
from tests.cases.conftest import open_case
from tests.helpers import element_text, messages_of, visible_text

T0 = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)


@pytest.fixture
def escalated(world, frozen):
    frozen(T0)
    case = open_case(world)
    services.case_escalate(case=case, actor=world.alice, reason="Nobody answers and our mail is stuck.")
    return case


def asked(client) -> str:
    return element_text(client.get("/console/").content.decode(), "customer-escalations")


def take_up(client, case, escalation):
    return client.post(f"/console/cases/{case.number}/acknowledge/", {"escalation": escalation.pk}, follow=True)


def test_the_tam_takes_up_a_customers_escalation_and_the_customer_sees_it(client, world, escalated, frozen):
    escalation = escalated.events.get(kind=CaseEvent.Kind.ESCALATED)
    client.force_login(world.tina)
    assert "I'm on it" in asked(client)  # before: the console listed it with nothing to do about it
    frozen(T0 + timedelta(minutes=5))

    response = take_up(client, escalated, escalation)
    take_up(client, escalated, escalation)  # twice: recorded once

    assert "Recorded on the case: you are on it." in messages_of(response)
    taken = escalated.events.filter(kind=CaseEvent.Kind.ESCALATION_ACKNOWLEDGED)
    assert [(e.actor, e.public, e.details["escalation"]) for e in taken] == [(world.tina, True, escalation.pk)]
    assert "Tina Nowak is on it (10:05 CEST)" in visible_text(asked(client))
    client.force_login(world.alice)
    assert "Escalation taken up by the TAM" in visible_text(client.get(escalated.get_absolute_url()))


def test_an_agent_cannot_take_up_a_customers_escalation(client, world, escalated):
    escalation = escalated.events.get(kind=CaseEvent.Kind.ESCALATED)
    client.force_login(world.sam)
    response = client.post(f"/console/cases/{escalated.number}/acknowledge/", {"escalation": escalation.pk})
    assert "Only the account's TAM takes up an escalation." in messages_of(response)
    assert not escalated.events.filter(kind=CaseEvent.Kind.ESCALATION_ACKNOWLEDGED).exists()
