"""What staff see and do: the queue sorted by what is about to breach, the case with its actions, the
Severity 1 intake form and the on-call rota (MISSION CR-1..CR-5, NC-2..NC-5, TAM-4). Who may open
which page at all is the matrix in test_views.py."""

import re
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, OnCallShift, PhoneIntake
from tests.cases.conftest import PHONE, case_snapshot, open_case, refusal
from tests.cases.factories import CaseFactory, OnCallShiftFactory
from tests.cases.outbox import outbox
from tests.helpers import HTMX, WARSAW, messages_of, text, visible_text

QUEUE_MAX_QUERIES = 5  # session, user, count, page, the saved views (full page only): never per case


def queue_numbers(response) -> list[str]:
    tbody = re.search(r"<tbody>(.*?)</tbody>", text(response), flags=re.S).group(1)
    return re.findall(r'<a href="/console/cases/[^/]+/">([^<]+)</a>', tbody)


# --- the queue ----------------------------------------------------------------------------------------


def test_the_queue_sorts_by_the_next_deadline_with_no_deadline_last(client, world):
    now = timezone.now()
    dues = [now + timedelta(hours=5), None, now - timedelta(minutes=3), now + timedelta(minutes=10), None]
    for i, due in enumerate(dues):
        CaseFactory(account=world.acme, number=f"Q-{i}", status=Case.Status.IN_PROGRESS, next_deadline_at=due)
    CaseFactory(account=world.globex, number="Q-globex", next_deadline_at=now + timedelta(hours=1))
    CaseFactory(account=world.acme, number="Q-resolved", status=Case.Status.RESOLVED)
    Case.objects.filter(number="Q-4").update(created_at=now - timedelta(days=1))  # among no deadline: newest first
    client.force_login(world.sam)

    response = client.get("/console/cases/")

    assert queue_numbers(response) == ["Q-2", "Q-3", "Q-globex", "Q-0", "Q-1", "Q-4"]
    far = now + timedelta(days=3650)
    rows = Case.objects.open().values_list("number", "next_deadline_at", "created_at")
    by_deadline = sorted(rows, key=lambda r: (r[1] or far, -r[2].timestamp()))
    assert queue_numbers(response) == [number for number, _, _ in by_deadline]


def test_a_tam_sees_the_queue_of_her_accounts_only(client, world):
    open_case(world, subject="Acme's problem")
    open_case(world, actor=world.bob, account=world.globex, subject="Globex's problem")

    client.force_login(world.tina)
    assert queue_numbers(client.get("/console/cases/")) == ["ACME-000001"]
    client.force_login(world.tess)
    assert queue_numbers(client.get("/console/cases/")) == ["GLOBEX-000001"]


@pytest.mark.parametrize(
    ("view", "expected"),
    [("", ["late", "mine", "free"]), ("mine", ["mine"]), ("unassigned", ["late", "free"]), ("breached", ["late"])],
)
def test_the_queue_views(client, world, view, expected):
    now = timezone.now()
    CaseFactory(account=world.acme, number="late", next_deadline_at=now - timedelta(minutes=1))
    CaseFactory(account=world.acme, number="mine", assignee=world.sam, next_deadline_at=now + timedelta(minutes=5))
    CaseFactory(account=world.acme, number="free", next_deadline_at=now + timedelta(minutes=50))
    client.force_login(world.sam)

    response = client.get(f"/console/cases/?view={view}")
    assert queue_numbers(response) == expected


