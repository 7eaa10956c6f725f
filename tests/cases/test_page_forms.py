"""A case page's forms are kept in the panel cache (cases/fragments.py ``case_actions``, issue 18): drawn once per
case version, person, language and zone, with the CSRF token and the one-time form tokens put in per answer.
Each test loads a page twice (the second answer's forms from the cache: none of their reads runs), makes one
change the way the portal makes it, and loads the page again: the change shows on the very next request.
MISSION: NC-3, NC-4, NC-5 (the customer's reply, follow and rating), CR-0 (asking for another severity),
TAM-4 (the staff's actions)."""

import re
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import user_update_preferences
from cases import presence, services
from cases.models import CannedReply, Case, CaseEvent, CaseRating
from core.panel_cache import csrf_placeholder, form_token_placeholder
from tests.cases.conftest import open_case
from tests.helpers import HTMX, client_of, form_token, input_values, text, visible_text, without_csrf

AT = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Warsaw
NOTE = "Internal: the relay in Frankfurt is the culprit"
STAFF_PAGE = "/console/cases/{}/"
# What only the forms read: a pending request for another severity, the followers, the rating, the assignees.
FORM_READS = ("classification_requested", '"cases_case_followers"', '"cases_caserating"', '"staff_role" = ')


@pytest.fixture
def case(world, frozen):
    frozen(AT)
    case = open_case(world)
    services.case_assign(case=case, actor=world.sam, assignee=world.sam)
    services.case_add_note(case=case, actor=world.sam, body=NOTE)
    return case


def _form_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if any(read in q["sql"] for read in FORM_READS)]


def _loaded_twice(client, path: str) -> str:
    """The page as drawn (its forms read what they show), then again: the same HTML but its tokens, and none of
    the forms' reads (they came from the cache)."""
    with CaptureQueriesContext(connection) as drawn:
        first = text(client.get(path))
    assert _form_reads(drawn)
    with CaptureQueriesContext(connection) as served:
        second = text(client.get(path))
    assert not _form_reads(served.captured_queries)
    assert without_csrf(second) == without_csrf(first)
    return second


# --- what the customer does shows at once ---------------------------------------------------------------


def test_following_flips_the_button_at_once(world, case):
    arthur, page = client_of(world.arthur), case.get_absolute_url()
    assert "Email me about it" in _loaded_twice(arthur, page)
    services.case_follow(case=case, user=world.arthur, follow=True)
    assert "Stop emails" in visible_text(arthur.get(page))
    services.case_follow(case=case, user=world.arthur, follow=False)
    assert "Email me about it" in visible_text(arthur.get(page))


def test_a_classification_request_replaces_the_form_at_once(world, case):
    alice, page = client_of(world.alice), case.get_absolute_url()
    assert "Ask us to change the severity or category" in _loaded_twice(alice, page)
    services.case_request_classification(
        case=case, actor=world.alice, severity=Case.Severity.CRITICAL, category=Case.Category.BUG, reason="Down"
    )
    body = visible_text(alice.get(page))
    assert "You asked for: Critical" in body
    assert "Ask us to change the severity or category" not in body


def test_a_proposed_resolution_then_the_rating_show_at_once(world, case):
    alice, page = client_of(world.alice), case.get_absolute_url()
    assert 'data-testid="proposal"' not in _loaded_twice(alice, page)
    services.case_propose_resolution(case=case, actor=world.sam, summary="The relay is fixed.")
    assert 'data-testid="proposal"' in text(alice.get(page))
    services.case_accept_resolution(case=Case.objects.get(pk=case.pk), actor=world.alice)
    assert 'data-testid="rate"' in _loaded_twice(alice, page)  # offered once the case is resolved
    services.case_rate(case=Case.objects.get(pk=case.pk), actor=world.alice, score=5)
    body = text(alice.get(page))
    assert "Rated 5 of 5" in visible_text(body)
    assert 'data-testid="rate"' not in body


