"""What blocklist monitoring shows on the customer dashboard and in the staff console (panels.py, staff_views.py).

MISSION: DLV-2. The dashboard says where the account stands in one line; the console lists the current
listings of the staff member's own accounts. Both run a fixed number of queries.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from deliverability import services
from deliverability.models import Blocklist, MonitoredTarget
from tests.deliverability.factories import ListingStatusFactory, SweepFactory, catalogue
from tests.helpers import panel_text, queries_of, text

PANEL = "/a/acme/panel/blocklists/"


def listing(value, zone="zen.spamhaus.org", **kw):
    return ListingStatusFactory(target=MonitoredTarget.objects.get(value=value), blocklist=catalogue(zone), **kw)


def test_no_targets(alice, world):
    assert "No sending IPs or domains are monitored yet." in panel_text(alice.get(PANEL), "blocklists")


def test_not_checked_yet(alice, world):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10")
    SweepFactory(account=world.acme, status="running", finished_at=None)  # under way: not a result yet
    shown = panel_text(alice.get(PANEL), "blocklists")
    assert "Not checked yet." in shown and "Clean" not in shown


def test_clean_on_all_lists(alice, world):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10")
    listing("192.0.2.10", result="clear", listed=False)
    SweepFactory(account=world.acme, finished_at=timezone.now() - timedelta(minutes=12, seconds=5))
    lists = Blocklist.objects.active().count()
    assert lists == 11  # the default catalogue without Abusix, which needs a key
    shown = panel_text(alice.get(PANEL), "blocklists")
    assert f"Clean on all {lists} lists, checked 12 minutes ago." in shown
    assert "could not be checked" not in shown


def test_clean_but_a_list_failed_its_check(alice, world):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10")
    SweepFactory(account=world.acme, zone_health={"zen.spamhaus.org": "", "b.barracudacentral.org": "dead"})
    assert "1 list could not be checked in the last run." in panel_text(alice.get(PANEL), "blocklists")


def test_no_clean_claim_when_no_list_could_be_checked(alice, world):
    """A sweep through a dead resolver: every list failed its health check, nothing is known."""
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10")
    dead = "No answer from the resolver (timeout)."
    SweepFactory(account=world.acme, zone_health={bl.zone: dead for bl in Blocklist.objects.active()})
    listing("192.0.2.10", result="unknown", listed=None, codes=[], meaning=dead)
    shown = panel_text(alice.get(PANEL), "blocklists")
    assert "11 lists could not be checked in the last run." in shown
    assert "Clean on all" not in shown, shown


def test_listings(alice, world):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10 192.0.2.11 192.0.2.12")
    SweepFactory(account=world.acme)
    listing("192.0.2.10", meaning="CSS: snowshoe spam / low-reputation sending")
    listing("192.0.2.11", "bl.spamcop.net", meaning="Listed: reported by SpamCop users or spam traps")
    listing("192.0.2.12", codes=["127.0.0.10"], meaning="PBL: policy listing (ISP maintained)", policy=True)
    listing("192.0.2.12", "psbl.surriel.com", result="clear", listed=False)
    listing("192.0.2.11", "b.barracudacentral.org", result="error", listed=None)
    shown = panel_text(alice.get(PANEL), "blocklists")
    assert "3 listings 1 on a list used by major mailbox providers" in shown
    assert "192.0.2.10 · Spamhaus ZEN — CSS: snowshoe spam" in shown  # the worst first
    assert shown.index("192.0.2.10 · Spamhaus ZEN") < shown.index("192.0.2.12 · Spamhaus ZEN")
    assert shown.index("192.0.2.12 · Spamhaus ZEN") < shown.index("192.0.2.11 · SpamCop")
    assert "Clean" not in shown


def test_another_accounts_listings_do_not_count(alice, world):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10")
    services.targets_add(account=world.globex, actor=world.bob, text="203.0.113.21")
    SweepFactory(account=world.acme)
    listing("203.0.113.21")
    shown = panel_text(alice.get(PANEL), "blocklists")
    assert "Clean on all 11 lists" in shown and "203.0.113.21" not in shown


def test_the_dashboard_panel_runs_a_fixed_number_of_queries(alice, world):
    counts = []
    for n in (1, 30):
        services.targets_add(account=world.acme, actor=world.alice, text=" ".join(f"198.18.0.{i}" for i in range(n)))
        for target in MonitoredTarget.objects.filter(account=world.acme, statuses__isnull=True):
            for zone in ("zen.spamhaus.org", "bl.spamcop.net"):
                ListingStatusFactory(target=target, blocklist=catalogue(zone))
        SweepFactory(account=world.acme)
        count, response = queries_of(alice, PANEL)
        assert f"{2 * n} listing" in panel_text(response, "blocklists")
        counts.append(count)
    assert counts[0] == counts[1], counts
    assert queries_of(alice, "/a/acme/")[0] < 40  # the whole dashboard, this panel included


# --- the staff console ------------------------------------------------------------------------------------


@pytest.fixture
def listings(world):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10 192.0.2.11")
    services.targets_add(account=world.globex, actor=world.bob, text="203.0.113.21")
    listing("192.0.2.10", "dnsbl-1.uceprotect.net")
    listing("192.0.2.11")
    listing("192.0.2.11", "bl.spamcop.net", result="clear", listed=False)
    listing("203.0.113.21")


def test_the_console_panel_lists_only_my_accounts_listings(client, world, listings):
    client.force_login(world.tina)
    shown = panel_text(client.get("/console/"), "listings")
    assert "2 current listings on your accounts" in shown
    assert shown.index("Spamhaus ZEN Acme 192.0.2.11") < shown.index("UCEPROTECT level 1 Acme 192.0.2.10")
    assert "203.0.113.21" not in shown and "Globex" not in shown
    client.force_login(world.tess)
    shown = panel_text(client.get("/console/"), "listings")
    assert "1 current listing on your accounts" in shown and "Globex 203.0.113.21" in shown
    assert "Acme" not in shown


def test_the_console_panel_runs_a_fixed_number_of_queries(client, world, listings):
    client.force_login(world.root)
    few, _response = queries_of(client, "/console/")
    services.targets_add(account=world.acme, actor=world.alice, text=" ".join(f"198.18.0.{i}" for i in range(20)))
    for target in MonitoredTarget.objects.filter(value__startswith="198.18."):
        listing(target.value)
    many, response = queries_of(client, "/console/")
    assert "23 current listings on your accounts" in panel_text(response, "listings")
    assert few == many


# --- the staff listings page: every current listing on my accounts ------------------------------------


@pytest.fixture
def listed_everywhere(world):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.9 192.0.2.11 192.0.2.12 192.0.2.13")
    services.targets_add(account=world.globex, actor=world.bob, text="203.0.113.21")
    old = timezone.now() - timedelta(days=3)
    listing("192.0.2.9", "dnsbl-1.uceprotect.net", checked_at=old)  # importance 4, the oldest, the lowest value
    listing("192.0.2.11", "zen.spamhaus.org")
    listing("192.0.2.12", "zen.spamhaus.org", codes=["127.0.0.10"], meaning="PBL", policy=True, checked_at=old)
    listing("192.0.2.13", "bl.mailspike.net", result="clear", listed=False)
    listing("203.0.113.21", "zen.spamhaus.org")


def listed_values(response) -> list[str]:
    table = text(response).split('data-testid="listings"')[1]
    return re.findall(r"<tr><td><a [^>]+>[^<]+</a></td>\s*<td><code>([^<]+)</code>", table)


def test_staff_listings_are_the_staff_members_accounts_most_important_first(client, world, listed_everywhere):
    client.force_login(world.tina)
    response = client.get("/console/listings/")
    assert listed_values(response) == ["192.0.2.11", "192.0.2.12", "192.0.2.9"]
    assert 'href="https://check.spamhaus.org/"' in text(response)
    client.force_login(world.tess)
    assert listed_values(client.get("/console/listings/")) == ["203.0.113.21"]
    client.force_login(world.root)
    assert listed_values(client.get("/console/listings/"))[-1] == "192.0.2.9"


def test_staff_listings_filters(client, world, listed_everywhere):
    client.force_login(world.root)
    assert listed_values(client.get("/console/listings/", {"importance": 4})) == ["192.0.2.9"]
    assert listed_values(client.get("/console/listings/", {"q": "globex"})) == ["203.0.113.21"]
    assert listed_values(client.get("/console/listings/", {"q": "192.0.2.12"})) == ["192.0.2.12"]
    assert listed_values(client.get("/console/listings/", {"importance": 1, "q": "acme"})) == [
        "192.0.2.11",
        "192.0.2.12",
    ]
    Blocklist.objects.filter(zone="dnsbl-1.uceprotect.net").update(enabled=False)
    assert "192.0.2.9" not in listed_values(client.get("/console/listings/"))