def test_htmx_gets_only_the_queue_table(client, world):
    open_case(world, critical=True, callback=True)
    client.force_login(world.sam)
    body = text(client.get("/console/cases/?view=unassigned", headers=HTMX)).strip()

    assert body.startswith('<div id="queue-table"')
    assert "<html" not in body and 'class="filters"' not in body
    assert "ACME-000001" in body and "Callback due" in body


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_the_queue_runs_the_same_queries_for_5_or_60_cases(client, world, django_assert_max_num_queries, headers):
    now = timezone.now()

    def add(n):
        for i in range(n):
            CaseFactory(
                account=world.acme if i % 2 else world.globex,
                assignee=world.sam if i % 3 else world.tina,
                status=Case.Status.IN_PROGRESS,
                next_deadline_at=now + timedelta(minutes=i),
                response_due_at=now + timedelta(minutes=i),
            )

    def drawn(bound):  # drawn afresh, not from the panel cache: also the accounts reached (the key), 3 at most
        client.get("/console/cases/", headers=headers)
        cache.clear()
        with django_assert_max_num_queries(bound) as captured:
            response = client.get("/console/cases/", headers=headers)
        return len(captured.captured_queries), response

    client.force_login(world.sam)
    add(5)
    small, _ = drawn(QUEUE_MAX_QUERIES + 3)
    add(55)
    large, response = drawn(QUEUE_MAX_QUERIES + 3)

    assert large == small
    assert len(queue_numbers(response)) == 50
    assert "Page 1 of 2" in visible_text(response)


# --- the staff case page and its actions --------------------------------------------------------------


def act(client, case, action, data=None, **headers):
    return client.post(f"/console/cases/{case.number}/{action}/", data or {}, headers=headers)


def done(client, response, case) -> list[str]:
    """A successful action: back to the staff case page, which shows what happened."""
    assert response.status_code == 302, messages_of(response)
    assert response["Location"] == f"/console/cases/{case.number}/"
    case.refresh_from_db()
    return messages_of(client.get(response["Location"]))


@pytest.fixture
def critical(world):
    """Alice's critical case, asking for a call back: the 15-minute clock runs."""
    return open_case(world, critical=True, callback=True, subject="No mail leaves our platform")


@pytest.fixture
def sam(client, world):
    client.force_login(world.sam)
    return client


def test_the_staff_case_page_shows_the_contact_and_the_callback_due(sam, world, critical):
    page = visible_text(sam.get(f"/console/cases/{critical.number}/"))
    assert "No mail leaves our platform" in page and "Alice Andrzejewska" in page and PHONE in page
    assert "Callback due" in page and "Log a callback" in page
    assert 'hx-get="/console/cases/ACME-000001/?seen=new"' in text(sam.get(f"/console/cases/{critical.number}/"))
    fragment = text(sam.get(f"/console/cases/{critical.number}/", headers=HTMX)).strip()
    assert fragment.startswith('<div id="case-panel"') and "<html" not in fragment


def test_sam_replies(sam, world, critical):
    messages = done(sam, act(sam, critical, "reply", {"body": "We are looking at it."}), critical)
    reply = critical.events.get(kind=CaseEvent.Kind.REPLY)
    assert messages == ["Reply sent to the customer."]
    assert (reply.actor, reply.public, reply.body) == (world.sam, True, "We are looking at it.")
    assert critical.status == Case.Status.IN_PROGRESS and critical.first_responded_at is not None


def test_sam_adds_an_internal_note(sam, world, critical):
    assert done(sam, act(sam, critical, "note", {"body": "Suspect node mx-7."}), critical) == ["Internal note added."]
    note = critical.events.get(kind=CaseEvent.Kind.NOTE)
    assert (note.public, note.body) == (False, "Suspect node mx-7.")
    assert critical.first_responded_at is None  # a note is not a response


def test_sam_assigns_the_case(sam, world, critical):
    assert done(sam, act(sam, critical, "assign", {"assignee": world.tina.pk}), critical) == ["Assignment saved."]
    assert critical.assignee == world.tina
    assert done(sam, act(sam, critical, "assign", {"assignee": ""}), critical) == ["Assignment saved."]
    assert critical.assignee is None


