"""The dashboard's availability panel read once and kept in the cache (issue 18, MISSION: AV-1, CR-0).

Its data arrives every second (the rollups' upsert): the upsert moves the panel's own version (its topic,
``availability.models.PANEL_TOPIC``) only when what the panel shows can have changed, so a steady feed of good
seconds keeps it (and never the account's other panels) cached, and every change shows on the very next request.
The clock changes it twice: when the UTC month turns (the ledger's months) and when the incident going on is over.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from availability import alerts, panels
from availability.ingest import digest_of, ingest
from availability.ledger import OPEN_WITHIN
from availability.models import PANEL_TOPIC, AvailabilityProfile
from tests.accounts.factories import MembershipFactory
from tests.helpers import panel_text, without_csrf

pytestmark = pytest.mark.django_db
DASHBOARD = "/a/acme/"
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())


def stamp(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed(account, seconds, outcome="timeout", channel="api"):
    """The seconds' attempts through the ingestion (the API's and the command line's way in)."""
    lines = ["ts,channel,outcome", *(f"{stamp(s)},{channel},{outcome}" for s in seconds)]
    outcome = ingest(account, lines, digest=digest_of(["\n".join(lines).encode()]))
    assert outcome.accepted == len(lines) - 1


def shown(client, url=DASHBOARD) -> str:
    return panel_text(client.get(url), "availability")


def topic_version(account):
    return cache.get(f"panelv:{account.pk}:{PANEL_TOPIC}")


@pytest.fixture
def alice(client, world, frozen):
    frozen(NOW)
    AvailabilityProfile.objects.create(account=world.acme, target_pct="99.99")
    feed(world.acme, range(T - 3600, T - 3000, 10), "success")  # this month has data, on both channels
    feed(world.acme, range(T - 3600, T - 3000, 10), "success", "smtp")
    client.force_login(world.alice)
    return client


def test_the_panel_reads_the_seconds_and_the_profile_once(world, frozen):
    """It read the rollups and the profile twice (the months, then the incident going on)."""
    frozen(NOW)
    AvailabilityProfile.objects.create(account=world.acme)
    with CaptureQueriesContext(connection) as captured:
        panels.availability(None, world.acme)
    tables = [q["sql"] for q in captured.captured_queries]
    assert sum('FROM "availability_availabilityprofile"' in sql for sql in tables) == 1
    assert sum('FROM "availability_secondrollup"' in sql.split("EXISTS")[0] for sql in tables) == 1
    assert len(tables) == 4  # the unavailable seconds, the profile, the channels attempted, the incident alerts


def warm_queries(client) -> list[str]:
    client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(DASHBOARD).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_a_warm_dashboard_asks_the_person_and_the_account_only(alice, world):
    queries = warm_queries(alice)
    assert len(queries) <= 4  # it was 9: six for this panel, the account switcher apart
    assert not [sql for sql in queries if "availability_" in sql]
    assert sum('FROM "accounts_account"' in sql for sql in queries) == 1  # the account and the switcher at once


CHANGES = [  # (what happens, the seconds fed, outcome, channel)
    ("unavailable seconds this month", range(T - 200, T - 190), "timeout", "api"),
    ("unavailable seconds last month (a late batch)", range(T - 20 * 86400, T - 20 * 86400 + 30), "timeout", "smtp"),
]


@pytest.mark.parametrize(("what", "seconds", "outcome", "channel"), CHANGES, ids=[c[0] for c in CHANGES])
def test_new_data_shows_on_the_next_request(alice, world, what, seconds, outcome, channel):
    before = shown(alice)
    feed(world.acme, seconds, outcome, channel)
    after = shown(alice)
    assert after != before
    cache.clear()
    assert shown(alice) == after  # as drawn afresh


def test_a_success_in_an_unavailable_second_makes_it_available_at_once(alice, world):
    feed(world.acme, [T - 500], "timeout")
    down = shown(alice)
    assert "1 incident" in down
    feed(world.acme, [T - 500], "success")  # the second had an answer after all: not unavailable (AV-1)
    assert "incident" not in shown(alice) and shown(alice) != down


def test_a_first_attempt_this_month_replaces_no_data(client, world, frozen):
    frozen(NOW)
    client.force_login(world.alice)
    assert "No data" in shown(client)
    feed(world.acme, [T - 60], "success")
    assert "No data" not in shown(client) and "100.0000%" in shown(client)


def test_an_answer_in_a_quiet_gap_splits_an_incident_at_once(alice, world):
    """Two unavailable seconds 30 s apart with no attempt between are one incident (merged); an attempt that
    arrives late in the gap makes them two (ledger.incidents)."""
    feed(world.acme, [T - 900, T - 870], "timeout")
    assert "1 incident" in shown(alice)
    feed(world.acme, [T - 885], "success")
    assert "2 incidents" in shown(alice)


