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


@pytest.mark.browser
def test_the_reputation_page_on_a_desktop_and_a_phone(page, phone_page, world, settings, frozen):
    """The README's pictures: two domains' 30 days as Google reports them, an import asked for and done."""
    from tests.browser.conftest import fits_the_screen
    from tests.deliverability.postmaster.factories import (
        PostmasterConnectionFactory,
        PostmasterDayFactory,
        PostmasterDomainFactory,
    )

    frozen("2026-12-06 16:00", tick=True)
    settings.POSTMASTER_CLIENT_ID = "portal-demo.apps.googleusercontent.com"
    PostmasterConnectionFactory(
        account=world.acme, connected_by=world.alice, last_run_at="2026-12-06T16:00Z", import_state="done",
        import_finished_at="2026-12-06T15:58Z", import_result={"domains": 2, "failed": 0, "days": 58},
    )  # fmt: skip
    last = date(2026, 12, 5)
    for domain, base in (("acme.example", 0.0004), ("news.acme.example", 0.0007)):
        PostmasterDomainFactory(
            account=world.acme, name=domain, imported_through=last, last_import_at="2026-12-06T15:58Z"
        )
        for n in range(30 if domain == "acme.example" else 28):
            rising = domain == "news.acme.example" and n < 4
            PostmasterDayFactory(
                account=world.acme, domain=domain, day=last - timedelta(days=n),
                spam_ratio=round(base + (0.0009 - n * 0.0002 if rising else (n * 37 % 11) * 0.00004), 6),
                domain_reputation="MEDIUM" if rising else "HIGH", dmarc_ratio=0.997, spf_ratio=0.998, dkim_ratio=0.999,
                ip_reputations=[{"reputation": "HIGH", "ip_count": 2, "sample_ips": ["192.0.2.10", "192.0.2.11"]}],
            )  # fmt: skip
    log_in(page, "alice@acme.test", world.password)
    page.goto("/a/acme/reputation/")
    expect(page.get_by_test_id("postmaster-chart")).to_have_count(2)
    expect(page.get_by_test_id("postmaster-import")).to_contain_text("58 days imported")
    screenshot(page, "postmaster", docs=True)
    log_in(phone_page, "alice@acme.test", world.password)
    phone_page.goto("/a/acme/reputation/")
    assert fits_the_screen(phone_page)
    expect(phone_page.get_by_test_id("postmaster-days").first.locator("thead")).to_be_hidden()  # cards
    phone_page.get_by_test_id("postmaster-domain").first.scroll_into_view_if_needed()
    screenshot(phone_page, "postmaster-phone", docs=True, full_page=False)
