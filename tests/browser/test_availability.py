"""The customer's availability page in Chromium: this month against the target, 90 daily bars, the
incidents, and the critical case offered while a sustained incident lasts, then linked once it is open
(MISSION AV-1, CR-0)."""

import time

import pytest
from playwright.sync_api import expect

from availability.ledger import API, SMTP
from availability.models import AvailabilityProfile, SecondRollup
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_availability_page_and_the_case_offer(page, world, frozen):
    frozen("2026-11-20 12:00", tick=True)  # the incident five days ago is this month's (AV-1: UTC months)
    AvailabilityProfile.objects.create(account=world.acme, target_pct="99.99", sustained_seconds=60)
    now = int(time.time())
    rows = [
        SecondRollup(account=world.acme, channel=API, second=now - 90 + s, attempts=9, failures=9) for s in range(85)
    ]
    rows += [
        SecondRollup(account=world.acme, channel=SMTP, second=now - 5 * 86400 + s, attempts=4, failures=4)
        for s in range(20)
    ]
    SecondRollup.objects.bulk_create(rows)
    log_in(page, "alice@acme.test", world.password)
    page.goto("/a/acme/availability/")
    expect(page.get_by_test_id("ongoing")).to_contain_text(
        "Unavailable now: 85 unavailable seconds over the last 85 seconds."
    )
    expect(page.get_by_test_id("by-channel")).to_contain_text("API: 99.9967% · SMTP: 99.9992%")
    expect(page.get_by_test_id("bars").locator(".bar")).to_have_count(90)
    expect(page.get_by_test_id("bars-axis")).to_contain_text("23 Aug 2026")  # the date axis: 89 days ago ...
    expect(page.get_by_test_id("bars-axis")).to_contain_text("20 Nov 2026")  # ... to today
    expect(page.get_by_test_id("incidents")).to_contain_text("SMTP")
    screenshot(page, "availability")
    page.get_by_role("button", name="Open a critical case (pre-filled)").click()
    expect(page.get_by_label("Subject")).to_have_value(
        f"Unavailable since {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(now - 90))} (API)"
    )
    expect(page.get_by_label("Critical (Severity 1)")).to_be_checked()
    page.get_by_label("What kind of request is it?").select_option(label="Software bug")
    page.get_by_role("button", name="Open the case").click()
    page.goto("/a/acme/availability/")
    expect(page.get_by_test_id("incident-case")).to_contain_text("is open for it")
    expect(page.get_by_role("button", name="Open a critical case (pre-filled)")).to_have_count(0)
    screenshot(page, "availability-case-open")
