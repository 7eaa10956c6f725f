"""Staff answering our emails by email (issue 12, item 3): what staff write outside the customer's thread is an
internal note, never a public reply. A staff-only notification (case opened, deadline warning, breach
escalation: the copy rendered for staff, its signed Message-ID tagged ``-s``) says so in the reader's
language; a reply to it becomes a note by that staff member that stops no clock and reaches no customer.
Only a reply in the customer's own thread (our customer copy, tagged ``-c``) is a public reply.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from accounts.models import OutboundEmail
from cases import services
from cases.email import ids, ingest
from cases.models import Case, CaseEvent, InboundMessage
from cases.services import sla_sweep
from tests.cases import mail_corpus as m
from tests.cases.conftest import open_case
from tests.cases.mta import pipe
from tests.cases.outbox import outbox
from tests.helpers import text

T = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Warsaw: Acme's support hours
TINAS_ANSWER = "why did nobody pick this up? Alice is already annoyed"
STAFF_ONLY_EN = "This email went to staff only. A reply to it is added to the case as an internal note"
STAFF_ONLY_PL = "Ta wiadomość trafiła tylko do zespołu. Odpowiedź na nią zostanie dodana do zgłoszenia jako notatka"


pytestmark = pytest.mark.usefixtures("media")  # tests/cases/conftest.py


@pytest.fixture
def breached(world) -> tuple[Case, OutboundEmail]:
    """Alice's case, whose response deadline passed: the sweep escalated it to the TAMs (MISSION TAM-4).
    Returns the case and the breach escalation as it sits in the outbox for Tina."""
    case = open_case(world, now=T)
    sla_sweep(now=case.response_due_at + timedelta(seconds=1))
    [escalation] = emails_to(world.tina.email, "case.sla_breach")
    return Case.objects.get(pk=case.pk), escalation


def emails_to(address: str, kind: str | None = None) -> list[OutboundEmail]:
    rows = outbox().filter(kind=kind) if kind else outbox().all()
    return [row for row in rows.order_by("id") if address in row.to]


def reply_to(row: OutboundEmail, *, frm: str, body: str, message_id: str = "<answer-1@mail.test>", **kw) -> bytes:
    """A mail client's reply to one of our emails: its Message-ID in In-Reply-To, the thread in References."""
    mid = row.headers["Message-ID"]
    return m.plain(
        frm=frm,
        subject=f"Re: {row.subject}",
        body=body,
        message_id=message_id,
        in_reply_to=mid,
        references=f"{row.headers['References']} {mid}",
        **kw,
    )


def clocks(case: Case) -> dict:
    fields = ["status", "response_due_at", "first_responded_at", "callback_due_at", "next_update_due_at"]
    return Case.objects.filter(pk=case.pk).values(*fields).get()


def test_a_tams_reply_to_her_breach_escalation_is_an_internal_note_and_never_reaches_alice(
    client, world, monkeypatch, breached
):
    # MISSION: TAM-4, NC-4 — the escalation is the TAM's; only staff see what she says about it.
    case, escalation = breached
    to_alice, before = len(emails_to("alice@acme.test")), clocks(case)

    outcome = pipe(monkeypatch, reply_to(escalation, frm="Tina Nowak <tina@tam.test>", body=TINAS_ANSWER))

    assert (outcome["result"], outcome["case"]) == ("appended", case.number)
    note = case.events.get(kind=CaseEvent.Kind.NOTE)
    assert (note.actor, note.public, note.body) == (world.tina, False, TINAS_ANSWER)
    assert not case.events.filter(kind=CaseEvent.Kind.REPLY).exists()
    assert len(emails_to("alice@acme.test")) == to_alice
    assert not outbox().filter(body__contains=TINAS_ANSWER).exists()  # nobody at all is emailed it
    assert clocks(case) == before  # the response clock still runs: nobody answered Alice
    assert before["response_due_at"] is not None and before["first_responded_at"] is None
    message = InboundMessage.objects.get()
    assert (message.status, message.case, message.event) == ("processed", case, note)

    client.force_login(world.alice)
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200 and "Alice is already annoyed" not in text(page)
    client.force_login(world.tom)
    assert "Alice is already annoyed" in text(client.get(reverse("staff-case", kwargs={"number": case.number})))


