"""Machine-made mail (issue 15; RFC 3834): out-of-office replies, lists, bulk mail and robots never open a case.
One that answers no case is quarantined with the reason; one that threads onto a case is kept on its timeline
for staff, but never reopens it, never moves a clock and is never answered. Time is pinned."""

from datetime import UTC, datetime, timedelta

import pytest

from cases import services
from cases.email import ids, ingest
from cases.models import Case, CaseEvent, InboundMessage
from tests.cases import mail_corpus as m
from tests.cases.conftest import open_case, reload
from tests.cases.outbox import outbox
from tests.helpers import visible_text

pytestmark = pytest.mark.usefixtures("media")
T0 = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)

SIGNS = {
    "x-auto-response-suppress": ("X-Auto-Response-Suppress: All\n", None, "x-auto-response-suppress header"),
    "list-id": ("List-Id: <announce.acme.test>\n", None, "list-id header"),
    "list-unsubscribe": ("List-Unsubscribe: <mailto:leave@acme.test>\n", None, "list-unsubscribe header"),
    "precedence-junk": ("Precedence: junk\n", None, "Precedence: junk"),
    "null-return-path": ("Return-Path: <>\n", None, "null Return-Path"),
    "auto-generated": ("Auto-Submitted: auto-generated\n", None, "Auto-Submitted: auto-generated"),
}


@pytest.mark.parametrize("kind", sorted(SIGNS))
def test_machine_made_mail_answering_no_case_is_quarantined_with_the_reason(world, frozen, kind):
    frozen(T0)
    extra, envelope, reason = SIGNS[kind]
    outcome = ingest.receive(m.plain(extra=extra, subject="Weekly digest"), envelope_sender=envelope)

    message = InboundMessage.objects.get()
    assert (outcome.result, message.status) == ("quarantined", "quarantined")
    assert reason in str(message.reason)
    assert not Case.objects.exists() and not outbox().exists()


def test_an_out_of_office_answering_no_case_is_quarantined_not_ignored(world, frozen):
    frozen(T0)
    outcome = ingest.receive(m.gmail_vacation())
    assert outcome.result == "quarantined"
    assert str(outcome.reason).startswith("automatic reply (out of office or vacation): ")


def our_mail(case) -> str:
    return ids.message_id(case.pk, "e3-en-c")


def test_an_out_of_office_on_a_resolved_case_stays_on_its_timeline_and_reopens_nothing(client, world, frozen):
    frozen(T0)
    case = open_case(world)
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed.")
    services.case_accept_resolution(case=case, actor=world.alice)
    outbox().all().delete()
    frozen(T0 + timedelta(hours=1))

    outcome = ingest.receive(m.outlook_oof(in_reply_to=our_mail(case)))

    case = reload(case)
    note = case.events.get(kind=CaseEvent.Kind.NOTE)
    assert (outcome.result, case.status) == ("appended", Case.Status.RESOLVED)
    assert (note.public, note.actor, note.details["from_address"]) == (False, None, "arthur@acme.test")
    assert not outbox().exists()  # nobody is told, so no robot answers a robot
    client.force_login(world.alice)
    assert "urlopie" not in visible_text(client.get(case.get_absolute_url()))  # staff only
    client.force_login(world.sam)
    assert "urlopie" in visible_text(client.get(f"/console/cases/{case.number}/"))


def test_machine_mail_on_an_open_case_moves_no_clock(world, frozen):
    frozen(T0)
    case = open_case(world)
    services.case_wait_on_customer(case=case, actor=world.sam)  # the clock pauses (MISSION: NC-3)
    before = Case.objects.filter(pk=case.pk).values().get()
    outbox().all().delete()
    frozen(T0 + timedelta(minutes=30))

    raw = m.plain(subject=f"Re: [{case.number}] x", extra="Auto-Submitted: auto-generated\n", message_id="<r@a>")
    outcome = ingest.receive(raw)

    after = Case.objects.filter(pk=case.pk).values().get()
    before.pop("updated_at"), after.pop("updated_at")
    assert outcome.result == "appended"
    assert after == before  # still waiting on the customer, the paused clock kept, no deadline restarted
    assert not outbox().exists()