def test_sam_logs_the_callback(sam, world, critical):
    data = {"called_name": "Alice", "called_number": PHONE, "outcome": "reached", "notes": "Since 9:00."}
    assert done(sam, act(sam, critical, "callback", data), critical) == ["Callback logged."]
    assert critical.callback_done_at is not None and not critical.callback_pending
    assert critical.assignee == world.sam
    assert critical.next_update_due_at == critical.callback_done_at + timedelta(minutes=60)
    event = critical.events.get(kind=CaseEvent.Kind.CALLBACK_LOGGED)
    assert event.details["outcome"] == "reached" and event.details["on_time"] is True


def test_a_call_nobody_answered_does_not_stop_the_callback_clock(sam, world, critical):
    data = {"called_name": "Alice", "called_number": PHONE, "outcome": "no_answer"}
    assert done(sam, act(sam, critical, "callback", data), critical) == ["Callback logged."]
    assert critical.callback_pending
    assert "Callback due" in visible_text(sam.get(f"/console/cases/{critical.number}/"))


def test_sam_posts_a_status_update(sam, world, critical):
    data = {"nature": "A faulty MTA node", "expected_resolution": "by 14:30 CET", "body": "Replacing it."}
    before = timezone.now()
    messages = done(sam, act(sam, critical, "update", data), critical)

    assert messages == ["Update posted; the next one is due in 60 minutes."]
    assert critical.last_update_at >= before
    assert critical.next_update_due_at == critical.last_update_at + timedelta(minutes=60)
    event = critical.events.get(kind=CaseEvent.Kind.UPDATE_POSTED)
    assert event.details == {"nature": "A faulty MTA node", "expected_resolution": "by 14:30 CET"}


def test_sam_records_an_agreed_update_interval(sam, world, critical):
    services.case_post_update(case=critical, actor=world.sam, nature="x", expected_resolution="y")
    data = {"minutes": 30, "agreed_with": "Alice, by phone"}
    assert done(sam, act(sam, critical, "cadence", data), critical) == ["New update interval recorded."]
    assert critical.update_interval == timedelta(minutes=30)
    assert critical.next_update_due_at == critical.last_update_at + timedelta(minutes=30)


def test_sam_records_the_workaround(sam, world, critical):
    messages = done(sam, act(sam, critical, "workaround", {"body": "Route via mx-2."}), critical)
    assert messages == ["Workaround recorded."]
    assert critical.workaround_delivered_at is not None
    assert "Workaround delivered" in visible_text(sam.get(f"/console/cases/{critical.number}/"))


def test_sam_starts_work_then_waits_on_the_customer(sam, world):
    case = open_case(world)
    assert done(sam, act(sam, case, "start"), case) == ["The case is in progress."]
    assert (case.status, case.assignee) == (Case.Status.IN_PROGRESS, world.sam)

    messages = done(sam, act(sam, case, "wait", {"body": "Send the headers."}), case)
    assert messages == ["Waiting on the customer; the response clock is paused."]
    assert case.status == Case.Status.WAITING_ON_CUSTOMER
    # MISSION: NC-2 — asking the customer for information is the response: no clock is left paused
    assert case.response_due_at is None and case.response_paused_remaining is None
    assert case.first_responded_at is not None


def test_proposing_then_only_a_tam_records_agreement(sam, client, world, critical):
    assert done(sam, act(sam, critical, "propose", {"body": "Node replaced."}), critical) == [
        "Resolution proposed to the customer."
    ]
    assert critical.status == Case.Status.RESOLUTION_PROPOSED
    before = case_snapshot(critical)

    refused = act(sam, critical, "agreement", {"body": "Alice agreed by phone at 10:02."})
    assert refusal(refused) == ["Only the account's TAM can record the customer's agreement."]
    assert case_snapshot(critical) == before
    assert "Record agreement given by phone" not in text(refused)  # not offered to an agent

    client.force_login(world.tina)
    assert "Record agreement given by phone" in text(client.get(f"/console/cases/{critical.number}/"))
    messages = done(client, act(client, critical, "agreement", {"body": "Alice agreed by phone at 10:02."}), critical)
    assert messages == ["Agreement recorded; the case is resolved."]
    assert critical.status == Case.Status.RESOLVED
    assert critical.events.filter(kind=CaseEvent.Kind.AGREEMENT_RECORDED, actor=world.tina).exists()