def test_a_reply_to_the_staff_copy_of_a_critical_case_stops_no_clock(world, monkeypatch):
    # MISSION: CR-2, CR-4 — the callback and update clocks are the customer's; a note between staff is not a call.
    case = open_case(world, critical=True, callback=True, now=T)
    [opened] = emails_to(world.tina.email, "case.opened")
    before = clocks(case)
    pipe(monkeypatch, reply_to(opened, frm=world.tina.email, body="I'll call them myself."))
    assert clocks(case) == before and before["callback_due_at"] is not None
    assert case.events.get(kind=CaseEvent.Kind.NOTE).actor == world.tina
    assert not outbox().filter(kind="case.reply").exists()


def test_staff_only_notifications_say_a_reply_stays_internal_in_the_readers_language(world):
    world.tom.language = "pl"
    world.tom.save(update_fields=["language"])
    case = open_case(world, now=T)
    sla_sweep(now=case.response_due_at + timedelta(seconds=1))
    to_tina, to_tom = (emails_to(person.email, "case.sla_breach") for person in (world.tina, world.tom))
    assert [STAFF_ONLY_EN in row.body and STAFF_ONLY_EN in row.html_body for row in to_tina] == [True]
    assert [STAFF_ONLY_PL in row.body and STAFF_ONLY_PL in row.html_body for row in to_tom] == [True]
    # The customer's copies still invite a reply, and never mention staff.
    services.case_reply(case=case, actor=world.sam, body="We are on it.")
    [to_alice] = outbox().filter(kind="case.reply", to=["alice@acme.test"])
    assert "Reply to this email to add to the case." in to_alice.html_body
    assert STAFF_ONLY_EN not in to_alice.body + to_alice.html_body
    assert ids.audience_of(to_alice.headers["Message-ID"]) == ids.CUSTOMER_COPY


def test_a_staff_reply_in_the_customers_own_thread_is_a_public_reply(world, monkeypatch):
    """Alice answered our email and Cc'd Tina; Tina answers everyone: the thread is the customer's."""
    case = open_case(world, now=T)
    ack = outbox().get(kind="case.acknowledged")
    alices = "<alice-2@acme.test>"
    raw = m.plain(
        frm=world.tina.email,
        subject=f"Re: {ack.subject}",
        body="We have found it: the relay. Fixed now.",
        message_id="<tina-2@tam.test>",
        in_reply_to=alices,
        references=f"{ack.headers['References']} {ack.headers['Message-ID']} {alices}",
    )
    assert pipe(monkeypatch, raw)["result"] == "appended"
    reply = case.events.get(kind=CaseEvent.Kind.REPLY)
    assert (reply.actor, reply.public) == (world.tina, True)
    assert clocks(case)["first_responded_at"] is not None
    assert outbox().filter(kind="case.reply", to=["alice@acme.test"]).exists()


@pytest.mark.parametrize("thread", ["subject-token", "thread-root"])
def test_staff_mail_that_does_not_answer_the_customers_email_is_a_note(world, monkeypatch, thread):
    """No Message-ID of a customer copy: nothing shows the customer was being answered, so it stays internal."""
    case = open_case(world, now=T)
    root = ids.thread_root(case.pk)
    threading = {"in_reply_to": root, "references": root} if thread == "thread-root" else {}
    raw = m.plain(frm=world.tina.email, subject=f"Re: [{case.number}] x", body=TINAS_ANSWER, **threading)
    assert pipe(monkeypatch, raw)["result"] == "appended"
    assert case.events.get(kind=CaseEvent.Kind.NOTE).actor == world.tina
    assert not case.events.filter(kind=CaseEvent.Kind.REPLY).exists()
    assert clocks(case)["first_responded_at"] is None


