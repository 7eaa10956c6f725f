"""Bulk actions of the staff queue (issue 15): each selected case goes through its own service, one refusal
never stops the others, every case reports its outcome, another account's case is "No such case" and
untouched; CSRF and the one-time form token hold. MISSION: NC-4, NC-5."""

import pytest
from django.test import Client

from cases import services
from cases.models import Case, CaseEvent
from tests.cases.conftest import open_case, reload
from tests.helpers import form_token, messages_of, text


@pytest.fixture
def three(world, frozen):
    frozen("2027-03-02 09:00")
    new = open_case(world, subject="New one")
    working = open_case(world, subject="Being worked")
    services.case_start_work(case=working, actor=world.tina)
    theirs = open_case(world, actor=world.bob, account=world.globex, subject="Globex's")
    return new, working, theirs


def test_the_queue_offers_the_selection_without_the_refresh(client, world, three):
    client.force_login(world.sam)
    page = text(client.get("/console/cases/?select=1"))
    assert 'name="cases" value="ACME-000001" form="bulk-form"' in page
    assert 'hx-trigger="every 60s"' not in page  # a polled region never holds a form being filled in
    assert 'hx-trigger="every 60s"' in text(client.get("/console/cases/"))


def test_start_work_on_three_cases_one_refused_one_not_theirs(client, world, three):
    new, working, theirs = three
    client.force_login(world.tina)  # Acme's TAM: Globex is not hers
    page = client.get("/console/cases/?select=1")
    before = CaseEvent.objects.filter(case=working).count()

    response = client.post(
        "/console/cases/bulk/",
        {
            "cases": [new.number, working.number, theirs.number, "NOPE-000001"],
            "action": "start",
            "form_token": form_token(page),
        },
        follow=True,
    )

    said = messages_of(response)
    assert "1 case changed." in said
    assert f"{working.number} not changed: Work starts on a new case or one that waits on the customer." in said
    assert f"{theirs.number} not changed: No such case." in said
    assert "NOPE-000001 not changed: No such case." in said
    assert reload(new).status == Case.Status.IN_PROGRESS and reload(new).assignee == world.tina
    assert CaseEvent.objects.filter(case=new, kind="status_changed", actor=world.tina).exists()  # on its timeline
    assert CaseEvent.objects.filter(case=working).count() == before
    assert reload(theirs).status == Case.Status.NEW


def test_assign_many_each_through_the_service(client, world, three):
    new, working, theirs = three
    client.force_login(world.sam)
    client.post(
        "/console/cases/bulk/", {"cases": [new.number, working.number], "action": "assign", "assignee": world.tom.pk}
    )

    assert reload(new).assignee == reload(working).assignee == world.tom
    assert CaseEvent.objects.filter(kind="assigned", case__in=[new, working], actor=world.sam).count() == 2


def test_an_agent_who_does_not_work_on_an_account_is_refused_there_only(world, three):
    new, working, theirs = three
    outcomes = services.cases_bulk_change(
        actor=world.sam, numbers=[new.number, theirs.number], action="assign", assignee=world.tina
    )
    assert [(o.number, o.done) for o in outcomes] == [(new.number, True), (theirs.number, False)]
    assert outcomes[1].message == "Tina Nowak does not work on this account."
    assert reload(theirs).assignee is None


def test_propose_needs_the_text_and_waiting_takes_it(world, three):
    new, working, theirs = three
    refused = services.cases_bulk_change(actor=world.sam, numbers=[working.number], action="propose", body=" ")
    assert [o.message for o in refused] == ["Summarise the resolution for the customer."]
    done = services.cases_bulk_change(
        actor=world.sam, numbers=[new.number, working.number], action="wait", body="Which IPs send?"
    )
    assert all(o.done for o in done)
    assert {reload(c).status for c in (new, working)} == {Case.Status.WAITING_ON_CUSTOMER}


def test_the_form_sent_twice_acts_once(client, world, three):
    new, working, theirs = three
    client.force_login(world.sam)
    token = form_token(client.get("/console/cases/?select=1"))
    data = {"cases": [new.number], "action": "wait", "body": "Logs, please.", "form_token": token}
    client.post("/console/cases/bulk/", data)
    again = client.post("/console/cases/bulk/", data, follow=True)

    assert "This form was already sent; here is what it did." in messages_of(again)
    assert CaseEvent.objects.filter(case=new, kind="status_changed").count() == 1


def test_without_the_csrf_token_nothing_happens(world, three):
    new, working, theirs = three
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.sam)
    response = browser.post("/console/cases/bulk/", {"cases": [new.number], "action": "start"})
    assert response.status_code == 403
    assert reload(new).status == Case.Status.NEW


def test_customers_cannot_reach_bulk_actions(client, world, three):
    new, working, theirs = three
    client.force_login(world.alice)
    assert client.post("/console/cases/bulk/", {"cases": [new.number], "action": "start"}).status_code == 404
    assert reload(new).status == Case.Status.NEW
