"""What a customer sees and does on the case pages: the list, filing a case, the case page, downloads,
replies and the joint resolution (MISSION NC-1..NC-5, CR-1..CR-5). Who may open which page at all is
the matrix in test_views.py."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, CaseAttachment, CaseEvent
from tests.cases.conftest import PHONE, case_snapshot, open_case, refusal, upload
from tests.cases.factories import CaseAttachmentFactory, CaseEventFactory, CaseFactory
from tests.helpers import DASHBOARD_MAX_QUERIES, HTMX, count_queries, messages_of, queries_of, text, visible_text

LIST_MAX_QUERIES = 5  # session, user, account, count, page: never per case


def table_rows(response) -> list[str]:
    """The visible text of each body row of the case table."""
    tbody = re.search(r"<tbody>(.*?)</tbody>", text(response), flags=re.S).group(1)
    return [visible_text(row) for row in re.findall(r"<tr>(.*?)</tr>", tbody, flags=re.S)]


def numbers_in(response) -> list[str]:
    return [row.split()[0] for row in table_rows(response) if row != "No cases match."]


# --- the case list ------------------------------------------------------------------------------------


@pytest.fixture
def four_cases(world, frozen):
    """One case per clock a customer can see, and one of Globex's, filed at 15:00 on a Friday in Warsaw: the
    response is due two business hours later, on Monday."""
    frozen("2027-05-14 13:00")
    response = open_case(world, subject="Slow API responses")
    callback = open_case(world, subject="Nothing is delivered", critical=True, callback=True)
    waiting = open_case(world, subject="DKIM question")
    services.case_wait_on_customer(case=waiting, actor=world.sam, body="Which selector?")
    proposed = open_case(world, subject="Bounce webhook")
    services.case_propose_resolution(case=proposed, actor=world.sam, summary="Fixed the webhook URL.")
    open_case(world, actor=world.bob, account=world.globex, subject="Globex outage")
    return response, callback, waiting, proposed


def test_the_list_shows_acmes_cases_with_the_clock_of_each(client, world, four_cases):
    response_case, callback_case, waiting, proposed = four_cases
    client.force_login(world.alice)
    response = client.get("/a/acme/cases/")

    assert response.status_code == 200
    rows = {row.split()[0]: row for row in table_rows(response)}
    assert set(rows) == {c.number for c in four_cases}
    assert "Globex outage" not in text(response)
    assert "Response due: Mon 11:00 CEST" in rows[response_case.number]  # what Alice (Europe/Warsaw) reads
    assert "Callback due: 15:15 CEST" in rows[callback_case.number]
    assert "Critical" in rows[callback_case.number]
    assert "Paused: waiting on the customer" in rows[waiting.number]
    assert str(Case.Status.WAITING_ON_CUSTOMER.label) in rows[waiting.number]
    assert "Awaiting the customer's answer" in rows[proposed.number]
    assert "data-countdown" in text(response)  # the live countdown's hook on running clocks


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["slow", "nothing", "dkim", "bounce"]),
        ("status=all", ["slow", "nothing", "dkim", "bounce", "resolved"]),
        ("status=resolved", ["resolved"]),
        ("status=waiting_on_customer", ["dkim"]),
        ("status=bogus", ["slow", "nothing", "dkim", "bounce"]),  # an unknown filter means "open"
        ("severity=critical", ["nothing"]),
        ("severity=non_critical&status=all", ["slow", "dkim", "bounce", "resolved"]),
        ("q=webhook", ["bounce"]),  # subject substring, any case
        ("q=WEBHOOK", ["bounce"]),
        # A case number opens that case (tests/cases/test_search_views.py); a part of one is not a number.
        ("q=ACME-00000", []),
        ("q=question&severity=critical", []),
    ],
)
def test_the_list_filters_by_status_severity_and_search(client, world, four_cases, query, expected):
    done = open_case(world, subject="Old resolved thing")
    services.case_propose_resolution(case=done, actor=world.sam, summary="Done.")
    services.case_accept_resolution(case=done, actor=world.alice)
    by_word = {"slow": 1, "nothing": 2, "dkim": 3, "bounce": 4, "resolved": 5}  # numbers count per account
    client.force_login(world.alice)

    response = client.get(f"/a/acme/cases/?{query}")

    assert sorted(numbers_in(response)) == sorted(f"ACME-{by_word[w]:06d}" for w in expected)
    if not expected:
        assert "No cases match." in visible_text(response)


def test_the_list_pages_by_25_newest_first_and_keeps_the_filters(client, world):
    now = timezone.now()
    for i in range(30):
        CaseFactory(account=world.acme, number=f"ACME-{i + 1:06d}", severity="critical")
    for i, case in enumerate(Case.objects.order_by("number")):
        Case.objects.filter(pk=case.pk).update(created_at=now - timedelta(minutes=i))
    client.force_login(world.alice)

    first = client.get("/a/acme/cases/?severity=critical")
    second = client.get("/a/acme/cases/?severity=critical&page=2")

    assert numbers_in(first) == [f"ACME-{i:06d}" for i in range(1, 26)]
    assert numbers_in(second) == [f"ACME-{i:06d}" for i in range(26, 31)]
    assert "Page 1 of 2" in visible_text(first)
    assert 'href="?severity=critical&amp;page=2"' in text(first)  # the one pager keeps the query string
    assert "Page 2 of 2" in visible_text(second)


def test_htmx_gets_only_the_case_table(client, world, four_cases):
    client.force_login(world.alice)
    response = client.get("/a/acme/cases/?severity=critical", headers=HTMX)

    body = text(response).strip()
    assert response.status_code == 200
    assert body.startswith('<div id="case-table"')
    assert "<html" not in body and 'class="filters"' not in body and "Support cases" not in body
    assert numbers_in(response) == [four_cases[1].number]


def make_cases(account, n, *, assignee):
    now = timezone.now()
    CaseFactory.create_batch(
        n,
        account=account,
        assignee=assignee,
        status=Case.Status.IN_PROGRESS,
        response_due_at=now + timedelta(hours=2),
        next_deadline_at=now + timedelta(hours=2),
    )


# Session, user, case, its people, the events, their attachments, the case's files; issue 15: the related and
# the merged cases.
CASE_PAGE_MAX_QUERIES = 9


def test_the_case_page_runs_the_same_queries_for_3_or_60_replies(client, world, media, django_assert_max_num_queries):
    """Issue 18: the case page with a long conversation (replies from both sides, files on them) costs what a
    short one does."""
    client.force_login(world.alice)
    case = CaseFactory(account=world.acme, number="ACME-000777", reporter=world.alice, assignee=world.sam)
    url = "/a/acme/cases/ACME-000777/"

    def talk(n):
        for i in range(n):
            event = CaseEventFactory(case=case, actor=world.sam if i % 2 else world.alice, public=True)
            CaseAttachmentFactory(case=case, event=event)

    talk(3)
    small, _ = count_queries(client, url, django_assert_max_num_queries, CASE_PAGE_MAX_QUERIES)
    talk(57)
    large, response = count_queries(client, url, django_assert_max_num_queries, CASE_PAGE_MAX_QUERIES)
    assert large == small
    assert text(response).count("bounce") >= 60  # every reply's file is on the page


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_the_list_runs_the_same_queries_for_5_or_60_cases(client, world, django_assert_max_num_queries, headers):
    client.force_login(world.alice)
    make_cases(world.acme, 5, assignee=world.sam)
    small, _ = count_queries(client, "/a/acme/cases/", django_assert_max_num_queries, LIST_MAX_QUERIES, **headers)

    make_cases(world.acme, 55, assignee=world.tina)
    large, response = count_queries(
        client, "/a/acme/cases/", django_assert_max_num_queries, LIST_MAX_QUERIES, **headers
    )
    assert large == small
    assert len(table_rows(response)) == 25


def test_the_dashboard_open_cases_panel_does_not_query_per_case(client, world, django_assert_max_num_queries):
    client.force_login(world.alice)
    make_cases(world.acme, 5, assignee=world.sam)
    small, _ = count_queries(client, "/a/acme/", django_assert_max_num_queries, DASHBOARD_MAX_QUERIES)
    panel_small, _ = queries_of(client, "/a/acme/panel/open-cases/", **HTMX)

    make_cases(world.acme, 55, assignee=world.tina)
    critical = open_case(world, subject="Everything bounces", critical=True, callback=True)
    large, response = count_queries(client, "/a/acme/", django_assert_max_num_queries, DASHBOARD_MAX_QUERIES)
    panel_large, _ = queries_of(client, "/a/acme/panel/open-cases/", **HTMX)

    assert (large, panel_large) == (small, panel_small)
    panel = re.search(r'<section id="open-cases".*?</section>', text(response), flags=re.S).group(0)
    assert "61 open cases" in visible_text(panel)
    assert "1 critical" in visible_text(panel)
    assert panel.count("<li>") == 5
    # The case whose deadline comes first leads the panel, with its clock.
    assert visible_text(panel).index(critical.number) < visible_text(panel).index("TEST-")
    assert "Callback due" in visible_text(panel)


# --- filing a case ------------------------------------------------------------------------------------


def new_case(**overrides):
    data = {
        "severity": "non_critical",
        "category": "configuration",
        "subject": "Add a second sending domain",
        "description": "We want to send from news.acme.test too.",
        "contact_phone": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_new_case_page_shows_the_severity1_line_and_both_definitions(client, world):
    world.acme.severity1_phone = "+48 22 999 11 22"
    world.acme.save(update_fields=["severity1_phone"])
    client.force_login(world.alice)

    response = client.get("/a/acme/cases/new/")

    callout = re.search(r'<aside class="sev1-callout" data-testid="sev1-callout">.*?</aside>', text(response), re.S)
    assert callout and "+48 22 999 11 22" in callout.group(0)
    assert 'href="tel:+48 22 999 11 22"' in callout.group(0)
    page = visible_text(response)
    assert "Critical (Severity 1)" in page and "Non-critical" in page
    assert "API calls or SMTP injections keep failing with server errors or timeouts, and it lasts" in page
    assert (
        "A fault that causes problems but not sustained unavailability, a configuration request, or a question" in page
    )


def test_the_new_case_form_offers_acmes_colleagues_and_nobody_else_as_followers(client, world):
    """ "Keep these colleagues informed" lists the other members of the account: not staff, not another
    tenant's people."""
    client.force_login(world.alice)
    page = client.get("/a/acme/cases/new/")

    offered = re.findall(r'name="followers" value="(\d+)"', text(page))
    assert offered == [str(world.arthur.pk)], visible_text(page)
    for outsider in (world.tess, world.tina, world.sam, world.root, world.bob):
        assert outsider.full_name not in visible_text(page)

    client.post("/a/acme/cases/new/", new_case(followers=[world.arthur.pk]))
    assert set(Case.objects.get().followers.all()) == {world.alice, world.arthur}


