"""The REST API's reads (issue 20; MISSION: DLV-2, DLV-1, TAM-3, AV-1): blocklist status and events, sender
authentication, warm-up plans with their figures, availability months; each as the portal shows it, and
every endpoint x every token kind keeps another account's objects a 404 like missing ones."""

from datetime import UTC, date, datetime

import pytest

from cases.services import case_open
from tests.api.conftest import bearer
from tests.availability.factories import SecondRollupFactory
from tests.deliverability.factories import (
    AuthFindingFactory,
    AuthRunFactory,
    ListingEventFactory,
    ListingStatusFactory,
    MonitoredTargetFactory,
)
from tests.planning.factories import DailyActualFactory, WarmupPlanFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def data(world):
    acme_ip = MonitoredTargetFactory(account=world.acme, kind="ip", value="192.0.2.10")
    globex_ip = MonitoredTargetFactory(account=world.globex, kind="ip", value="198.51.100.7")
    ListingStatusFactory(target=acme_ip)
    ListingStatusFactory(target=globex_ip)
    ListingEventFactory(target=acme_ip)
    ListingEventFactory(target=globex_ip)
    AuthFindingFactory(run=AuthRunFactory(account=world.acme), subject="acme.example", status="fail", title="No SPF")
    AuthFindingFactory(run=AuthRunFactory(account=world.globex), subject="globex.example")
    plans = {
        "acme": WarmupPlanFactory(account=world.acme, start_date=date(2026, 5, 4)),
        "globex": WarmupPlanFactory(account=world.globex, start_date=date(2026, 5, 4)),
    }
    DailyActualFactory(plan=plans["acme"], day=date(2026, 5, 4), provider="gmail", sent=1000)
    start = int(datetime(2026, 11, 9, 10, 0, tzinfo=UTC).timestamp())
    for n in range(120):  # two minutes unavailable on Acme's API
        SecondRollupFactory(account=world.acme, channel=1, second=start + n)
    return plans


def get(client, url, key):
    return client.get(url, headers=bearer(key))


def test_blocklist_status_and_events_are_the_accounts_own(client, world, keys, data):
    status = get(client, "/api/v1/blocklists/status", keys.acme).json()
    assert status["count"] == 1
    assert [(s["target"], s["zone"], s["listed"]) for s in status["items"]] == [
        ("192.0.2.10", "zen.spamhaus.org", True)
    ]
    events = get(client, "/api/v1/blocklists/events", keys.acme).json()
    assert events["count"] == 1 and events["items"][0]["kind"] == "listed"


def test_authentication_findings_worst_first(client, world, keys, data):
    found = get(client, "/api/v1/authentication", keys.acme).json()
    assert [(f["subject"], f["status"], f["title"]) for f in found["findings"]] == [("acme.example", "fail", "No SPF")]


def test_warmup_plans_and_their_figures(client, world, keys, data):
    plans = get(client, "/api/v1/warmup/plans", keys.acme).json()
    assert [p["id"] for p in plans["items"]] == [data["acme"].pk]
    plan = get(client, f"/api/v1/warmup/plans/{data['acme'].pk}", keys.acme).json()
    assert [(a["day"], a["provider"], a["sent"]) for a in plan["actuals"]] == [("2026-05-04", "gmail", 1000)]


def test_an_availability_month_as_the_page_counts_it(client, world, keys, data, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 12, 0, tzinfo=UTC))
    month = get(client, "/api/v1/availability/months/2026-11", keys.acme).json()
    assert month["unavailable_seconds"] == 120 and month["no_data"] is False
    assert [(i["start"], i["unavailable_seconds"]) for i in month["incidents"]] == [("2026-11-09T10:00:00Z", 120)]
    assert get(client, "/api/v1/availability/months/2027-01", keys.acme).status_code == 400
    assert get(client, "/api/v1/availability/months/2026-13", keys.acme).status_code == 400


@pytest.mark.parametrize("kind", ["acme", "acme_read", "acme_by_tam"])
def test_every_object_endpoint_answers_another_accounts_object_like_a_missing_one(client, world, keys, data, kind):
    key = getattr(keys, kind)
    theirs = case_open(
        account=world.globex,
        actor=world.bob,
        subject="Globex",
        description="d",
        severity="non_critical",
        category="bug",
    )
    pairs = [
        (f"/api/v1/cases/{theirs.number}", "/api/v1/cases/NOPE-000001"),
        (f"/api/v1/warmup/plans/{data['globex'].pk}", "/api/v1/warmup/plans/999999"),
        (f"/api/v1/cases/{theirs.number}/events/{theirs.events.first().pk}", "/api/v1/cases/NOPE-1/events/1"),
    ]
    for their, missing in pairs:
        a, b = get(client, their, key), get(client, missing, key)
        assert (a.status_code, a.content) == (b.status_code, b.content) == (404, b'{"detail": "not found"}')
    for url in (
        "/api/v1/blocklists/status",
        "/api/v1/blocklists/events",
        "/api/v1/authentication",
        "/api/v1/warmup/plans",
        "/api/v1/cases",
    ):
        assert "globex" not in get(client, url, key).content.decode().lower(), url
        assert "198.51.100.7" not in get(client, url, key).content.decode(), url


def test_a_token_without_the_areas_scope_is_refused(client, world, keys, data):
    from accounts.services import api_token_issue

    _token, key = api_token_issue(account=world.acme, name="cases only", actor=world.alice, scopes=["cases:read"])
    for url in (
        "/api/v1/blocklists/status",
        "/api/v1/authentication",
        "/api/v1/warmup/plans",
        "/api/v1/availability/months/2026-11",
    ):
        assert get(client, url, key).status_code == 403, url
