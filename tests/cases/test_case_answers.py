"""What people write counts (issue 15): a customer's reply to a proposed resolution is a rejection with that
text as the reason (portal and email); a staff message asking for information is the first response and
makes its author the owner; the customer's timeline shows statuses in words, never codes."""

from datetime import UTC, datetime, timedelta

import pytest

from cases import services
from cases.email import ingest
from cases.models import Case, CaseEvent
from tests.cases import mail_corpus as m
from tests.cases.conftest import open_case, reload
from tests.helpers import messages_of, visible_text

T0 = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)
K = CaseEvent.Kind

pytestmark = pytest.mark.usefixtures("media")


def proposed(world, **kw) -> Case:
    case = open_case(world, **kw)
    services.case_start_work(case=case, actor=world.sam)
    return services.case_propose_resolution(case=case, actor=world.sam, summary="Relay fixed.")


# --- 3. a reply to a proposal is a rejection ----------------------------------------------------------------


def test_a_customer_writing_back_to_a_proposal_in_the_portal_rejects_it(client, world, frozen):
    # MISSION: NC-5, CR-5 — the case no longer sits "Resolution proposed" with a hidden clock
    frozen(T0)
    case = proposed(world, critical=True)
    assert reload(case).status == Case.Status.RESOLUTION_PROPOSED
    frozen(T0 + timedelta(minutes=10))

    client.force_login(world.alice)
    response = client.post(f"{case.get_absolute_url()}reply/", {"body": "Still bouncing from Gmail."})

    assert response.status_code == 302
    assert messages_of(client.get(response["Location"])) == ["Your message is on the case, which is back in progress."]
    case = reload(case)
    assert case.status == Case.Status.IN_PROGRESS and case.resolution_proposed_at is None
    rejection = case.events.get(kind=K.RESOLUTION_REJECTED)
    assert (rejection.actor, rejection.body, rejection.public) == (world.alice, "Still bouncing from Gmail.", True)
    assert not case.events.filter(kind=K.REPLY).exists()
    # the clocks run again: a response is owed in 15 minutes, and updates at the agreed interval
    assert case.response_due_at == T0 + timedelta(minutes=25)
    assert case.next_update_due_at == T0 + timedelta(minutes=70)
    page = visible_text(client.get(case.get_absolute_url()))
    assert "Resolution rejected" in page and "Still bouncing from Gmail." in page
    assert "We propose that this case is resolved" not in page


def test_a_customer_writing_back_to_a_proposal_by_email_rejects_it(world):
    case = proposed(world)  # ACME-000001, which the corpus's replies name
    assert case.number == "ACME-000001"

    outcome = ingest.receive(m.gmail_reply())

    assert outcome.result == "appended"
    case = reload(case)
    assert case.status == Case.Status.IN_PROGRESS
    rejection = case.events.get(kind=K.RESOLUTION_REJECTED)
    assert rejection.actor == world.alice and rejection.body.startswith("Hi,\n\nthe bounces stopped")
    assert rejection.details["quoted"].startswith("On Tue, 24 Nov 2026")
    assert case.response_due_at is not None


def test_a_contact_without_a_login_rejects_by_email_too(world):
    case = proposed(world)

    event = services.case_reply(case=case, actor=None, body="No, still broken.", from_address="ops@acme.test")

    assert (event.kind, event.actor, event.details["from_address"]) == (K.RESOLUTION_REJECTED, None, "ops@acme.test")
    assert reload(case).status == Case.Status.IN_PROGRESS


def test_staff_writing_to_a_proposed_case_leaves_the_proposal_standing(world):
    case = proposed(world)
    services.case_reply(case=case, actor=world.sam, body="Let us know if it holds.")
    assert reload(case).status == Case.Status.RESOLUTION_PROPOSED


# --- 5. asking for information is a response; statuses in words -------------------------------------------


def test_asking_the_customer_for_information_is_the_first_response_and_assigns_its_author(world, frozen):
    # MISSION: NC-2, NC-4
    frozen(T0)
    case = open_case(world)
    assert case.assignee is None and case.first_responded_at is None
    frozen(T0 + timedelta(minutes=20))

    services.case_wait_on_customer(case=case, actor=world.sam, body="Please send the bounce headers.")

    case = reload(case)
    assert case.status == Case.Status.WAITING_ON_CUSTOMER
    assert case.first_responded_at == T0 + timedelta(minutes=20)
    assert case.assignee == world.sam
    assert (case.response_due_at, case.response_paused_remaining, case.next_deadline_at) == (None, None, None)


def test_the_customer_timeline_shows_statuses_in_words(client, world):
    case = open_case(world)
    services.case_start_work(case=case, actor=world.sam)
    services.case_wait_on_customer(case=case, actor=world.sam, body="Please send the bounce headers.")

    client.force_login(world.alice)
    page = visible_text(client.get(case.get_absolute_url()))
    assert "New status: In progress" in page
    assert "New status: Waiting on the customer" in page
    assert "in_progress" not in page and "waiting_on_customer" not in page

    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    page = visible_text(client.get(case.get_absolute_url()))
    assert "Nowy status: W toku" in page and "in_progress" not in page