def test_filing_a_case_opens_it_and_goes_to_its_page(client, world):
    client.force_login(world.alice)
    response = client.post("/a/acme/cases/new/", new_case())

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/a/acme/cases/{case.number}/"
    assert (case.account, case.reporter, case.status, case.severity, case.category) == (
        world.acme,
        world.alice,
        Case.Status.NEW,
        Case.Severity.NON_CRITICAL,
        Case.Category.CONFIGURATION,
    )
    assert case.response_due_at is not None
    page = client.get(response["Location"])
    assert f"Case {case.number} is open." in messages_of(page)
    assert "Response due" in visible_text(page)


def test_a_critical_case_with_a_callback_needs_a_phone_number(client, world):
    client.force_login(world.alice)
    response = client.post("/a/acme/cases/new/", new_case(severity="critical", category="bug", callback_requested="on"))

    assert response.status_code == 200
    assert "Give the phone number we should call back." in visible_text(response)
    assert not Case.objects.exists()


def test_a_critical_case_must_be_a_software_bug(client, world):
    client.force_login(world.alice)
    response = client.post("/a/acme/cases/new/", new_case(severity="critical", category="information"))

    assert response.status_code == 200
    assert "A critical case is a software fault causing sustained unavailability" in visible_text(response)
    assert not Case.objects.exists()