def test_sam_reopens_a_resolved_case(sam, world, critical):
    services.case_propose_resolution(case=critical, actor=world.sam, summary="Fixed.")
    services.case_accept_resolution(case=critical, actor=world.alice)
    assert done(sam, act(sam, critical, "reopen", {"body": "It is back."}), critical) == ["The case is reopened."]
    assert critical.status == Case.Status.IN_PROGRESS and critical.resolved_at is None


def test_the_staff_panel_is_read_only_and_says_when_the_actions_are_behind(sam, world, critical):
    """The staff page's polled panel holds no form; the actions beside it are drawn once. (Replaces a test
    that pinned an HX-Trigger on a redirect: htmx ignores it, and no form on the page sent it.)"""
    url = f"/console/cases/{critical.number}/"
    panel = text(sam.get(f"{url}?seen=new", headers=HTMX))
    assert "<form" not in panel and "<textarea" not in panel and 'data-testid="case-changed"' not in panel
    services.case_start_work(case=critical, actor=world.sam)
    behind = sam.get(f"{url}?seen=new", headers=HTMX)
    assert "<form" not in text(behind) and "the actions on this page were drawn before that" in visible_text(behind)
    assert "HX-Trigger" not in act(sam, critical, "note", {"body": "x"}, **HTMX)  # a plain form: post, redirect


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("reply", {"body": " "}, "Write a message or attach a file."),
        ("note", {"body": ""}, "Internal note (never shown to the customer): This field is required."),
        ("assign", {"assignee": "ALICE"}, "Assigned agent: Select a valid choice."),
        ("callback", {"called_name": "Alice", "called_number": PHONE}, "Outcome: This field is required."),
        (
            "callback",
            {"called_name": "Alice", "called_number": PHONE, "outcome": "reached", "called_at": "2099-01-01T10:00"},
            "A callback cannot be logged in the future.",
        ),
        ("update", {"nature": "A faulty node"}, "Expected time to resolution: This field is required."),
        ("cadence", {"minutes": 2, "agreed_with": "Alice"}, "Ensure this value is greater than or equal to 5."),
        ("cadence", {"minutes": 30}, "Agreed with: This field is required."),
        ("workaround", {"body": ""}, "Describe the workaround."),
        ("propose", {"body": " "}, "Summarise the resolution for the customer."),
        ("reopen", {"body": "Because"}, "Only a resolved case can be reopened."),
        ("agreement", {"body": "x"}, "Only the account's TAM can record the customer's agreement."),
    ],
)
def test_a_refused_staff_action_shows_why_and_changes_nothing(sam, world, critical, action, data, message):
    if data.get("assignee") == "ALICE":
        data = {"assignee": world.alice.pk}  # not staff: not a choice
    before = case_snapshot(critical)
    response = act(sam, critical, action, data)

    assert any(message in m for m in refusal(response)), messages_of(response)
    assert case_snapshot(critical) == before


def test_a_refused_update_keeps_what_was_typed(sam, world, critical):
    response = act(sam, critical, "update", {"nature": "Node mx-7 drops TLS sessions"})
    assert response.status_code == 400
    assert "Node mx-7 drops TLS sessions</textarea>" in text(response)


def test_an_unknown_staff_action_is_a_404(sam, world, critical):
    before = case_snapshot(critical)
    assert act(sam, critical, "delete", {"body": "x"}).status_code == 404
    assert sam.get(f"/console/cases/{critical.number}/note/").status_code == 405
    assert case_snapshot(critical) == before


