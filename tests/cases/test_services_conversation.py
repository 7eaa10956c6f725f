"""Replies, notes, callbacks, updates and attachments (cases/services/conversation.py), and what counts as a
response (MISSION NC-2, CR-2, CR-4)."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import OutboundEmail
from cases import services
from cases.models import Case, CaseAttachment, CaseEvent
from cases.services import CaseStateError
from tests.cases.conftest import open_case, reload

K = CaseEvent.Kind


def open_callback_case(world) -> Case:
    return open_case(world, severity=Case.Severity.CRITICAL, callback_requested=True, contact_phone="+48 600 100 200")


# --- what counts as a response (NC-2, CR-2, CR-4) ---------------------------------------------------


def test_a_staff_reply_stops_the_response_clock(world):
    # MISSION: NC-2
    case = open_case(world)

    t0 = timezone.now()
    services.case_reply(case=case, actor=world.sam, body="We are looking at it.")
    t1 = timezone.now()

    case = reload(case)
    assert case.response_due_at is None
    assert t0 <= case.first_responded_at <= t1
    assert case.status == Case.Status.IN_PROGRESS
    assert (case.next_deadline_at, case.sla_check_at) == (None, None)


def test_an_internal_note_is_not_a_response(world):
    case = open_case(world)
    due = case.response_due_at
    sent_before = OutboundEmail.objects.count()

    event = services.case_add_note(case=case, actor=world.sam, body="Probably the new IP pool.")

    case = reload(case)
    assert (case.response_due_at, case.first_responded_at, case.status) == (due, None, Case.Status.NEW)
    assert (event.kind, event.public) == (K.NOTE, False)
    assert OutboundEmail.objects.count() == sent_before  # nobody is emailed a note, the customer least of all


def test_customers_do_not_write_internal_notes(world):
    case = open_case(world)
    with pytest.raises(CaseStateError):
        services.case_add_note(case=case, actor=world.alice, body="Psst.")
    assert not CaseEvent.objects.filter(kind=K.NOTE).exists()


def test_the_automatic_acknowledgement_is_not_a_response(world):
    case = reload(open_case(world))

    assert case.events.filter(kind=K.ACKNOWLEDGED, actor=None).count() == 1
    assert case.first_responded_at is None and case.response_due_at is not None


def test_a_customer_reply_is_not_a_response(world):
    case = open_case(world)
    due = case.response_due_at

    services.case_reply(case=case, actor=world.alice, body="Any news?")

    case = reload(case)
    assert (case.response_due_at, case.first_responded_at) == (due, None)


def test_a_customer_writing_after_a_response_is_owed_a_new_one(world, frozen):
    frozen("2027-05-14 12:00")  # Friday, 14:00 in Warsaw
    case = open_case(world)
    services.case_reply(case=case, actor=world.sam, body="We are looking at it.")

    # Saturday 11:00 in Warsaw: Acme's default calendar (weekdays 09:00-17:00 there) is closed until Monday
    frozen("2027-05-15 09:00")
    services.case_reply(case=reload(case), actor=world.alice, body="It got worse.")

    assert reload(case).response_due_at == datetime(2027, 5, 17, 13, 0, tzinfo=ZoneInfo("Europe/Warsaw"))


def test_a_public_reply_does_not_meet_the_callback(world):
    # MISSION: CR-2 — only a logged call that reached the person does
    case = open_callback_case(world)
    due = case.callback_due_at

    services.case_reply(case=case, actor=world.sam, body="Calling you now.")

    case = reload(case)
    assert (case.callback_due_at, case.callback_done_at) == (due, None)
    assert case.next_deadline_at == due


@pytest.mark.parametrize("outcome", ["no_answer", "wrong_number"])
def test_a_call_that_reached_nobody_does_not_stop_the_callback_clock(world, outcome):
    # MISSION: CR-2
    case = open_callback_case(world)
    due = case.callback_due_at

    event = services.case_log_callback(
        case=case, actor=world.sam, called_name="Alice", called_number="+48 600 100 200", outcome=outcome
    )

    case = reload(case)
    assert (case.callback_due_at, case.callback_done_at, case.first_responded_at) == (due, None, None)
    assert case.sla_check_at == due - timedelta(minutes=5)
    assert (event.kind, event.details["outcome"], event.details["met"]) == (K.CALLBACK_LOGGED, outcome, False)


@pytest.mark.parametrize("outcome", ["reached", "voicemail"])
def test_a_call_that_reached_the_contact_meets_the_callback_and_starts_the_updates(world, outcome):
    # MISSION: CR-2, CR-4
    case = open_callback_case(world)
    called_at = timezone.now() - timedelta(minutes=1)

    event = services.case_log_callback(
        case=case,
        actor=world.sam,
        called_name="Alice Andrzejewska",
        called_number="+48 600 100 200",
        outcome=outcome,
        called_at=called_at,
    )

    case = reload(case)
    assert case.callback_done_at == called_at
    assert case.first_responded_at == called_at
    assert case.next_update_due_at == called_at + timedelta(minutes=60)
    assert (case.status, case.assignee) == (Case.Status.IN_PROGRESS, world.sam)
    assert case.next_deadline_at == case.next_update_due_at
    assert event.details | {"called_at": None} == {
        "called_name": "Alice Andrzejewska",
        "called_number": "+48 600 100 200",
        "outcome": outcome,
        "called_at": None,
        "met": True,
        "on_time": True,
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"outcome": "busy"}, "outcome"),
        ({"called_at": "in five minutes"}, "future"),
        ({"called_name": " "}, "whom you called"),
        ({"called_number": ""}, "whom you called"),
    ],
    ids=["unknown-outcome", "in-the-future", "no-name", "no-number"],
)
def test_a_callback_log_must_say_who_when_and_how_it_went(world, fields, message):
    case = open_callback_case(world)
    args = {"called_name": "Alice", "called_number": "+48 600 100 200", "outcome": "reached"} | fields
    if args.get("called_at") == "in five minutes":
        args["called_at"] = timezone.now() + timedelta(minutes=5)

    with pytest.raises(CaseStateError, match=message):
        services.case_log_callback(case=case, actor=world.sam, **args)

    assert reload(case).callback_done_at is None
    assert not CaseEvent.objects.filter(kind=K.CALLBACK_LOGGED).exists()


def test_a_structured_update_sets_the_next_one_one_interval_later(world):
    # MISSION: CR-4
    case = open_callback_case(world)
    services.case_log_callback(
        case=case, actor=world.sam, called_name="Alice", called_number="+48 600 100 200", outcome="reached"
    )

    t0 = timezone.now()
    event = services.case_post_update(
        case=reload(case), actor=world.sam, nature="Outbound queue stuck on mta-3.", expected_resolution="Within 2 h."
    )
    t1 = timezone.now()

    case = reload(case)
    assert t0 <= case.last_update_at <= t1
    assert case.next_update_due_at == case.last_update_at + timedelta(minutes=60)
    assert (event.kind, event.actor) == (K.UPDATE_POSTED, world.sam)
    assert event.details == {"nature": "Outbound queue stuck on mta-3.", "expected_resolution": "Within 2 h."}


def test_an_update_states_the_nature_and_the_expected_resolution(world):
    case = open_case(world, severity=Case.Severity.CRITICAL)
    with pytest.raises(CaseStateError, match="nature of the problem"):
        services.case_post_update(case=case, actor=world.sam, nature="Stuck queue.", expected_resolution=" ")
    assert reload(case).last_update_at is None


def test_an_update_on_a_non_critical_case_does_not_start_an_update_cadence(world):
    # The agreed update interval is a Severity 1 promise (CR-4); a non-critical case has only its response clock.
    case = open_case(world)

    services.case_post_update(case=case, actor=world.sam, nature="Config typo.", expected_resolution="Today.")

    case = reload(case)
    assert case.last_update_at is not None and case.response_due_at is None
    assert case.next_update_due_at is None
    assert case.sla_check_at is None


def test_changing_the_cadence_records_the_agreement_and_recomputes_from_the_last_update(world):
    # MISSION: CR-4 — "at agreed intervals"
    case = open_callback_case(world)
    services.case_log_callback(
        case=case, actor=world.sam, called_name="Alice", called_number="+48 600 100 200", outcome="reached"
    )
    services.case_post_update(case=reload(case), actor=world.sam, nature="Stuck queue.", expected_resolution="2 h.")
    last = reload(case).last_update_at

    services.case_change_cadence(case=reload(case), actor=world.sam, minutes=30, agreed_with="Alice, by phone")

    case = reload(case)
    assert case.update_interval == timedelta(minutes=30)
    assert case.next_update_due_at == last + timedelta(minutes=30)
    event = case.events.get(kind=K.CADENCE_CHANGED)
    assert event.actor == world.sam
    assert event.details == {"before": 60, "after": 30, "agreed_with": "Alice, by phone"}


@pytest.mark.parametrize(("minutes", "agreed_with"), [(4, "Alice"), (24 * 60 + 1, "Alice"), (30, " ")])
def test_a_cadence_needs_a_sensible_interval_and_a_person(world, minutes, agreed_with):
    case = open_case(world, severity=Case.Severity.CRITICAL)
    with pytest.raises(CaseStateError):
        services.case_change_cadence(case=case, actor=world.sam, minutes=minutes, agreed_with=agreed_with)
    assert reload(case).update_interval == timedelta(minutes=60)
    assert not CaseEvent.objects.filter(kind=K.CADENCE_CHANGED).exists()


def test_a_resolved_case_takes_no_more_replies(world):
    case = open_case(world)
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed.")
    services.case_accept_resolution(case=reload(case), actor=world.alice)

    with pytest.raises(CaseStateError, match="Reopen"):
        services.case_reply(case=reload(case), actor=world.alice, body="One more thing.")


# --- attachments ------------------------------------------------------------------------------------


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_accepted_attachments_are_stored_with_their_name_and_size(world, media):
    case = open_case(world)
    log = SimpleUploadedFile("maillog.txt", b"421 4.7.0 try again later\n" * 3)
    shot = SimpleUploadedFile("dashboard.PNG", b"\x89PNG\r\n\x1a\n" + b"0" * 40)

    event = services.case_reply(case=case, actor=world.alice, body="Logs attached.", files=[log, shot])

    rows = {a.name: a for a in CaseAttachment.objects.filter(case=case)}
    assert set(rows) == {"maillog.txt", "dashboard.PNG"}
    assert (rows["maillog.txt"].size, rows["maillog.txt"].content_type) == (78, "text/plain")
    assert (rows["dashboard.PNG"].size, rows["dashboard.PNG"].content_type) == (48, "image/png")
    assert all(a.event == event and a.uploaded_by == world.alice for a in rows.values())
    with rows["maillog.txt"].file.open("rb") as f:
        assert f.read() == b"421 4.7.0 try again later\n" * 3


def test_a_message_with_only_a_file_is_accepted(world, media):
    case = open_case(world)
    services.case_reply(case=case, actor=world.alice, body="", files=[SimpleUploadedFile("bounce.eml", b"From: x")])
    assert CaseAttachment.objects.filter(case=case).count() == 1


def refused(world, case, files, media, match):
    """Send a staff reply with ``files`` and check that nothing of it stayed, not even the stopped clock."""
    due = case.response_due_at
    events, emails = CaseEvent.objects.count(), OutboundEmail.objects.count()

    with pytest.raises(CaseStateError, match=match) as excinfo:
        services.case_reply(case=case, actor=world.sam, body="See the attached fix.", files=files)

    assert not CaseAttachment.objects.exists()
    assert stored_files(media) == []
    assert CaseEvent.objects.count() == events  # the reply event written before the check is rolled back
    assert OutboundEmail.objects.count() == emails
    case = reload(case)
    assert (case.response_due_at, case.first_responded_at, case.status) == (due, None, Case.Status.NEW)
    return str(excinfo.value)


def test_a_file_of_a_refused_type_is_refused_by_name_and_nothing_is_stored(world, media):
    case = open_case(world)
    files = [SimpleUploadedFile("notes.txt", b"fine"), SimpleUploadedFile("fix.exe", b"MZ\x90\x00")]

    message = refused(world, case, files, media, match="fix.exe")

    assert "not accepted" in message and "notes.txt" not in message


def test_a_file_over_the_size_limit_is_refused(world, media, settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 10
    case = open_case(world)

    message = refused(world, case, [SimpleUploadedFile("big.log", b"x" * 11)], media, match="big.log")

    assert "limit is 10\xa0bytes" in message


def test_an_empty_file_is_refused(world, media):
    case = open_case(world)
    refused(world, case, [SimpleUploadedFile("empty.txt", b"")], media, match="“empty.txt” is empty")


def test_more_than_ten_files_at_once_are_refused(world, media):
    case = open_case(world)
    files = [SimpleUploadedFile(f"part{n}.txt", b"data") for n in range(11)]
    refused(world, case, files, media, match="at most 10 files")


def test_a_message_needs_words_or_a_file(world):
    case = open_case(world)
    with pytest.raises(CaseStateError, match="Write a message"):
        services.case_reply(case=case, actor=world.alice, body="   ")
    assert not CaseEvent.objects.filter(kind=K.REPLY).exists()
