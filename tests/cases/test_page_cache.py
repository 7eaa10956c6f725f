"""The cases pages keep their costly parts in the panel cache (cases/fragments.py, issue 18): a case's timeline,
the customer's list and the staff queue. Each test loads a page (filling the cache), checks the second load is
served from it (no read of the timeline or the cases), makes one change the way the portal makes it, and loads
the page again: the change shows on the very next request. Internal notes never reach a customer through it.
MISSION: NC-4, CR-4 (the customer kept informed, times in the reader's zone), TAM-4 (the queue)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.services import user_update_preferences
from cases import services
from cases.models import Case, CaseEvent
from tests.cases.conftest import open_case
from tests.cases.factories import CaseFactory
from tests.helpers import HTMX, text, visible_text, without_csrf

AT = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Warsaw
NOTE = "Internal: the relay in Frankfurt is the culprit"


@pytest.fixture
def case(world, frozen):
    frozen(AT)
    case = open_case(world)
    services.case_assign(case=case, actor=world.sam, assignee=world.sam)
    services.case_reply(case=case, actor=world.sam, body="We are looking at the bounces.")
    services.case_add_note(case=case, actor=world.sam, body=NOTE)
    return case


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def timeline(response) -> str:
    body = text(response)
    start = body.index('<ol class="timeline"')
    return body[start : body.index("</ol>", start)]


def _loaded_twice(client, path: str, part=timeline, read: str = 'FROM "cases_caseevent"') -> str:
    """The part of the page as drawn (reading ``read``), then the same part again with no such read: it came
    from the cache (the case page still asks for a pending request of a change of severity)."""

    def reads(queries) -> list:
        return [q for q in queries if read in q["sql"] and "classification_requested" not in q["sql"]]

    with CaptureQueriesContext(connection) as drawn:
        first = part(client.get(path))
    assert reads(drawn)
    with CaptureQueriesContext(connection) as served:
        assert without_csrf(part(client.get(path))) == without_csrf(first)
    assert not reads(served)
    return first


def test_a_staff_reply_shows_on_the_customers_next_request(world, case):
    alice, page = _client(world.alice), case.get_absolute_url()
    assert "the relay is fixed" not in _loaded_twice(alice, page)
    services.case_reply(case=case, actor=world.sam, body="Good news: the relay is fixed.")
    assert "the relay is fixed" in timeline(alice.get(page))


def test_an_internal_note_shows_to_staff_at_once_and_never_to_the_customer(world, case):
    sam, alice = _client(world.sam), _client(world.alice)
    staff_page, page = f"/console/cases/{case.number}/", case.get_absolute_url()
    assert NOTE in _loaded_twice(sam, staff_page)
    assert NOTE not in _loaded_twice(sam, page)  # staff looking at the customer's view: its own entry
    assert NOTE not in _loaded_twice(alice, page)
    services.case_add_note(case=case, actor=world.sam, body="Internal: call Frankfurt again at noon")
    assert "call Frankfurt again" in timeline(sam.get(staff_page))
    for client in (alice, sam):  # the customer's timeline, fresh and kept, whoever reads it
        for _ in range(2):
            body = text(client.get(page))
            assert "Frankfurt" not in body
            assert "internal" not in visible_text(body)


def test_a_status_change_shows_in_the_timeline_and_the_badges(world, case):
    alice, page = _client(world.alice), case.get_absolute_url()
    _loaded_twice(alice, page)
    services.case_wait_on_customer(case=case, actor=world.sam, body="Which pool sends these?")
    response = alice.get(page)
    assert "Which pool sends these?" in timeline(response)
    assert "Waiting on the customer" in visible_text(response)


def test_the_readers_language_and_time_zone_are_their_own_entries(world, case):
    alice, page = _client(world.alice), case.get_absolute_url()
    assert "10:00 CEST" in _loaded_twice(alice, page)  # Alice reads Warsaw time
    user_update_preferences(user=world.alice, timezone="America/New_York")
    assert "04:00 EDT" in timeline(alice.get(page))
    user_update_preferences(user=world.alice, language="pl")
    assert "Odpowiedź" in timeline(alice.get(page))  # "Reply" in Polish


def test_a_name_changed_and_a_text_scrubbed_show_at_once(world, case):
    alice, page = _client(world.alice), case.get_absolute_url()
    assert "Sam Okafor" in _loaded_twice(alice, page)
    user_update_preferences(user=world.sam, full_name="Sam Okafor-Nowak")
    assert "Sam Okafor-Nowak" in timeline(alice.get(page))
    event = CaseEvent.objects.get(case=case, body="We are looking at the bounces.")
    event.body = "We are looking at […]."  # an erasure's way: the row saved (cases/erasure.py)
    event.save(update_fields=["body"])
    assert "looking at […]" in timeline(alice.get(page))


def test_a_deadline_in_the_timeline_reads_today_until_the_readers_midnight(world, case, frozen):
    due = AT + timedelta(hours=5)  # 15:00 in Warsaw, today
    CaseEvent.objects.create(
        case=case, actor=world.tina, kind=CaseEvent.Kind.ESCALATION_ACKNOWLEDGED, details={"due_at": due.isoformat()}
    )
    alice, page = _client(world.alice), case.get_absolute_url()
    assert "deadline 15:00 CEST" in visible_text(_loaded_twice(alice, page))
    frozen(datetime(2026, 6, 9, 22, 1, tzinfo=UTC))  # 00:01 on Wednesday in Warsaw: that was yesterday
    alice.force_login(world.alice)  # a session idle that long has ended
    assert "deadline 15:00 CEST" not in visible_text(timeline(alice.get(page)))


def summary(response) -> str:
    body = text(response)
    start = body.index('<section class="case-summary panel">')
    return body[start : body.index("</section>", start)]


def test_the_summary_shows_a_linked_case_a_follower_and_its_clock_at_once(world, frozen):
    frozen(AT)
    case, alice, page = open_case(world), _client(world.alice), "/a/acme/cases/ACME-000001/"
    other = open_case(world, subject="Opens are not tracked")
    first = _loaded_twice(alice, page, part=summary, read='"cases_case_related_cases"')
    assert other.number not in first
    assert 'class="badge ok"' in first
    services.case_link(case=case, other=other, actor=world.sam)
    assert other.number in summary(alice.get(page))
    services.case_follow(case=case, user=world.arthur, follow=True)
    assert "Arthur Malinowski" in summary(alice.get(page))
    frozen(case.response_due_at + timedelta(minutes=1))
    alice.force_login(world.alice)  # a session idle that long has ended
    assert 'class="badge bad"' in summary(alice.get(page))


# --- the lists ------------------------------------------------------------------------------------------


def table(response) -> str:
    body = text(response)
    start = body.index("<tbody>")
    return body[start : body.index("</tbody>", start)]


def _rows_loaded_twice(client, path: str) -> str:
    return _loaded_twice(client, path, part=table, read='FROM "cases_case"')


def test_a_new_case_and_a_status_change_show_on_the_customers_list(world, case):
    alice = _client(world.alice)
    assert "Waiting on the customer" not in _rows_loaded_twice(alice, "/a/acme/cases/")
    open_case(world, subject="Opens are not tracked")
    assert "Opens are not tracked" in table(alice.get("/a/acme/cases/"))
    services.case_wait_on_customer(case=case, actor=world.sam, body="Which pool?")
    assert "Waiting on the customer" in table(alice.get("/a/acme/cases/"))
    assert "Waiting on the customer" in table(alice.get("/a/acme/cases/", headers=HTMX))  # the filter's fragment


def test_a_rows_clock_turns_overdue_when_its_deadline_passes(world, frozen):
    frozen(AT)
    case, alice = open_case(world), _client(world.alice)  # waiting for our first response
    assert 'class="badge ok"' in _rows_loaded_twice(alice, "/a/acme/cases/")
    frozen(case.response_due_at + timedelta(minutes=1))
    alice.force_login(world.alice)  # a session idle that long has ended
    assert 'class="badge bad"' in table(alice.get("/a/acme/cases/"))


def test_the_queue_shows_an_assignment_and_another_accounts_new_case_at_once(world, case):
    sam = _client(world.sam)
    other = CaseFactory(account=world.acme, number="ACME-000777", status=Case.Status.NEW)
    assert "ACME-000777" in _rows_loaded_twice(sam, "/console/cases/?view=unassigned")
    services.case_assign(case=other, actor=world.sam, assignee=world.sam)
    assert "ACME-000777" not in table(sam.get("/console/cases/?view=unassigned"))
    assert "Sam Okafor" in table(sam.get("/console/cases/?view=mine"))
    _rows_loaded_twice(sam, "/console/cases/")
    open_case(world, account=world.globex, actor=world.bob, subject="Globex webhooks stopped")
    assert "Globex webhooks stopped" in table(sam.get("/console/cases/"))


def test_the_queues_past_a_deadline_view_follows_the_clock(world, frozen):
    frozen(AT)
    case, sam = open_case(world), _client(world.sam)
    assert case.number not in table(sam.get("/console/cases/?view=breached"))
    frozen(case.next_deadline_at + timedelta(minutes=1))
    sam.force_login(world.sam)  # a session idle that long has ended
    assert case.number in table(sam.get("/console/cases/?view=breached"))


def test_each_person_has_their_own_queue(world, case):
    sam, tess = _client(world.sam), _client(world.tess)  # Tess is Globex's TAM only
    assert case.number in _rows_loaded_twice(sam, "/console/cases/")
    assert case.number not in table(tess.get("/console/cases/"))


@pytest.mark.parametrize("language", ["en", "pl"])
def test_an_entrys_kind_reads_as_djangos_label(language):
    """Each timeline entry's kind is looked up in its enum (core/choices.py), not through Django's dict of every
    kind: the same text."""
    from django.utils import translation

    event = CaseEvent()
    with translation.override(language):
        for value, label in CaseEvent.Kind.choices:
            event.kind = value
            assert event.get_kind_display() == str(label)
    event.kind = "no-such-kind"
    assert event.get_kind_display() == "no-such-kind"