def test_a_rating_removed_in_the_admin_shows_at_once(world, case):
    """A rating deleted outside the services (the admin, a fixture) moves the version too (``WATCHED``):
    the rating form is offered again, never the removed rating."""
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed.")
    services.case_accept_resolution(case=Case.objects.get(pk=case.pk), actor=world.alice)
    services.case_rate(case=Case.objects.get(pk=case.pk), actor=world.alice, score=2)
    alice, page = client_of(world.alice), case.get_absolute_url()
    assert "Rated 2 of 5" in visible_text(_loaded_twice(alice, page))
    CaseRating.objects.filter(case=case).delete()
    body = text(alice.get(page))
    assert "Rated 2 of 5" not in visible_text(body)
    assert 'data-testid="rate"' in body


def test_a_reply_shows_and_the_case_reopened_shows_its_reply_form(world, case):
    alice, page = client_of(world.alice), case.get_absolute_url()
    _loaded_twice(alice, page)
    services.case_reply(case=case, actor=world.sam, body="Good news: the relay is fixed.")
    assert "the relay is fixed" in text(alice.get(page))
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed.")
    services.case_accept_resolution(case=Case.objects.get(pk=case.pk), actor=world.alice)
    assert "Reopen the case" in _loaded_twice(alice, page)
    services.case_reopen(case=Case.objects.get(pk=case.pk), actor=world.alice, reason="It is back.")
    body = visible_text(alice.get(page))
    assert "Reopen the case" not in body
    assert "Send" in body


# --- tokens: a form posted without htmx carries what Django and once() accept -----------------------------


def test_a_reply_posted_without_htmx_from_the_cached_page_is_accepted(world, case):
    alice, page = client_of(world.alice, enforce_csrf_checks=True), case.get_absolute_url()
    _loaded_twice(alice, page)
    body = text(alice.get(page))  # the forms from the cache
    assert csrf_placeholder() not in body and form_token_placeholder() not in body
    reply = re.search(r'<form method="post" action="([^"]+/reply/)".*?</form>', body, re.S).group(0)
    (csrf,) = input_values(reply, "csrfmiddlewaretoken")
    (once,) = input_values(reply, "form_token")
    assert re.fullmatch(r"[0-9a-f]{32}", once)
    action = f"{page}reply/"
    response = alice.post(action, {"csrfmiddlewaretoken": csrf, "form_token": once, "body": "Still bouncing."})
    assert response.status_code == 302
    assert CaseEvent.objects.filter(case=case, body="Still bouncing.").exists()
    refused = alice.post(action, {"body": "No token."})  # the check is real
    assert refused.status_code == 403


def test_two_sessions_of_one_person_each_get_their_owninput_values(world, case):
    """Alice signed in twice: the second session is served the forms the first one's request drew, with its own
    CSRF token (the first one's is not valid there) and fresh one-time tokens on every answer."""
    page = case.get_absolute_url()
    first, second = (client_of(world.alice, enforce_csrf_checks=True) for _ in range(2))
    drawn = text(first.get(page))
    served = text(second.get(page))
    assert without_csrf(served) == without_csrf(drawn)
    assert set(input_values(served, "form_token")).isdisjoint(input_values(drawn, "form_token"))
    assert input_values(text(second.get(page)), "form_token") != input_values(served, "form_token")
    token = input_values(served, "csrfmiddlewaretoken")[0]
    follow = f"{page}follow/"
    assert first.post(follow, {"csrfmiddlewaretoken": token}).status_code == 403  # not the first session's token
    services.case_follow(case=case, user=world.alice, follow=False)
    assert second.post(follow, {"csrfmiddlewaretoken": token}).status_code == 302
    assert case.followers.filter(pk=world.alice.pk).exists()


