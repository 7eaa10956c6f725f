"""The console's incidents panel is kept like the dashboard's availability panel (issue 18): under every reached
account's availability topic, which a write that changes what is unavailable moves, and until the clock changes
what it shows. MISSION: AV-1."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from availability.ingest import digest_of, ingest
from availability.ledger import CLOCK_SKEW, OPEN_WITHIN
from tests.helpers import panel_text

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())


def feed(account, seconds, outcome="timeout", channel="api"):
    stamps = (datetime.fromtimestamp(s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for s in seconds)
    lines = ["ts,channel,outcome", *(f"{stamp},{channel},{outcome}" for stamp in stamps)]
    assert ingest(account, lines, digest=digest_of(["\n".join(lines).encode()])).accepted == len(lines) - 1


def incidents(client) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/console/")
    return panel_text(response, "incidents"), [q["sql"] for q in captured.captured_queries]


def read_rollups(queries) -> bool:
    return any("availability_secondrollup" in sql for sql in queries)


@pytest.fixture
def tina(client, world, frozen):
    frozen(NOW)
    feed(world.acme, range(T - 600, T - 590))  # ten seconds down, ten minutes ago: ended
    client.force_login(world.tina)
    return client


def test_a_second_look_reads_no_rollups_and_a_new_unavailable_second_shows_at_once(tina, world):
    shown, queries = incidents(tina)
    assert "Ended Acme · 1 incident, 10 s" in shown and read_rollups(queries)
    shown, queries = incidents(tina)
    assert "Ended Acme · 1 incident, 10 s" in shown and not read_rollups(queries)
    feed(world.acme, [T - 5])  # down again, five seconds ago
    shown, _queries = incidents(tina)
    assert "Open Acme · 2 incidents, 11 s" in shown


def test_good_seconds_keep_it(tina, world):
    incidents(tina)
    feed(world.acme, range(T - 60, T - 30), "success")
    shown, queries = incidents(tina)
    assert "1 incident, 10 s" in shown and not read_rollups(queries)


def test_an_open_incident_ends_by_the_clock_alone(tina, world, frozen):
    feed(world.acme, [T - 10])
    assert "Open Acme" in incidents(tina)[0]
    frozen(datetime.fromtimestamp(T - 10 + 1 + OPEN_WITHIN - 1, UTC))  # the last second before it is over
    assert "Open Acme" in incidents(tina)[0]
    frozen(datetime.fromtimestamp(T - 10 + 1 + OPEN_WITHIN, UTC))
    assert "Ended Acme · 2 incidents, 11 s" in incidents(tina)[0]


def test_seconds_leave_after_24_hours_and_one_dated_ahead_comes_in_when_due(tina, world, frozen):
    feed(world.acme, [T + CLOCK_SKEW - 1])  # the feed's clock is ahead of ours
    assert "1 incident, 10 s" in incidents(tina)[0]
    frozen(datetime.fromtimestamp(T + CLOCK_SKEW - 1, UTC))
    assert "Open Acme · 2 incidents, 11 s" in incidents(tina)[0]
    frozen(datetime.fromtimestamp(T - 590 + 86401, UTC))  # the first ten have left the last 24 hours
    tina.force_login(world.tina)  # a day later: staff sign in again after 30 idle minutes
    assert "Ended Acme · 1 incident, 1 s" in incidents(tina)[0]  # the one dated ahead is left
    frozen(datetime.fromtimestamp(T + CLOCK_SKEW - 1 + 86401, UTC))  # 24 hours and a second after it
    tina.force_login(world.tina)
    assert "No unavailable seconds on your accounts in the last 24 hours." in incidents(tina)[0]


def test_each_person_sees_their_accounts(tina, client, world):
    feed(world.globex, [T - 100])
    assert "Globex" not in incidents(tina)[0]
    client.force_login(world.tess)  # Globex's TAM
    shown = incidents(client)[0]
    assert "Globex" in shown and "Acme" not in shown