def test_a_critical_case_with_callback_starts_the_15_minute_clock(client, world):
    client.force_login(world.alice)
    before = timezone.now()
    response = client.post(
        "/a/acme/cases/new/",
        new_case(severity="critical", category="bug", callback_requested="on", contact_phone=PHONE),
    )

    case = Case.objects.get()
    assert response["Location"] == case.get_absolute_url()
    assert (case.callback_requested, case.contact_phone) == (True, PHONE)
    assert before + timedelta(minutes=15) <= case.callback_due_at <= timezone.now() + timedelta(minutes=15)


def test_files_sent_with_a_new_case_are_stored_on_it(client, world, media):
    client.force_login(world.alice)
    response = client.post(
        "/a/acme/cases/new/",
        new_case(files=[upload("bounce.log", b"550 5.7.1 rejected"), upload("headers.eml", b"Received: x")]),
    )

    case = Case.objects.get()
    assert response.status_code == 302
    stored = {a.name: a.file.read() for a in CaseAttachment.objects.filter(case=case)}
    assert stored == {"bounce.log": b"550 5.7.1 rejected", "headers.eml": b"Received: x"}
    assert all(a.uploaded_by == world.alice for a in case.attachments.all())
    assert "bounce.log" in text(client.get(case.get_absolute_url()))


