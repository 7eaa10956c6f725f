"""The TAM as the escalation path (MISSION TAM-4, issue 15): the console marks escalations met since, a TAM
takes one up ("I'm on it"), recorded on the case; the customer escalates a case to their TAM with a reason."""

from datetime import UTC, datetime, timedelta

import pytest

from cases import services
from cases.models import CaseEvent, PendingNotification, SlaAlert
from cases.tasks import sla_sweep as sla_sweep_task
from tests.cases.conftest import open_case, refusal, reload
from tests.helpers import element_text, messages_of, visible_text

T0 = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)
K = CaseEvent.Kind


@pytest.fixture
def breached(world, frozen):
    """Alice's critical case, unanswered for 15 minutes: the sweep escalated it to the TAMs."""
    frozen(T0)
    case = open_case(world, critical=True)
    frozen(T0 + timedelta(minutes=16))
    sla_sweep_task()
    return case


def escalations(client) -> str:
    return element_text(client.get("/console/").content.decode(), "breaches")


def test_the_tam_takes_up_a_missed_deadline_and_it_is_recorded_on_the_case(client, world, breached):
    client.force_login(world.tina)
    assert "I'm on it" in escalations(client)
    alert = SlaAlert.objects.get(case=breached, level=SlaAlert.Level.BREACH)

    response = client.post(f"/console/cases/{breached.number}/acknowledge/", {"alert": alert.pk})

    assert response.status_code == 302, messages_of(response)
    assert messages_of(client.get(response["Location"])) == ["Recorded on the case: you are on it."]
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledged_at) == (world.tina, T0 + timedelta(minutes=16))
    event = breached.events.get(kind=K.ESCALATION_ACKNOWLEDGED)
    assert (event.actor, event.public) == (world.tina, False)  # staff-only, like the breach itself
    panel = escalations(client)
    assert "Tina Nowak is on it" in panel and "I'm on it" not in panel
    # twice changes nothing
    client.post(f"/console/cases/{breached.number}/acknowledge/", {"alert": alert.pk})
    assert breached.events.filter(kind=K.ESCALATION_ACKNOWLEDGED).count() == 1


def test_an_agent_cannot_take_up_an_escalation_for_the_tam(client, world, breached):
    client.force_login(world.sam)
    alert = SlaAlert.objects.get(case=breached, level=SlaAlert.Level.BREACH)
    response = client.post(f"/console/cases/{breached.number}/acknowledge/", {"alert": alert.pk})
    assert refusal(response) == ["Only the account's TAM takes up an escalation."]
    assert reload(breached).events.filter(kind=K.ESCALATION_ACKNOWLEDGED).count() == 0


def test_the_console_marks_an_escalation_met_since(client, world, breached, frozen):
    frozen(T0 + timedelta(minutes=20))
    services.case_reply(case=breached, actor=world.sam, body="On it: the relay is restarting.")
    client.force_login(world.tina)
    panel = escalations(client)
    assert "met since" in panel and "I'm on it" not in panel


def test_the_customer_escalates_a_case_to_their_tam_with_a_reason(client, world):
    case = open_case(world)
    client.force_login(world.alice)
    url = f"{case.get_absolute_url()}escalate/"
    assert refusal(client.post(url, {"reason": " "})) == ["Tell your TAM why you escalate the case."]

    response = client.post(url, {"reason": "No answer for two days."})

    assert response.status_code == 302
    assert messages_of(client.get(response["Location"])) == ["Your TAM is told and will take it up."]
    event = case.events.get(kind=K.ESCALATED)
    assert (event.actor, event.body, event.public) == (world.alice, "No answer for two days.", True)
    assert set(PendingNotification.objects.get(event=event).extra_staff) == {world.tina.pk, world.tom.pk}
    assert "Escalated to the TAM by the customer" in visible_text(client.get(case.get_absolute_url()))

    client.force_login(world.tina)
    page = client.get("/console/").content.decode()
    assert "No answer for two days." in element_text(page, "customer-escalations")
    client.force_login(world.tess)  # another account's TAM sees nothing of it
    assert "No answer for two days." not in client.get("/console/").content.decode()


def test_staff_do_not_escalate_on_the_customers_behalf(world):
    case = open_case(world)
    with pytest.raises(services.CaseStateError):
        services.case_escalate(case=case, actor=world.sam, reason="x")


@pytest.mark.parametrize("action", ["escalate", "classify"])
def test_another_accounts_customer_gets_the_same_404_as_for_a_missing_case(client, world, action):
    case = open_case(world)
    client.force_login(world.bob)
    data = {"reason": "x", "severity": "critical", "category": "bug"}
    theirs = client.post(f"/a/acme/cases/{case.number}/{action}/", data)
    missing = client.post(f"/a/acme/cases/ACME-999999/{action}/", data)
    assert theirs.status_code == missing.status_code == 404
    assert not case.events.exclude(kind__in=[CaseEvent.Kind.OPENED, CaseEvent.Kind.ACKNOWLEDGED]).exists()
