"""The staff queue's forms are kept in the panel cache with its table (cases/fragments.py ``queue_parts``, issue 18):
the filters, the saved views, the save-view and bulk-action forms, drawn once per query string, person, language
and zone under the versions of every account the person reaches, with the CSRF token and the one-time form tokens
put in per answer (``cases.fragments.Forms``). Each test loads the queue twice (the second answer's forms from the
cache: none of their reads runs), makes one change the way the portal makes it, and loads it again.
MISSION: TAM-4 (the queue and its saved views)."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import user_update_preferences
from cases import services
from cases.models import Case, SavedView
from core.panel_cache import MAX_SECONDS, csrf_placeholder, form_token_placeholder
from tests.cases.conftest import open_case
from tests.helpers import client_of, input_values, text, visible_text, without_csrf

QUEUE = "/console/cases/"
SELECTING = "/console/cases/?select=1"
SAVED_VIEWS_READ = '"cases_savedview"'


def _loaded_twice(client, path: str) -> str:
    """The queue as drawn (its forms read the saved views), then again: the same HTML but its tokens, none of the
    forms' reads, and two queries besides the session (the person, the accounts they reach)."""
    with CaptureQueriesContext(connection) as drawn:
        first = text(client.get(path))
    assert any(SAVED_VIEWS_READ in q["sql"] for q in drawn.captured_queries)
    with CaptureQueriesContext(connection) as served:
        second = text(client.get(path))
    assert not any(SAVED_VIEWS_READ in q["sql"] for q in served.captured_queries)
    page_reads = [q["sql"][:80] for q in served.captured_queries if '"django_session"' not in q["sql"]]
    assert len(page_reads) == 2, page_reads  # the session is Redis's in production, the database's here
    assert without_csrf(second) == without_csrf(first)
    return second


def _views(html: str) -> str:
    section = re.search(r'<section class="saved-views".*?</section>', html, re.S)
    assert section, "no saved views on the page"
    return visible_text(section.group(0))


@pytest.fixture
def case(world):
    return open_case(world)


# --- what changes shows at once ---------------------------------------------------------------------------


def test_a_saved_view_added_and_removed_shows_at_once(world, case):
    sam = client_of(world.sam)
    assert "none yet" in _views(_loaded_twice(sam, QUEUE))
    mine = services.saved_view_save(actor=world.sam, name="Critical, mine", filters={"view": "mine"}, shared=False)
    assert "Critical, mine" in _views(text(sam.get(QUEUE)))
    services.saved_view_save(actor=world.tina, name="Tina's breaches", filters={"view": "breached"}, shared=True)
    assert "Tina's breaches" in _views(_loaded_twice(sam, QUEUE))
    services.saved_view_delete(actor=world.sam, view=mine)
    shown = _views(text(sam.get(QUEUE)))
    assert "Critical, mine" not in shown and "Tina's breaches" in shown


def test_a_view_changed_outside_the_services_shows_at_once(world, case):
    """The admin and fixtures save rows without a service (no audit row): ``SavedView`` is watched."""
    view = services.saved_view_save(actor=world.tina, name="Team view", filters={}, shared=True)
    sam = client_of(world.sam)
    assert "Team view" in _views(_loaded_twice(sam, QUEUE))
    view.shared = False
    view.save()
    assert "Team view" not in _views(text(sam.get(QUEUE)))
    view.shared, view.name = True, "Renamed"
    view.save()
    assert "Renamed" in _views(text(sam.get(QUEUE)))
    view.delete()
    assert "Renamed" not in _views(text(sam.get(QUEUE)))


def test_the_owners_new_name_shows_on_a_shared_view_at_once(world, case):
    services.saved_view_save(actor=world.tina, name="Team view", filters={}, shared=True)
    sam = client_of(world.sam)
    assert "shared by Tina Nowak" in _views(_loaded_twice(sam, QUEUE))
    user_update_preferences(user=world.tina, full_name="Tina Kowalska")
    assert "shared by Tina Kowalska" in _views(text(sam.get(QUEUE)))


def test_an_applied_view_offers_its_change_form_to_its_owner_alone(world, case):
    view = services.saved_view_save(actor=world.sam, name="Unassigned", filters={"view": "unassigned"}, shared=True)
    page = view.get_absolute_url()
    sam, tina = client_of(world.sam), client_of(world.tina)
    assert 'data-testid="saved-view-change"' in _loaded_twice(sam, page)
    served = _loaded_twice(tina, page)
    assert 'data-testid="saved-view-change"' not in served and 'data-testid="saved-view-create"' in served