def test_a_refused_attachment_shows_the_reason_and_opens_no_case(client, world, media):
    """The form comes back with the reason; the customer fixes it and sends again. That must not leave a
    first case behind, opened without the files (and the customer told it failed)."""
    client.force_login(world.alice)
    response = client.post("/a/acme/cases/new/", new_case(files=[upload("tool.exe", b"MZ")]))

    assert response.status_code == 200
    assert "“tool.exe”: this type of file is not accepted." in visible_text(response)
    assert list(Case.objects.values_list("number", flat=True)) == []


# --- the case page ------------------------------------------------------------------------------------


def test_internal_notes_never_reach_the_customers_page(client, world, media):
    case = open_case(world)
    services.case_add_note(case=case, actor=world.sam, body="NOTE-7f3a customer is on a legacy MTA")

    client.force_login(world.alice)
    for headers in ({}, HTMX):
        page = client.get(case.get_absolute_url(), headers=headers)
        assert page.status_code == 200
        assert "NOTE-7f3a" not in text(page)
        assert "Internal note" not in text(page)

    client.force_login(world.sam)
    staff = client.get(f"/console/cases/{case.number}/")
    assert "NOTE-7f3a customer is on a legacy MTA" in text(staff)


def test_the_critical_case_page_shows_the_severity1_line_and_the_callback_time(client, world, frozen):
    frozen("2027-05-11 08:00")  # 10:00 in Warsaw, Alice's time zone
    world.acme.severity1_phone = "+48 22 999 11 22"
    world.acme.save(update_fields=["severity1_phone"])
    case = open_case(world, critical=True, callback=True)
    client.force_login(world.alice)

    page = visible_text(client.get(case.get_absolute_url()))

    assert "Severity 1 line, 24/7/365: +48 22 999 11 22" in page
    assert "An agent calls you back by 10:15 CEST." in page
    assert "Callback due: 10:15 CEST" in page
    assert "Next update by" not in page


def test_after_a_status_update_the_customer_sees_when_the_next_one_is_due(client, world, frozen):
    frozen("2027-05-11 21:30")  # 23:30 in Warsaw: the next update, an hour later, is due tomorrow there
    case = open_case(world, critical=True, callback=True)
    client.force_login(world.sam)
    client.post(
        f"/console/cases/{case.number}/update/",
        {"nature": "A faulty MTA node", "expected_resolution": "within 2 hours"},
    )
    case.refresh_from_db()

    client.force_login(world.alice)
    page = visible_text(client.get(case.get_absolute_url()))

    assert "Next update by tomorrow 00:30 CEST (every 60 min, as agreed)" in page
    assert "A faulty MTA node" in page and "within 2 hours" in page


def test_the_timeline_says_the_outcome_of_the_callback_in_words(client, world):
    case = open_case(world, critical=True, callback=True)
    services.case_log_callback(case=case, actor=world.sam, called_name="Alice", called_number=PHONE, outcome="reached")
    client.force_login(world.alice)

    page = visible_text(client.get(case.get_absolute_url()))
    assert f"Called Alice on {PHONE} — reached the contact" in page