def test_a_customer_answering_a_staff_notification_forwarded_to_her_is_quarantined(
    client, world, monkeypatch, breached
):
    case, escalation = breached
    events = case.events.count()
    outcome = pipe(monkeypatch, reply_to(escalation, frm=m.ALICE, body="Who is annoyed?"))
    assert outcome == {
        "result": "quarantined",
        "case": None,
        "reason": f"answers an email about {case.number} that went to staff only",
    }
    assert case.events.count() == events
    message = InboundMessage.objects.get()
    assert message.account == world.acme  # only Acme's staff (and agents) read it
    client.force_login(world.tina)
    assert str(message.pk) in text(client.get("/console/inbound/"))
    # Staff may still put it on the case: it is Alice's own reply, never anything written by staff.
    client.post(f"/console/inbound/{message.pk}/assign/", {"account": "acme", "case": case.number})
    reply = case.events.get(kind=CaseEvent.Kind.REPLY)
    assert (reply.actor, reply.details["from_address"], reply.body) == (None, "alice@acme.test", "Who is annoyed?")


def test_a_tam_of_another_account_answering_a_forwarded_escalation_reaches_nothing(world, monkeypatch, breached):
    case, escalation = breached
    events = case.events.count()
    outcome = pipe(monkeypatch, reply_to(escalation, frm=world.tess.email, body="Not mine."))
    assert outcome["result"] == "quarantined"
    assert case.events.count() == events


def test_a_reply_to_the_escalation_of_a_resolved_case_is_a_note_and_the_case_stays_resolved(
    world, monkeypatch, breached
):
    case, escalation = breached
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed.")
    case = services.case_accept_resolution(case=Case.objects.get(pk=case.pk), actor=world.alice)
    pipe(monkeypatch, reply_to(escalation, frm=world.tina.email, body=TINAS_ANSWER))
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED
    assert case.events.get(kind=CaseEvent.Kind.NOTE).body == TINAS_ANSWER
    assert Case.objects.count() == 1


def test_a_forged_staff_from_is_quarantined_and_staff_who_assign_it_make_a_note(
    client, world, monkeypatch, breached, settings
):
    """With our MTA's verdict required, an unverified Tina is quarantined; assigning it never makes it public."""
    settings.INBOUND_AUTHSERV_ID = "mx.portal.test"
    case, escalation = breached
    forged = reply_to(
        escalation,
        frm=world.tina.email,
        body="Close it, all fine.",
        extra="Authentication-Results: mx.portal.test; dkim=none; dmarc=fail header.from=tam.test\n",
    )
    outcome = pipe(monkeypatch, forged)
    assert outcome["result"] == "quarantined" and "not verified" in outcome["reason"]
    assert not case.events.filter(kind__in=[CaseEvent.Kind.NOTE, CaseEvent.Kind.REPLY]).exists()
    client.force_login(world.tom)
    message = InboundMessage.objects.get()
    client.post(f"/console/inbound/{message.pk}/assign/", {"account": "acme", "case": case.number})
    assert not case.events.filter(kind=CaseEvent.Kind.REPLY).exists()
    note = case.events.get(kind=CaseEvent.Kind.NOTE)
    assert (note.actor, note.public) == (world.tina, False)


def test_staff_mail_assigned_without_a_case_opens_nothing(client, world):
    ingest.receive(m.plain(frm=world.tina.email, subject="Acme's bounces", body=TINAS_ANSWER))
    message = InboundMessage.objects.get()
    client.force_login(world.tina)
    client.post(f"/console/inbound/{message.pk}/assign/", {"account": "acme"})
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.QUARANTINED
    assert "choose a case" in str(message.reason)
    assert not Case.objects.exists()


def test_a_staff_copy_cannot_be_passed_off_as_a_customer_copy(world, breached):
    _, escalation = breached
    mid = escalation.headers["Message-ID"]
    assert mid.count("-s.") == 1
    tampered = mid.replace("-s.", "-c.")
    assert (ids.audience_of(tampered), ids.case_id_from(tampered)) == (None, None)
    assert ids.audience_of(ids.thread_root(1)) is None
    assert ids.audience_of("<c1.e2-en-s.0123456789abcdef0123@elsewhere.test>") is None