def test_the_forms_are_kept_five_minutes_at_most(world, frozen):
    """Nothing in them follows the clock; still, no entry outlives ``MAX_SECONDS`` (core/panel_cache.py)."""
    start = frozen("2026-06-09 08:00")
    open_case(world)
    sam = client_of(world.sam)
    _loaded_twice(sam, QUEUE)
    frozen(start + timedelta(seconds=MAX_SECONDS + 1))
    with CaptureQueriesContext(connection) as drawn:
        sam.get(QUEUE)
    assert any(SAVED_VIEWS_READ in q["sql"] for q in drawn.captured_queries)


# --- tokens: a form posted without htmx carries what Django and once() accept -----------------------------


def test_a_bulk_action_posted_without_htmx_from_the_cached_page_is_accepted(world, case):
    sam = client_of(world.sam, enforce_csrf_checks=True)
    _loaded_twice(sam, SELECTING)
    body = text(sam.get(SELECTING))  # the forms from the cache
    assert csrf_placeholder() not in body and form_token_placeholder() not in body
    bulk = re.search(r'<form method="post" action="/console/cases/bulk/".*?</form>', body, re.S).group(0)
    (csrf,) = input_values(bulk, "csrfmiddlewaretoken")
    (once,) = input_values(bulk, "form_token")
    assert re.fullmatch(r"[0-9a-f]{32}", once)
    data = {"csrfmiddlewaretoken": csrf, "form_token": once, "action": "start", "cases": [case.number]}
    response = sam.post("/console/cases/bulk/", data)
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS
    assert sam.post("/console/cases/bulk/", {**data, "csrfmiddlewaretoken": ""}).status_code == 403  # checked


def test_a_view_saved_from_the_cached_page_is_accepted_and_each_answer_has_freshinput_values(world, case):
    sam = client_of(world.sam, enforce_csrf_checks=True)
    body = _loaded_twice(sam, SELECTING)
    again = text(sam.get(SELECTING))
    assert set(input_values(again, "form_token")).isdisjoint(input_values(body, "form_token"))
    assert len(input_values(again, "form_token")) == len(set(input_values(again, "form_token"))) == 2  # save view, bulk
    save = re.search(r'<form method="post" action="/console/cases/views/".*?</form>', again, re.S).group(0)
    data = {
        "name": "Selecting",
        "shared": "",
        **{k: input_values(save, k)[0] for k in ("csrfmiddlewaretoken", "form_token")},
    }
    assert sam.post("/console/cases/views/", data).status_code == 302
    assert SavedView.objects.filter(owner=world.sam, name="Selecting").exists()


# --- whose forms ------------------------------------------------------------------------------------------


def test_each_person_has_their_own_views_and_anothers_private_view_stays_a_404(world, case):
    mine = services.saved_view_save(actor=world.sam, name="Sam's own", filters={"view": "mine"}, shared=False)
    sam, tina = client_of(world.sam), client_of(world.tina)
    assert "Sam's own" in _views(_loaded_twice(sam, QUEUE))
    assert "Sam's own" not in _views(_loaded_twice(tina, QUEUE))
    assert 'aria-current="true">Sam' in _loaded_twice(sam, mine.get_absolute_url())
    assert tina.get(mine.get_absolute_url()).status_code == 404  # cached for Sam, never served to Tina


def test_each_language_has_its_own_forms(world, case):
    sam, tina = client_of(world.sam), client_of(world.tina)
    assert "Saved views:" in visible_text(_loaded_twice(sam, QUEUE))
    assert "Saved views:" in visible_text(_loaded_twice(tina, QUEUE))
    user_update_preferences(user=world.sam, language="pl")
    assert "Zapisane widoki:" in visible_text(text(sam.get(QUEUE)))
    assert "Saved views:" in visible_text(text(tina.get(QUEUE)))


def test_a_tam_sees_only_their_accounts_cases(world, case):
    theirs = open_case(world, account=world.globex, actor=world.bob, subject="Globex webhooks stopped")
    sam, tess = client_of(world.sam), client_of(world.tess)  # Tess is Globex's TAM only
    both = _loaded_twice(sam, SELECTING)
    assert case.number in both and theirs.number in both
    served = _loaded_twice(tess, SELECTING)
    assert theirs.number in served and case.number not in served and "Acme" not in visible_text(served)


# --- the same HTML as drawn afresh ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [QUEUE, SELECTING, "/console/cases/?view=mine&severity=critical", "/console/cases/?q=gmail"]
)
def test_the_cached_page_equals_the_page_drawn_afresh(world, case, path):
    services.saved_view_save(actor=world.sam, name="Mine", filters={"view": "mine"}, shared=True)
    sam = client_of(world.sam)
    cache.clear()
    fresh = text(sam.get(path))
    served = text(sam.get(path))
    assert csrf_placeholder() not in served and form_token_placeholder() not in served
    assert without_csrf(served) == without_csrf(fresh)
    assert 'id="queue-forms"' in served and 'id="queue-table"' in served