# --- attachments --------------------------------------------------------------------------------------


@pytest.fixture
def with_file(world, media):
    case = open_case(world)
    services.case_reply(case=case, actor=world.alice, body="Log attached.", files=[upload("mta.log", b"\x00log\xff")])
    return case, case.attachments.get()


def download(client, case, pk):
    return client.get(f"/a/acme/cases/{case.number}/files/{pk}/")


def test_alice_downloads_the_file_as_an_attachment(client, world, with_file):
    case, attachment = with_file
    client.force_login(world.alice)
    response = download(client, case, attachment.pk)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mta.log"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == b"\x00log\xff"


@pytest.mark.parametrize("role", ["bob", "tess"])
def test_other_tenants_get_a_404_for_the_file_like_a_missing_one(client, world, with_file, role):
    case, attachment = with_file
    client.force_login(getattr(world, role))
    theirs, missing = download(client, case, attachment.pk), download(client, case, attachment.pk + 999)
    assert theirs.status_code == missing.status_code == 404
    assert [t.name for t in theirs.templates] == [t.name for t in missing.templates]


def test_a_file_on_an_internal_note_is_staff_only(client, world, with_file):
    case, _ = with_file
    note = services.case_add_note(case=case, actor=world.sam, body="Our side's trace.", files=[upload("trace.log")])
    internal = note.attachments.get()

    client.force_login(world.alice)
    assert download(client, case, internal.pk).status_code == 404
    assert "trace.log" not in text(client.get(case.get_absolute_url()))
    client.force_login(world.sam)
    assert download(client, case, internal.pk).status_code == 200


# --- the customer's actions ---------------------------------------------------------------------------


def act(client, case, action, data=None, **headers):
    return client.post(f"/a/acme/cases/{case.number}/{action}/", data or {}, headers=headers)


def test_alice_replies_with_a_file(client, world, media):
    case = open_case(world)
    client.force_login(world.alice)
    response = act(client, case, "reply", {"body": "Here is the log.", "files": [upload("smtp.log")]})

    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    reply = case.events.get(kind=CaseEvent.Kind.REPLY)
    assert (reply.actor, reply.body, reply.public) == (world.alice, "Here is the log.", True)
    assert [a.name for a in reply.attachments.all()] == ["smtp.log"]
    assert "Your message is on the case." in messages_of(client.get(response["Location"]))


def test_the_polled_panel_holds_no_form_and_says_when_the_page_is_behind(client, world):
    """STYLE: a polled region never contains a form. The forms sit outside it and are drawn for the status the
    page was loaded with; when the status has moved on, the panel (only) says so. (Replaces a test that pinned
    an HX-Trigger on a redirect, which htmx ignores, and that no form of this page ever sent.)"""
    case = open_case(world)
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed.")
    client.force_login(world.alice)
    url = case.get_absolute_url()
    page = text(client.get(url))
    panel = re.search(r'<div id="case-panel".*?</ol>\s*</div>', page, flags=re.S).group(0)
    assert f'hx-get="{url}?seen=resolution_proposed" hx-trigger="every 30s"' in panel
    assert "<form" not in panel and "<textarea" not in panel and "What is still wrong?" not in panel
    assert "What is still wrong?" in page.split(panel)[1] and "Stop emails" in page.split(panel)[1]
    current = text(client.get(f"{url}?seen=resolution_proposed", headers=HTMX))
    assert current.lstrip().startswith('<div id="case-panel"') and "<form" not in current
    assert 'data-testid="case-changed"' not in current
    behind = client.get(f"{url}?seen=in_progress", headers=HTMX)
    assert "<form" not in text(behind) and f'hx-get="{url}?seen=in_progress"' in text(behind)
    assert "The case is now “Resolution proposed”; the actions on this page were drawn before that." in (
        visible_text(behind)
    )
    assert "HX-Trigger" not in act(client, case, "accept", {}, **HTMX)  # a plain form: post, redirect


def test_an_empty_reply_is_refused(client, world):
    case = open_case(world)
    before = case_snapshot(case)
    client.force_login(world.alice)
    response = act(client, case, "reply", {"body": "  "})
    assert refusal(response) == ["Write a message or attach a file."]
    assert case_snapshot(case) == before