def test_a_steady_feed_of_good_seconds_keeps_the_panel_cached(alice, world, frozen):
    feed(world.acme, [T - 2000], "timeout")
    shown(alice)
    versions = topic_version(world.acme), cache.get(f"panelv:{world.acme.pk}")
    for n in range(3):  # each second's answers, in order, a batch each
        frozen(NOW + timedelta(seconds=n))
        feed(world.acme, [T + n], "success", "api")
        feed(world.acme, [T + n], "client_error", "smtp")
    assert (topic_version(world.acme), cache.get(f"panelv:{world.acme.pk}")) == versions
    assert not [sql for sql in warm_queries(alice) if "availability_" in sql]


def test_an_incident_going_on_shows_at_once_and_ends_exactly_when_it_is_over(alice, world, frozen):
    assert "Unavailable now" not in shown(alice)
    feed(world.acme, range(T - 100, T - 10), "timeout")  # 90 s: sustained (60 s), the last one 11 s ago
    assert "Unavailable now: 90 unavailable seconds" in shown(alice)
    over = T - 11 + OPEN_WITHIN
    frozen(datetime.fromtimestamp(over - 1, UTC))
    assert "Unavailable now" in shown(alice)
    frozen(datetime.fromtimestamp(over, UTC))  # no write: the clock alone
    assert "Unavailable now" not in shown(alice)
    assert "1 incident" in shown(alice)


def test_the_watchers_incident_alert_moves_the_panels_version(alice, world):
    feed(world.acme, range(T - 100, T - 10), "timeout")
    shown(alice)
    before = topic_version(world.acme)
    assert alerts.alert(world.acme, T) == 1
    assert topic_version(world.acme) != before


def test_the_month_turns_at_the_utc_months_end_whatever_the_readers_zone(client, world, frozen):
    """The ledger's months are UTC calendar months (AV-1): Alice in Warsaw sees November's figures as this month's
    until 00:00 UTC on 1 December (01:00 her time), then as last month's."""
    frozen("2026-11-30 22:00")
    feed(world.acme, range(T - 10, T), "timeout")
    client.force_login(world.alice)
    november = shown(client)
    assert "99.9996%" in november.split("Last month")[0] and "Last month: no data" in november
    frozen("2026-11-30 23:00")  # midnight in Warsaw: still November in UTC
    assert shown(client) == november
    frozen("2026-12-01 00:00")
    december = shown(client)
    assert "No data" in december.split("Last month")[0] and "Last month: 99.9996%" in december


def test_people_languages_and_accounts_have_their_own(alice, client, world):
    feed(world.acme, range(T - 400, T - 390), "timeout")
    english = shown(alice)
    world.arthur.language = "pl"
    world.arthur.save()
    client.force_login(world.arthur)
    polish = shown(client)
    assert polish != english and "Poprzedni miesiąc" in polish
    acme = topic_version(world.acme)
    feed(world.globex, range(T - 900, T - 800), "timeout")  # Globex's outage: never on Acme's panel
    assert topic_version(world.acme) == acme
    client.force_login(world.alice)
    assert shown(client) == english
    client.force_login(world.bob)
    assert "1 incident" in shown(client, "/a/globex/") and "99.9961%" in shown(client, "/a/globex/")
    assert client.get(DASHBOARD).status_code == 404


def test_the_cached_page_is_the_page_drawn_afresh(alice, world):
    feed(world.acme, range(T - 100, T - 10), "timeout")
    alice.get(DASHBOARD)
    cached = without_csrf(alice.get(DASHBOARD))
    cache.clear()
    assert without_csrf(alice.get(DASHBOARD)) == cached


def test_the_switcher_lists_a_customers_other_accounts_by_name(client, world, frozen):
    frozen(NOW)
    MembershipFactory(account=world.globex, user=world.alice, role="member")
    client.force_login(world.alice)
    page = client.get("/a/globex/").content.decode()
    assert 'href="/a/acme/">Acme</a>' in page and 'href="/a/globex/">Globex' not in page
    assert client.get("/a/nowhere/").status_code == 404
    client.force_login(world.bob)
    assert client.get(DASHBOARD).status_code == 404  # Acme is not his, whatever is cached for Alice
    assert "Acme" not in client.get("/a/globex/").content.decode()


def test_the_clock_inside_the_month_is_not_a_change(alice, world, frozen):
    """The month's figures count its whole length: they do not move with the clock inside the month (kept 300 s
    at most, the panel is drawn again here)."""
    feed(world.acme, range(T - 10, T), "timeout")
    first = shown(alice)
    frozen(NOW + timedelta(minutes=30))
    assert timezone.now() > NOW and shown(alice) == first
