"""The customer's blocklist page in Chromium: the grid, a listing's details, the live progress bar of a
running sweep (htmx polling) and "Check now" (MISSION DLV-2, DLV-4)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from deliverability import services
from deliverability.blocklists.catalogue import DEFAULT_CATALOGUE
from deliverability.models import Blocklist, ListingStatus, MonitoredTarget, Sweep
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def monitored(world):
    # transactional tests empty the tables the data migration filled: put the catalogue back
    for entry in DEFAULT_CATALOGUE:
        Blocklist.objects.update_or_create(zone=entry["zone"], defaults={k: v for k, v in entry.items() if k != "zone"})
    services.targets_add(account=world.acme, actor=None, text="192.0.2.10 192.0.2.11", stream_name="transactional")
    services.targets_add(account=world.acme, actor=None, text="acme.example", role="from")
    zen = Blocklist.objects.get(zone="zen.spamhaus.org")
    spamcop = Blocklist.objects.get(zone="bl.spamcop.net")
    now = timezone.now()
    # Adding targets starts a check of them (issue 16); this page's story begins with a check 12 minutes ago.
    Sweep.objects.filter(account=world.acme).delete()
    done = Sweep.objects.create(
        account=world.acme, status=Sweep.State.DONE, finished_at=now - timedelta(minutes=12), resolver="127.0.0.1:53"
    )
    ip = MonitoredTarget.objects.get(value="192.0.2.10")
    ListingStatus.objects.filter(target__account=world.acme).delete()  # the statuses that check wrote
    ListingStatus.objects.create(
        target=ip,
        blocklist=zen,
        result="listed",
        listed=True,
        codes=["127.0.0.2"],
        meaning="SBL: Spamhaus Block List (spam source)",
        reason="Listed, see https://check.spamhaus.org/sbl/query/SBL1",
        checked_at=now,
        listed_since=now - timedelta(hours=3),
        sweep=done,
    )
    ListingStatus.objects.create(target=ip, blocklist=spamcop, result="clear", listed=False, checked_at=now, sweep=done)
    return world


def test_grid_listing_details_and_live_progress(page, monitored):
    world = monitored
    running = Sweep.objects.create(
        account=world.acme, status=Sweep.State.RUNNING, queries_total=100, queries_done=40, started_at=timezone.now()
    )
    log_in(page, "alice@acme.test", world.password)
    page.goto("/a/acme/deliverability/")
    expect(page.get_by_test_id("summary")).to_contain_text("1 listing")
    expect(page.get_by_test_id("sweep-progress")).to_contain_text("Checking: 40 of 100 queries answered")
    expect(page.locator("#sweep-progress progress")).to_have_attribute("value", "40")
    page.locator("details.cell:has(.badge.bad) summary").first.click()
    detail = page.locator("details.cell[open] .cell-detail")
    expect(detail).to_contain_text("SBL: Spamhaus Block List (spam source)")
    expect(detail.get_by_role("link", name="Delisting request")).to_have_attribute(
        "href", "https://check.spamhaus.org/"
    )
    screenshot(page, "blocklists-grid")

    # The worker moves on: the bar follows without a reload.
    Sweep.objects.filter(pk=running.pk).update(queries_done=75)
    expect(page.locator("#sweep-progress progress")).to_have_attribute("value", "75", timeout=5000)
    # The sweep ends having found a second listing: the bar goes, the grid reloads by itself.
    spamcop = Blocklist.objects.get(zone="bl.spamcop.net")
    ListingStatus.objects.filter(blocklist=spamcop).update(
        result="listed", listed=True, codes=["127.0.0.2"], meaning="Listed: reported by SpamCop users or spam traps"
    )
    Sweep.objects.filter(pk=running.pk).update(status=Sweep.State.DONE, finished_at=timezone.now(), listed=2)
    expect(page.get_by_test_id("sweep-progress")).to_contain_text("Done: 2 listings.", timeout=5000)
    expect(page.locator("#sweep-progress progress")).to_have_count(0)
    expect(page.locator("[data-testid=grid-ip] .badge.bad")).to_have_count(2, timeout=5000)
    expect(page.get_by_test_id("dlv4")).to_contain_text("Inbox placement rates cannot be guaranteed")


def test_check_now_reports_lists_that_could_not_be_checked(page, monitored, settings, unused_udp_port):
    """Nothing answers at the resolver: every list fails its health check, nothing is called listed or clear."""
    settings.BLOCKLIST_NAMESERVERS = [f"127.0.0.1:{unused_udp_port}"]
    settings.BLOCKLIST_TIMEOUT = 0.2
    settings.BLOCKLIST_RETRIES = 0
    log_in(page, "alice@acme.test", monitored.password)
    page.goto("/a/acme/deliverability/")
    page.get_by_role("button", name="Check now").click()
    expect(page.get_by_test_id("sweep-progress")).to_contain_text("Done: 1 listing.", timeout=10000)
    expect(page.get_by_test_id("failed-zones")).to_contain_text("zen.spamhaus.org", timeout=5000)
    expect(page.get_by_test_id("failed-zones")).to_contain_text("No answer from the resolver (timeout)")
    # The earlier SBL listing is not forgotten because of one run without answers.
    assert ListingStatus.objects.get(blocklist__zone="zen.spamhaus.org", target__value="192.0.2.10").listed is True


def test_phone_layout_fits_the_screen(phone_page, monitored):
    log_in(phone_page, "alice@acme.test", monitored.password)
    phone_page.goto("/a/acme/deliverability/")
    expect(phone_page.get_by_test_id("summary")).to_contain_text("1 listing")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.locator("details.cell:has(.badge.bad) summary").first.click()
    expect(phone_page.locator("details.cell[open] .cell-detail")).to_be_in_viewport()
    screenshot(phone_page, "blocklists-phone")