def test_accept_without_a_proposal_is_refused_and_changes_nothing(client, world):
    case = open_case(world)
    before = case_snapshot(case)
    client.force_login(world.alice)
    response = act(client, case, "accept")

    assert refusal(response) == ["There is no proposed resolution to accept."]
    assert case_snapshot(case) == before


@pytest.fixture
def proposed(world):
    case = open_case(world, critical=True)
    services.case_propose_resolution(case=case, actor=world.sam, summary="Node replaced; mail flows again.")
    return case


def test_alice_accepts_the_proposed_resolution(client, world, proposed):
    client.force_login(world.alice)
    page = client.get(case_url := proposed.get_absolute_url())
    assert "We propose that this case is resolved" in visible_text(page)
    assert "Node replaced; mail flows again." in visible_text(page)

    response = act(client, proposed, "accept")
    proposed.refresh_from_db()
    assert response["Location"] == case_url
    assert proposed.status == Case.Status.RESOLVED and proposed.resolved_at is not None
    page = client.get(case_url)
    assert "Thank you. The case is resolved." in messages_of(page)
    assert 'data-testid="status">Resolved<' in text(page)


def test_rejecting_needs_a_reason(client, world, proposed):
    before = case_snapshot(proposed)
    client.force_login(world.alice)
    response = act(client, proposed, "reject", {"reason": " "})
    assert refusal(response) == ["Tell us what is still wrong."]
    assert case_snapshot(proposed) == before

    act(client, proposed, "reject", {"reason": "Yahoo still defers."})
    proposed.refresh_from_db()
    assert proposed.status == Case.Status.IN_PROGRESS
    assert proposed.next_update_due_at is not None  # a critical case is worked on, with updates again
    assert proposed.events.filter(kind=CaseEvent.Kind.RESOLUTION_REJECTED, body="Yahoo still defers.").exists()


def test_alice_reopens_a_resolved_case(client, world, proposed):
    services.case_accept_resolution(case=proposed, actor=world.arthur)
    client.force_login(world.alice)

    assert refusal(act(client, proposed, "reopen", {"reason": ""})) == ["Say why the case is reopened."]
    response = act(client, proposed, "reopen", {"reason": "It is back."})

    proposed.refresh_from_db()
    assert proposed.status == Case.Status.IN_PROGRESS and proposed.resolved_at is None
    assert "The case is reopened." in messages_of(client.get(response["Location"]))


def test_reopening_an_open_case_is_refused(client, world):
    case = open_case(world)
    before = case_snapshot(case)
    client.force_login(world.alice)
    response = act(client, case, "reopen", {"reason": "Why not"})
    assert refusal(response) == ["Only a resolved case can be reopened."]
    assert case_snapshot(case) == before


@pytest.mark.parametrize("action", ["close", "note", "propose", "agreement", "delete"])
def test_an_unknown_customer_action_is_a_404(client, world, action):
    case = open_case(world)
    before = case_snapshot(case)
    client.force_login(world.alice)
    assert act(client, case, action, {"body": "x", "reason": "x"}).status_code == 404
    assert case_snapshot(case) == before


def test_a_get_on_an_action_is_refused(client, world):
    case = open_case(world)
    client.force_login(world.alice)
    assert client.get(f"/a/acme/cases/{case.number}/accept/").status_code == 405


@pytest.mark.parametrize("action", ["reply", "accept", "reject", "reopen"])
def test_bob_posting_to_an_acme_case_gets_a_404(client, world, proposed, action):
    before = case_snapshot(proposed)
    client.force_login(world.bob)
    assert act(client, proposed, action, {"body": "hi", "reason": "hi"}).status_code == 404
    assert case_snapshot(proposed) == before


def test_a_closed_account_hides_its_cases_from_its_members(client, world):
    case = open_case(world)
    world.acme.status = "closed"
    world.acme.save(update_fields=["status"])
    client.force_login(world.alice)
    assert client.get("/a/acme/cases/").status_code == 404
    assert client.get(case.get_absolute_url()).status_code == 404
