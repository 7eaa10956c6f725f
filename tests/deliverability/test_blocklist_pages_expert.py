"""The Blocklists page and its history as a deliverability expert read them (issue 16).

MISSION: DLV-2, DLV-4. "Check now" never claims a check it did not start; a listing kept through a
failed health check reads "Listed (unverified)"; "listings only"; policy advice for PBL; IDN in Unicode;
history filters, durations and a CSV export; a target moves between streams; the DLV-4 sentence.
"""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from deliverability import services
from deliverability.models import MonitoredTarget, Sweep
from tests.deliverability.conftest import PAGE
from tests.deliverability.factories import ListingEventFactory, ListingStatusFactory, SweepFactory, catalogue
from tests.helpers import HTMX, messages_of, text, visible_text

HISTORY = "/a/acme/deliverability/history/"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def status(value, zone, **kw):
    return ListingStatusFactory(target=MonitoredTarget.objects.get(value=value), blocklist=catalogue(zone), **kw)


# --- Check now --------------------------------------------------------------------------------------------


def test_check_now_does_not_claim_a_check_already_under_way(alice, world):
    Sweep.objects.create(account=world.acme, status=Sweep.State.RUNNING, trigger=Sweep.Trigger.SCHEDULE)
    response = alice.post(f"{PAGE}check/", follow=True)
    assert messages_of(response) == ["A check was already under way; this page shows its progress."]
    assert Sweep.objects.filter(account=world.acme).count() == 1
    fragment = visible_text(alice.post(f"{PAGE}check/", headers=HTMX))
    assert "A check was already under way" in fragment


def test_check_now_right_after_a_check_says_so_instead_of_started(alice, world):
    SweepFactory(account=world.acme, finished_at=timezone.now())  # created a moment ago (old code: "started")
    response = alice.post(f"{PAGE}check/", follow=True)
    assert messages_of(response)[0].startswith("Checked less than 5 minutes ago")
    assert Sweep.objects.filter(account=world.acme).count() == 1


def test_check_now_that_starts_a_check_says_so(alice, world):
    response = alice.post(f"{PAGE}check/", follow=True)
    assert messages_of(response) == ["The check has started; this page shows its progress."]


# --- Cells, filters, advice -------------------------------------------------------------------------------


@pytest.fixture
def acme(world):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10 192.0.2.11 192.0.2.12")
    services.targets_add(account=world.acme, actor=world.alice, text="xn--bcher-kva.example")
    status("192.0.2.10", "zen.spamhaus.org", result="unknown", listed=True, codes=[], meaning="dead")
    status("192.0.2.11", "zen.spamhaus.org", result="error", listed=None, codes=["127.255.255.254"])
    status("192.0.2.12", "zen.spamhaus.org", codes=["127.0.0.10"], meaning="PBL", policy=True)
    return world.acme


def test_a_listing_kept_through_a_failed_health_check_reads_listed_unverified(alice, acme):
    page = text(alice.get(PAGE))
    row = page[page.index("<code>192.0.2.10</code>") :].split("</tr>")[0]
    assert "Listed (unverified)" in visible_text(row)


def test_listings_only_shows_listed_targets_not_errors(alice, acme):
    grid = text(alice.get(PAGE, {"show": "listed"}))
    assert "<code>192.0.2.10</code>" in grid and "<code>192.0.2.12</code>" in grid
    assert "<code>192.0.2.11</code>" not in grid and "bücher.example" not in grid


def test_a_policy_listing_gets_policy_advice(alice, acme):
    page = text(alice.get(PAGE))
    row = page[page.index("<code>192.0.2.12</code>") :].split("</tr>")[0]
    assert "is not a spam report" in visible_text(row)
    other = page[page.index("<code>192.0.2.10</code>") :].split("</tr>")[0]
    assert "is not a spam report" not in visible_text(other)


def test_an_idn_domain_is_shown_in_unicode(alice, acme):
    page = text(alice.get(PAGE))
    assert "<code>bücher.example</code>" in page and "xn--bcher-kva" not in visible_text(page)


def test_the_page_says_what_is_not_included(alice, acme):
    sentence = visible_text(text(alice.get(PAGE)))
    assert "Not included: Tier 2 mediation (dedicated assistance) and deliverability strategy services." in sentence
    assert "Inbox placement rates cannot be guaranteed" in sentence


def test_a_sending_ip_moves_to_another_stream_from_the_page(alice, world):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10", stream_name="tx")
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.20", stream_name="mkt")
    target = MonitoredTarget.objects.get(value="192.0.2.10")
    mkt = world.acme.streams.get(name="mkt")
    response = alice.post(f"{PAGE}targets/{target.pk}/move/", {"stream": mkt.pk}, follow=True)
    assert messages_of(response) == ["192.0.2.10 is now in the stream mkt."]
    assert MonitoredTarget.objects.get(pk=target.pk).stream == mkt


# --- History ----------------------------------------------------------------------------------------------


@pytest.fixture
def history(world):
    """192.0.2.10 listed on ZEN for 2 days 3 hours, then delisted; 192.0.2.11 listed 5 hours ago, still listed
    (on a stream whose name starts like a spreadsheet formula)."""
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10")
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.11", stream_name="=cmd|' /C calc'!A0")
    ten, eleven = (MonitoredTarget.objects.get(value=v) for v in ("192.0.2.10", "192.0.2.11"))
    ListingEventFactory(target=ten, at=NOW - timedelta(days=3))
    ListingEventFactory(target=ten, kind="delisted", at=NOW - timedelta(hours=21))
    ListingEventFactory(target=eleven, blocklist=catalogue("bl.spamcop.net"), at=NOW - timedelta(hours=5))
    return world.acme


def durations(response) -> list[str]:
    return [visible_text(d.split("</td>")[0]) for d in text(response).split('data-testid="duration">')[1:]]


@time_machine.travel(NOW, tick=False)
def test_history_shows_how_long_each_listing_lasted(alice, history):
    response = alice.get(HISTORY)
    assert durations(response) == ["5 hours so far", "2 days, 3 hours", "2 days, 3 hours"]


@time_machine.travel(NOW, tick=False)
def test_history_filters(alice, history):
    spamcop = catalogue("bl.spamcop.net")
    assert len(durations(alice.get(HISTORY, {"kind": "delisted"}))) == 1
    assert len(durations(alice.get(HISTORY, {"blocklist": spamcop.pk}))) == 1
    assert len(durations(alice.get(HISTORY, {"q": "192.0.2.10"}))) == 2
    assert len(durations(alice.get(HISTORY, {"since": "2026-03-09"}))) == 2
    assert len(durations(alice.get(HISTORY, {"until": "2026-03-07"}))) == 1


@time_machine.travel(NOW, tick=False)
def test_history_exports_csv_that_no_spreadsheet_runs_as_a_formula(alice, history):
    response = alice.get(HISTORY, {"format": "csv", "q": "192.0.2.11"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0].startswith("at (") and rows[0][-2:] == ["listed_hours", "ongoing"]
    assert rows[1][1:5] == ["Listed", "192.0.2.11", "'=cmd|' /C calc'!A0", "SpamCop"]
    assert rows[1][-2:] == ["5.0", "yes"]


def test_a_removed_targets_history_stays_on_the_history_page(alice, history):
    services.target_remove(target=MonitoredTarget.objects.get(value="192.0.2.10"), actor=None)
    page = visible_text(alice.get(HISTORY))
    assert "192.0.2.10 (no longer monitored)" in page
