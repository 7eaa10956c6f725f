"""Descriptions, replies and notes have a length limit (issue 15): the portal refuses a longer text with a clear
error in the reader's language and keeps what was typed; an email is never refused for it: its text is cut on
the timeline, with a note, and kept whole as an attachment."""

import pytest

from cases import limits, services
from cases.email import ingest
from cases.models import Case, CaseEvent
from tests.cases import mail_corpus as m
from tests.cases.conftest import case_snapshot, open_case, refusal
from tests.helpers import element_text, visible_text

pytestmark = pytest.mark.usefixtures("media")
LONG = "Bounce log line.\n" * (limits.TEXT_MAX // 10)  # 34,000 characters (33,999 once the last newline is trimmed)


def test_an_over_long_reply_is_refused_with_a_clear_error_and_nothing_is_saved(client, world):
    case = open_case(world)
    before = case_snapshot(case)
    client.force_login(world.alice)

    response = client.post(f"/a/acme/cases/{case.number}/reply/", {"body": LONG})

    assert refusal(response) == [
        "This text is 33,999 characters long; the limit is 20,000. Shorten it, or attach the long part "
        "(a log, a trace) as a file."
    ]
    assert case_snapshot(case) == before


def test_the_error_is_polish_for_a_polish_reader(client, world):
    case = open_case(world)
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    client.force_login(world.alice)

    response = client.post(f"/a/acme/cases/{case.number}/reply/", {"body": LONG})

    assert "limit to 20,000" in " ".join(refusal(response))


def test_an_over_long_description_is_refused_on_the_form_and_kept(client, world):
    client.force_login(world.alice)
    data = {"severity": "non_critical", "category": "bug", "subject": "Logs", "description": LONG}

    response = client.post("/a/acme/cases/new/", data)

    assert "the limit is 20,000" in visible_text(response)
    assert LONG.splitlines()[0] in response.content.decode()  # what was typed is still in the form
    assert not Case.objects.exists()


def test_every_other_caller_is_refused_by_the_service(world):
    case = open_case(world)
    with pytest.raises(services.CaseStateError, match="the limit is 20,000"):
        services.case_reply(case=case, actor=world.sam, body=LONG)
    with pytest.raises(services.CaseStateError, match="the limit is 20,000"):
        open_case(world, description=LONG)


def test_an_over_long_email_opens_its_case_with_the_whole_text_attached(client, world):
    outcome = ingest.receive(m.plain(body=LONG.replace("\n", "\r\n"), subject="Huge log"))

    case = Case.objects.get(number=outcome.case)
    opened = case.events.get(kind=CaseEvent.Kind.OPENED)
    whole = case.attachments.get(name=limits.FULL_TEXT_NAME)
    assert outcome.result == "created"
    assert len(case.description) <= limits.TEXT_MAX and case.description.endswith("[…]")
    assert whole.file.read().decode().replace("\r\n", "\n").strip() == LONG.strip()  # nothing lost
    client.force_login(world.alice)
    page = client.get(case.get_absolute_url()).content.decode()
    assert element_text(page, "text-cut") == (
        "This email was longer than the portal shows: its whole text is attached as full-message.txt."
    )
    assert opened.details["text_cut"] == limits.FULL_TEXT_NAME


def test_an_over_long_emailed_reply_is_added_cut_with_the_whole_text_attached(world):
    case = open_case(world)
    outcome = ingest.receive(m.plain(subject=f"Re: [{case.number}] logs", body=LONG, message_id="<long@a>"))

    reply = case.events.get(kind=CaseEvent.Kind.REPLY)
    assert outcome.result == "appended"
    assert reply.details["text_cut"] == limits.FULL_TEXT_NAME
    assert [a.name for a in reply.attachments.all()] == [limits.FULL_TEXT_NAME]
