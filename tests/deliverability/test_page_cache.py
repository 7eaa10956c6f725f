"""The blocklists page's parts kept in the panel cache (deliverability/blocklists/parts.py, issue 18): the summary
with the last check, the grids, the recent events, the articles and what is monitored. A finished sweep, a listing,
a delisting, a target or stream added and a role changed show on the very next request; a running sweep's
progress is always live; "N minutes ago" moves with the clock; people, languages, zones and accounts never share an
entry; the HTML is the uncached drawing's. MISSION: DLV-2. (The grids alone: test_grid_cache.py.)"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from accounts.models import Membership, User
from deliverability import services
from deliverability.models import Sweep
from tests.deliverability.conftest import PAGE
from tests.deliverability.factories import ListingEventFactory, SweepFactory
from tests.helpers import HTMX, text, visible_text, without_csrf

AT = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # 10:00 in Warsaw (Alice's zone)
CSS = "192.0.2.10 :127.0.0.3:CSS listing for $"
NOT_READ_WARM = (  # what a warm request never reads: each is a part's, kept in the cache
    '"deliverability_blocklist"',
    '"deliverability_listingstatus"',
    '"deliverability_listingevent"',
    '"deliverability_messagestream"',
    '"accounts_membership"."role"',
    '"deliverability_article"',
)


@pytest.fixture
def acme(world):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10 192.0.2.11", stream_name="tx")
    services.targets_add(account=world.acme, actor=world.alice, text="acme.example", role="from")
    return world.acme


def between(response, start: str, end: str) -> str:
    body = text(response)
    first = body.index(start)
    return body[first : body.index(end, first)]


def summary(response) -> str:
    return visible_text(between(response, 'id="blocklist-summary"', '<form method="get" class="filters"'))


def events(response) -> str:
    return visible_text(between(response, 'data-testid="events"', "</table>"))


def monitored(response) -> str:
    return between(response, 'id="monitored"', "</section>")


def progress(response) -> str:
    return between(response, 'id="sweep-progress"', "</section>")


def warm(client, path: str = PAGE, **headers):
    """The page asked twice: the second answer comes from the cache, and equals the first."""
    first = client.get(path, headers=headers)
    with CaptureQueriesContext(connection) as catalogue_server:
        second = client.get(path, headers=headers)
    assert second.status_code == first.status_code == 200
    assert without_csrf(second) == without_csrf(first)
    return second, [q["sql"] for q in catalogue_server]


def drawn_afresh(client, path: str = PAGE, **headers):
    cache.clear()
    return client.get(path, headers=headers)


# --- what a warm request costs, and that it is the drawing ----------------------------------------------


def test_a_warm_request_reads_the_person_the_account_and_the_latest_sweep(alice, acme, world):
    SweepFactory(account=acme)
    response, queries = warm(alice)
    assert len(queries) <= 5, queries
    assert not [q for q in queries for table in NOT_READ_WARM if table in q], queries
    assert sum('"deliverability_sweep"' in q for q in queries) == 1  # the latest sweep: the progress, live


@pytest.mark.parametrize("who", ["alice", "arthur", "tina"])
@pytest.mark.parametrize("query", ["", "?show=problems", "?ip_page=2"])
def test_the_page_from_the_cache_is_the_uncached_drawing(client, catalogue_server, sweep, acme, world, who, query):
    catalogue_server.serve({"zen.spamhaus.org": [CSS]})
    sweep(acme)
    client.force_login(getattr(world, who))
    cached, _queries = warm(client, PAGE + query)
    assert without_csrf(cached) == without_csrf(drawn_afresh(client, PAGE + query))
    grids, _queries = warm(client, PAGE + query, **HTMX, **{"HX-Target": "blocklist-grids"})
    assert text(grids).lstrip().startswith('<div id="blocklist-grids"')
    afresh = drawn_afresh(client, PAGE + query, **HTMX, **{"HX-Target": "blocklist-grids"})
    assert without_csrf(grids) == without_csrf(afresh)


# --- writes show on the next request --------------------------------------------------------------------


def test_a_finished_sweep_and_its_listing_show_at_once(alice, catalogue_server, sweep, acme):
    page, _queries = warm(alice)
    assert "Not checked yet." in summary(page) and "No listings or delistings yet." in events(page)
    catalogue_server.serve({"zen.spamhaus.org": [CSS]})
    sweep(acme)
    page = alice.get(PAGE)
    assert "1 listing" in summary(page) and "Last checked" in summary(page)
    assert "Listed" in events(page) and "192.0.2.10" in events(page) and "Spamhaus ZEN" in events(page)


def test_a_delisting_shows_at_once(alice, catalogue_server, sweep, acme):
    catalogue_server.serve({"zen.spamhaus.org": [CSS]})
    sweep(acme)
    page, _queries = warm(alice)
    assert "1 listing" in summary(page) and "Delisted" not in events(page)
    catalogue_server.serve({})
    sweep(acme)
    page = alice.get(PAGE)
    assert "Clean" in summary(page) and "1 listing" not in summary(page)
    assert "Delisted" in events(page)


def test_a_running_sweep_shows_its_progress_live(alice, acme):
    running = SweepFactory(account=acme, status=Sweep.State.RUNNING, finished_at=None, queries_total=100)
    page, _queries = warm(alice)
    assert "Checking: 0 of 100 queries answered" in visible_text(progress(page))
    assert 'hx-trigger="every 1s" hx-headers=\'{"X-Portal-Poll": "1"}\'' in progress(page)  # a poll, said so
    Sweep.objects.filter(pk=running.pk).update(queries_done=40)  # the worker's progress write: no version moves
    assert "Checking: 40 of 100 queries answered" in visible_text(progress(alice.get(PAGE)))
    poll = alice.get(f"{PAGE}sweeps/{running.pk}/", headers={**HTMX, "X-Portal-Poll": "1"})
    assert "Checking: 40 of 100 queries answered" in visible_text(poll)


def test_a_target_and_a_stream_added_show_at_once(alice, acme, world):
    page, _queries = warm(alice)
    assert "<strong>marketing</strong>" not in monitored(page)
    services.targets_add(account=acme, actor=world.alice, text="192.0.2.77", stream_name="marketing")
    page = alice.get(PAGE)
    assert "<strong>marketing</strong>" in monitored(page) and '<option value="marketing">' in monitored(page)
    assert "192.0.2.77" in text(page)


def test_a_member_made_admin_gets_the_controls_at_once(client, acme, world):
    client.force_login(world.arthur)
    page, _queries = warm(client)
    assert "Your account administrators and your TAM choose what is monitored." in visible_text(monitored(page))
    membership = Membership.objects.get(account=acme, user=world.arthur)
    account_services.membership_set_role(membership=membership, actor=world.alice, role="admin")
    page = client.get(PAGE)
    assert 'class="targets-form"' in monitored(page) and "Remove stream" in monitored(page)


def test_a_form_sent_back_with_its_errors_is_not_kept(alice, acme):
    warm(alice)
    refused = alice.post(f"{PAGE}targets/", {"targets": "not an address!", "role": "from"})
    assert refused.status_code == 400 and 'data-testid="rejected"' in monitored(refused)
    page = alice.get(PAGE)
    assert 'data-testid="rejected"' not in monitored(page) and "not an address!" not in text(page)


# --- the clock ------------------------------------------------------------------------------------------


def test_the_last_check_counts_the_minutes(alice, acme, frozen):
    frozen(AT)
    SweepFactory(account=acme, finished_at=AT - timedelta(minutes=10))
    page, _queries = warm(alice)
    assert "Last checked 09:50 CEST (10 minutes ago)" in summary(page)
    frozen(AT + timedelta(minutes=1))
    assert "Last checked 09:50 CEST (11 minutes ago)" in summary(alice.get(PAGE))


def test_the_events_times_move_at_the_viewers_midnight(alice, acme, frozen, world):
    frozen(AT)
    ListingEventFactory(target=acme.targets.get(value="192.0.2.10"), at=AT)
    frozen(datetime(2026, 6, 9, 21, 59, 59, tzinfo=UTC))  # 23:59:59 in Warsaw
    alice.force_login(world.alice)
    page, _queries = warm(alice)
    assert "10:00 CEST" in events(page) and "9 Jun" not in events(page)
    frozen(datetime(2026, 6, 9, 22, 0, tzinfo=UTC))
    assert "9 Jun 10:00 CEST" in events(alice.get(PAGE))


# --- whose: people, languages, zones, accounts ----------------------------------------------------------


def test_a_language_and_a_zone_are_entries_of_their_own(alice, acme, world, frozen):
    frozen(AT)
    SweepFactory(account=acme, finished_at=AT - timedelta(minutes=10))
    page, _queries = warm(alice)
    assert "Last checked 09:50 CEST" in summary(page)
    User.objects.filter(pk=world.alice.pk).update(timezone="America/New_York")  # no write a cache sees
    assert "Last checked 03:50 EDT" in summary(alice.get(PAGE))
    User.objects.filter(pk=world.alice.pk).update(language="pl")
    page = alice.get(PAGE)
    assert "Co jest monitorowane" in visible_text(monitored(page)) and "Ostatnie sprawdzenie" in summary(page)


def test_globex_never_sees_acmes(client, catalogue_server, sweep, acme, world):
    catalogue_server.serve({"zen.spamhaus.org": [CSS]})
    sweep(acme)
    alice = Client()
    alice.force_login(world.alice)
    warm(alice)
    client.force_login(world.bob)
    assert client.get(PAGE).status_code == 404
    theirs, _queries = warm(client, "/a/globex/deliverability/")
    body = visible_text(theirs)
    assert "192.0.2.10" not in body and "acme.example" not in body and "<strong>tx</strong>" not in monitored(theirs)
    assert "Not checked yet." in summary(theirs) and "No listings or delistings yet." in events(theirs)