def test_each_creating_form_gets_its_own_one_time_token(world, case):
    sam, page = client_of(world.sam), STAFF_PAGE.format(case.number)
    body = _loaded_twice(sam, page)
    tokens = input_values(body, "form_token")
    assert len(tokens) == len(set(tokens)) >= 2  # the reply and the note
    assert form_token(sam.get(page)) not in tokens


# --- whose forms ------------------------------------------------------------------------------------------


def test_each_person_language_and_zone_has_their_own_forms(world, case):
    alice, arthur, page = client_of(world.alice), client_of(world.arthur), case.get_absolute_url()
    assert case.followers.filter(pk=world.alice.pk).exists()  # she filed it
    assert "Stop emails" in visible_text(_loaded_twice(alice, page))
    assert "Email me about it" in visible_text(_loaded_twice(arthur, page))
    user_update_preferences(user=world.alice, language="pl")
    assert "Odpowiedź" in text(alice.get(page))  # "Reply" in Polish
    assert "Odpowiedź" not in text(arthur.get(page))


def test_the_rating_is_dated_in_the_readers_zone(world, case):
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed.")
    services.case_accept_resolution(case=Case.objects.get(pk=case.pk), actor=world.alice)
    services.case_rate(case=Case.objects.get(pk=case.pk), actor=world.alice, score=4)
    alice, page = client_of(world.alice), case.get_absolute_url()
    assert "9 Jun 2026 10:00 CEST" in visible_text(_loaded_twice(alice, page))
    user_update_preferences(user=world.alice, timezone="America/New_York")
    assert "9 Jun 2026 04:00 EDT" in visible_text(alice.get(page))


def test_the_staff_forms_never_reach_a_customer_and_each_role_gets_its_own(world, case):
    alice, sam, tina = client_of(world.alice), client_of(world.sam), client_of(world.tina)
    staff_page, page = STAFF_PAGE.format(case.number), case.get_absolute_url()
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed, we think.")
    sams = _loaded_twice(sam, staff_page)
    assert "Internal note" in sams and "Record agreement given by phone" not in sams  # an agent
    assert "Record agreement given by phone" in _loaded_twice(tina, staff_page)  # the account's TAM
    staff_view = _loaded_twice(sam, page)  # the customer's view, read by staff: no customer's forms
    assert 'data-testid="escalate"' not in staff_view and 'data-testid="follow"' not in staff_view
    body = _loaded_twice(alice, page)
    assert 'data-testid="follow"' in body and 'data-testid="proposal"' in body
    for hidden in ("Internal note", NOTE, "/console/cases/"):
        assert hidden not in body


def test_another_accounts_case_page_is_missing_and_draws_nothing_of_acme(world, case):
    globex_case = open_case(world, actor=world.bob, account=world.globex, subject="Globex bounces")
    bob = client_of(world.bob)
    assert bob.get(case.get_absolute_url()).status_code == 404
    body = _loaded_twice(bob, globex_case.get_absolute_url())
    assert case.subject not in body and "/a/acme/" not in body


# --- the staff's page ---------------------------------------------------------------------------------------


def test_the_staff_forms_follow_each_change_at_once(world, case):
    sam, page = client_of(world.sam), STAFF_PAGE.format(case.number)
    assert "Follow (get its emails)" in _loaded_twice(sam, page)
    services.case_follow(case=case, user=world.sam, follow=True)
    assert "Stop following" in text(sam.get(page))
    other = open_case(world, subject="Opens are not tracked")
    services.case_link(case=case, other=other, actor=world.sam)
    assert "Opens are not tracked" in text(sam.get(page))
    services.case_request_classification(
        case=case, actor=world.alice, severity=Case.Severity.CRITICAL, category=Case.Category.BUG, reason="Down"
    )
    assert 'data-testid="classification-request"' in text(sam.get(page))
    services.case_assign(case=Case.objects.get(pk=case.pk), actor=world.sam, assignee=world.tina)
    assert f'<option value="{world.tina.pk}" selected>' in text(sam.get(page))