def test_the_staff_link_in_a_notification_opens_the_case(client, world, critical):
    """The TAM is told about a new critical case (MISSION TAM-4); the link in that email must work."""
    (email,) = [m for m in outbox().filter(kind="case.opened") if world.tina.email in m.to]
    link = re.search(re.escape(settings.PORTAL_BASE_URL.rstrip("/")) + r"(/\S*)", email.body).group(1)
    client.force_login(world.tina)

    response = client.get(link)
    assert response.status_code == 200, f"{link} is a {response.status_code}"
    assert critical.number in text(response)


# --- the Severity 1 intake ----------------------------------------------------------------------------


def test_the_intake_search_lists_the_matching_account_and_its_open_critical_cases(client, world, critical):
    open_case(world, subject="A non-critical one")
    client.force_login(world.tina)
    response = client.get("/console/severity1/?company_name=acm", headers=HTMX)

    body = text(response).strip()
    assert body.startswith('<fieldset id="account-matches"') and "<html" not in body
    assert 'name="account" value="acme"' in body
    assert f'name="case" value="{critical.number}"' in body
    assert "A non-critical one" not in body

    client.force_login(world.tess)
    body = text(client.get("/console/severity1/?company_name=acm", headers=HTMX))
    assert 'value="acme"' not in body and "Acme" not in body
    assert "Company not found" in body


def test_a_call_for_a_known_account_opens_a_critical_case(client, world):
    client.force_login(world.sam)
    before = timezone.now()
    response = client.post(
        "/console/severity1/",
        {
            "company_name": "Acme",
            "contact_name": "Alice Andrzejewska",
            "contact_phone": PHONE,
            "contact_email": "alice@acme.test",
            "description": "Nothing leaves since 9:00.",
            "account": "acme",
        },
    )

    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/cases/{case.number}/"
    assert (case.severity, case.channel, case.callback_requested, case.contact_phone) == (
        Case.Severity.CRITICAL,
        Case.Channel.PHONE,
        True,
        PHONE,
    )
    assert before + timedelta(minutes=15) <= case.callback_due_at <= timezone.now() + timedelta(minutes=15)
    assert PhoneIntake.objects.get().case == case
    page = client.get(response["Location"])
    assert f"Call recorded on {case.number}; the 15-minute callback clock runs." in messages_of(page)


def test_a_call_without_an_account_is_recorded_and_matched_later(client, world):
    client.force_login(world.sam)
    call = {
        "company_name": "Ackme Sp. z o.o.",
        "contact_name": "Adam",
        "contact_phone": "+48 600 999 000",
        "contact_email": "adam@ackme.test",
        "description": "Everything bounces.",
        "account": "",
    }
    response = client.post("/console/severity1/", call)
    assert response.status_code == 302 and response["Location"] == "/console/severity1/"
    intake = PhoneIntake.objects.get()
    assert intake.account is None and not Case.objects.exists()

    page = client.get("/console/severity1/")
    assert "Call recorded without an account" in " ".join(messages_of(page))
    assert "Ackme Sp. z o.o." in visible_text(page) and f"/console/severity1/{intake.pk}/match/" in text(page)

    response = client.post(f"/console/severity1/{intake.pk}/match/", {"account": "acme"})
    case = Case.objects.get()
    assert response["Location"] == f"/console/cases/{case.number}/"
    assert case.account == world.acme and case.severity == Case.Severity.CRITICAL
    assert case.callback_due_at == intake.received_at + timedelta(minutes=15)  # the clock kept its start
    assert not PhoneIntake.objects.unmatched().exists()
    assert "Call matched to Acme." in messages_of(client.get(response["Location"]))


def test_a_call_with_missing_details_is_refused(client, world):
    client.force_login(world.sam)
    response = client.post("/console/severity1/", {"company_name": "Acme", "account": "acme"})
    assert response.status_code == 200
    assert "This field is required." in visible_text(response)
    assert not PhoneIntake.objects.exists() and not Case.objects.exists()


