"""Connecting Google Postmaster Tools in Chromium (issue 19): Acme's admin presses "Connect", signs in at
Google (the local stand-in consents at once and sends the browser back), the first import runs, and the
reputation page shows each domain's spam-rate chart with the 0.10% target and 0.30% limit; the checklist
measures the spam rate."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.deliverability.googlefake import FakeGoogle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.browser
def test_the_admin_connects_and_sees_the_chart(page, world, settings, frozen):
    frozen("2026-12-06 16:00", tick=True)
    with FakeGoogle() as google:
        google.settings(settings)
        yesterday = date(2026, 12, 5)
        google.add_days("acme.example", yesterday - timedelta(days=29), 20, spam=0.0006)
        google.add_days("acme.example", yesterday - timedelta(days=9), 7, spam=0.0014, reputation="MEDIUM")
        google.add_days("acme.example", yesterday - timedelta(days=2), 3, spam=0.0034, reputation="LOW")
        del google.days["acme.example"][yesterday - timedelta(days=12)]  # a quiet day: absent
        log_in(page, "alice@acme.test", world.password)
        page.goto("/a/acme/reputation/")
        expect(page.get_by_test_id("postmaster-not-connected")).to_be_visible()
        page.get_by_test_id("postmaster-connect").click()
        expect(
            page.get_by_text("Google Postmaster Tools is connected; the last 90 days are being imported.")
        ).to_be_visible()
        expect(page.get_by_test_id("postmaster-connection")).to_contain_text("Connected")
        chart = page.get_by_test_id("postmaster-chart")
        expect(chart.locator("rect")).to_have_count(29)
        expect(chart.locator("rect.low")).to_have_count(3)
        expect(chart.locator("rect.warn")).to_have_count(7)
        expect(page.get_by_test_id("line-target")).to_have_count(1)
        expect(page.get_by_test_id("postmaster-latest")).to_contain_text("Spam rate 0.34%")
        expect(page.get_by_test_id("postmaster-latest")).to_contain_text("Domain reputation LOW")
        expect(page.get_by_test_id("postmaster-source")).to_contain_text("below 0.10%")
        expect(page.get_by_text("dashed lines: the 0.10% target and the 0.30% limit")).to_be_visible()
        screenshot(page, "postmaster-reputation")
        page.goto("/a/acme/authentication/")
        expect(page.get_by_test_id("checklist-figure")).to_have_text("0.34% on 5 Dec")