def test_a_canned_reply_saved_anywhere_shows_at_once(world, case):
    """Canned replies belong to no account: one saved outside the service (a shell, a fixture) still moves every
    account's version (``WATCHED``), so the staff page offers it at once."""
    sam, page = client_of(world.sam), STAFF_PAGE.format(case.number)
    assert 'data-testid="macro-choice"' not in _loaded_twice(sam, page)
    CannedReply.objects.create(name="Ask for headers", body_en="Please send the full headers.", active=True)
    assert "Ask for headers" in text(sam.get(page))


def test_who_else_is_replying_is_drawn_for_every_answer(world, case):
    sam, page = client_of(world.sam), STAFF_PAGE.format(case.number)
    assert 'data-testid="replying"' not in _loaded_twice(sam, page)
    presence.mark(case.pk, world.tina)
    assert "Tina Nowak is replying" in visible_text(sam.get(page))


def test_a_form_sent_back_with_its_errors_is_drawn_for_that_answer_alone(world, case):
    sam, page = client_of(world.sam), STAFF_PAGE.format(case.number)
    _loaded_twice(sam, page)
    presence.mark(case.pk, world.tina)
    response = sam.post(f"{page}classify/", {"severity": "critical", "category": "bug", "reason": ""})
    assert response.status_code == 400
    refused = text(response)
    assert '<option value="critical" selected>' in refused and "This field is required." in refused
    assert "Tina Nowak is replying" in visible_text(refused)
    again = text(sam.get(page))
    assert '<option value="critical" selected>' not in again and "This field is required." not in again


def test_a_customers_reason_sent_back_is_not_kept(world, case):
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed.")
    alice, page = client_of(world.alice), case.get_absolute_url()
    _loaded_twice(alice, page)
    response = alice.post(f"{page}reopen/", {"reason": "Words typed for a case not yet resolved"})  # refused
    assert response.status_code == 400 and "Words typed" in text(response)  # kept in the proposal's reason
    assert "Words typed" not in text(alice.get(page))


# --- the cached page is the page ----------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "staff_page"), [("alice", False), ("sam", False), ("sam", True), ("tina", True)])
def test_the_page_from_the_cache_equals_the_page_drawn_afresh(world, case, who, staff_page):
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed, we think.")
    client = client_of(getattr(world, who))
    page = STAFF_PAGE.format(case.number) if staff_page else case.get_absolute_url()
    cached = _loaded_twice(client, page)
    cache.clear()
    assert without_csrf(text(client.get(page))) == without_csrf(cached)


def test_a_poll_draws_no_forms(world, case):
    for user, page in ((world.alice, case.get_absolute_url()), (world.sam, STAFF_PAGE.format(case.number))):
        client = client_of(user)
        cache.clear()
        with CaptureQueriesContext(connection) as polled:
            response = client.get(page, headers=HTMX)
        assert 'id="case-panel"' in text(response) and "<form" not in text(response)
        forms_only = ("classification_requested", '"staff_role" = ', "cases_cannedreply")
        assert not [q for q in polled.captured_queries if any(read in q["sql"] for read in forms_only)]


def test_a_kept_page_asks_for_the_person_and_the_case_alone(world, case):
    """Issue 18: the case pages served from the cache read the session, the person and the case (with its
    account); the TAMs, assignee and reporter only when a part showing them is drawn."""
    for user, page in ((world.alice, case.get_absolute_url()), (world.sam, STAFF_PAGE.format(case.number))):
        client = client_of(user)
        client.get(page)
        with CaptureQueriesContext(connection) as served:
            body = text(client.get(page))
        tables = [re.findall(r'FROM "(\w+)"', q["sql"])[0] for q in served.captured_queries]
        assert sorted(tables) == ["accounts_user", "cases_case", "django_session"], tables
        assert "Sam Okafor" in body and "Tina Nowak" in body  # the assignee and the TAM, from the cache