# --- the on-call rota ---------------------------------------------------------------------------------


def test_staff_add_a_shift_and_the_console_shows_who_is_on_duty(client, world, frozen):
    # 09:30 on a Tuesday in Warsaw, where Tina types the shift's times (datetime-local, her time zone). Not
    # in the night Warsaw falls back: a wall time in its repeated hour is ambiguous, and the form refuses it.
    frozen("2027-05-11 07:30")
    client.force_login(world.tina)
    response = client.post(
        "/console/oncall/",
        {
            "agent": world.sam.pk,
            "starts_at": "2027-05-11T08:30",
            "ends_at": "2027-05-11T16:30",
            "handover_note": "Watch ACME-000001.",
        },
    )

    assert response.status_code == 302 and response["Location"] == "/console/oncall/"
    shift = OnCallShift.objects.get()
    assert (shift.agent, shift.created_by, shift.handover_note) == (world.sam, world.tina, "Watch ACME-000001.")
    assert (shift.starts_at, shift.ends_at) == (
        datetime(2027, 5, 11, 8, 30, tzinfo=WARSAW),
        datetime(2027, 5, 11, 16, 30, tzinfo=WARSAW),
    )
    assert "on duty now" in visible_text(client.get("/console/oncall/"))

    console = text(client.get("/console/"))
    panel = visible_text(re.search(r'<section id="on-duty".*?</section>', console, flags=re.S).group(0))
    assert "Sam Okafor now" in panel and "Watch ACME-000001." in panel


def test_a_shift_that_ends_before_it_starts_is_refused(client, world, frozen):
    frozen("2027-05-11 07:30")  # 09:30 in Warsaw; neither time typed falls in its repeated autumn hour
    client.force_login(world.sam)
    response = client.post(
        "/console/oncall/", {"agent": world.sam.pk, "starts_at": "2027-05-11T17:30", "ends_at": "2027-05-11T09:30"}
    )
    assert response.status_code == 200
    assert "A shift must end after it starts." in visible_text(response)
    assert not OnCallShift.objects.exists()


def test_a_night_shift_across_the_autumn_change_is_nine_hours_and_an_ambiguous_start_is_refused(client, world, frozen):
    """Warsaw turns 03:00 CEST back to 02:00 CET on 31 October 2027: 22:00-06:00 that night is nine hours;
    02:30 happens twice, so a shift starting then is refused in words, and nothing is saved."""
    frozen("2027-10-30 12:00")
    client.force_login(world.tina)
    form = {"agent": world.sam.pk, "starts_at": "2027-10-30T22:00", "ends_at": "2027-10-31T06:00"}
    assert client.post("/console/oncall/", form).status_code == 302
    shift = OnCallShift.objects.get()
    assert shift.ends_at - shift.starts_at == timedelta(hours=9)
    response = client.post("/console/oncall/", form | {"starts_at": "2027-10-31T02:30", "ends_at": "2027-10-31T08:00"})
    assert response.status_code == 200 and OnCallShift.objects.count() == 1
    assert "couldn’t be interpreted in time zone Europe/Warsaw; it may be ambiguous" in visible_text(response)


def test_staff_remove_a_shift(client, world):
    shift = OnCallShiftFactory(agent=world.sam)
    client.force_login(world.tina)
    response = client.post(f"/console/oncall/{shift.pk}/remove/")
    assert response["Location"] == "/console/oncall/"
    assert not OnCallShift.objects.exists()
    assert "Shift removed." in messages_of(client.get("/console/oncall/"))
    assert client.post(f"/console/oncall/{shift.pk}/remove/").status_code == 404


def test_the_console_says_when_nobody_is_on_duty(client, world):
    client.force_login(world.sam)
    console = visible_text(client.get("/console/"))
    assert "Nobody is on duty. The Severity 1 line must always be covered." in console
