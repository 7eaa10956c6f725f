"""DMARC aggregate reports from the inbound address and the upload form to the chart, in Chromium
(issue 19): Google's zipped report mailed to Acme's report address through the inbound pipeline,
Microsoft's gzip and Yahoo's XML uploaded, a hostile file refused with its reason; the domain page shows
the sources failing alignment first and the aligned-% chart, on a desktop and a phone; a TAM counts a
refused report again. The screenshots marked ``docs`` are the README's (``make docs-screenshots``)."""

import pytest
from playwright.sync_api import expect

from cases.email.ingest import receive
from cases.models import InboundMessage
from deliverability.dmarc_reports import address, services
from deliverability.models import MonitoredTarget
from tests.browser.conftest import fits_the_screen, log_in, screenshot
from tests.deliverability.dmarc import reports
from tests.deliverability.factories import MonitoredTargetFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.browser
def test_reports_from_the_inbound_address_and_uploads_reach_the_chart(
    page, phone_page, world, settings, frozen, tmp_path
):
    settings.INBOUND_DOMAIN = "reports.portal.test"
    frozen("2026-11-25 12:00", tick=True)
    MonitoredTargetFactory(account=world.acme, kind="domain", value="acme.example", role=MonitoredTarget.Role.FROM)
    MonitoredTargetFactory(account=world.acme, kind="ip4", value="192.0.2.10")
    MonitoredTargetFactory(account=world.acme, kind="ip4", value="192.0.2.11")
    mailbox = address.mailbox(services.address_for(world.acme).token)
    raw = reports.report_email(reports.zipped(reports.google()), reports.GOOGLE_NAME, "application/zip", to=mailbox)
    assert receive(raw, envelope_recipient=mailbox).result == "ignored"
    assert InboundMessage.objects.get().account == world.acme

    files = {
        reports.MICROSOFT_NAME: reports.gzipped(reports.microsoft()),
        reports.YAHOO_NAME: reports.yahoo(),
        "hostile.xml": reports.HOSTILE,
    }
    log_in(page, "alice@acme.test", world.password)
    page.goto("/a/acme/dmarc/")
    expect(page.get_by_test_id("dmarc-rua")).to_have_text(f"mailto:{mailbox}")
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        page.get_by_label("Upload a report you received elsewhere (zip, gzip or XML)").set_input_files(str(path))
        page.get_by_role("button", name="Upload", exact=True).click()
        expect(page.get_by_text("The report is kept; it is counted in a moment.")).to_be_visible()
    table = page.get_by_test_id("dmarc-files")
    expect(table).to_contain_text("the XML declares a DTD or entities (refused as hostile)")
    expect(table.get_by_text("counted", exact=True)).to_have_count(3)
    domains = page.get_by_test_id("dmarc-domains")
    expect(domains).to_contain_text("10,059")  # 9,452 (Google) + 507 (Microsoft) + 100 (Yahoo)
    expect(page.get_by_test_id("dmarc-refused-count")).to_contain_text("1 refused file")
    screenshot(page, "dmarc-reports", docs=True)

    domains.get_by_role("link", name="acme.example").click()
    sources = page.get_by_test_id("dmarc-sources")
    expect(sources.locator("tbody tr").first).to_contain_text("192.0.2.11")  # failing most, first
    expect(sources).to_contain_text("Ours and failing: our problem. Contact your TAM.")
    expect(sources).to_contain_text("Unknown source sending as you")
    chart = page.get_by_test_id("dmarc-chart")
    expect(chart.locator("rect")).to_have_count(1)
    expect(page.get_by_test_id("dmarc-summary")).to_contain_text("10,007 of 10,059 messages DMARC aligned (99.5%)")
    expect(page.get_by_test_id("dmarc-chart").locator("text").last).to_have_text("25 Nov UTC")
    expect(sources.locator("tbody tr")).to_have_count(4)  # Microsoft's fourth source too
    page.wait_for_load_state("networkidle")
    screenshot(page, "dmarc-domain", docs=True)

    log_in(phone_page, "alice@acme.test", world.password)
    for url, name in (
        ("/a/acme/dmarc/", "dmarc-reports-phone"),
        ("/a/acme/dmarc/domains/acme.example/", "dmarc-domain-phone"),
    ):
        phone_page.goto(url)
        assert fits_the_screen(phone_page), url
        screenshot(phone_page, name, docs=True)


@pytest.mark.browser
def test_a_tam_counts_a_refused_report_again(page, world, settings, frozen):
    settings.INBOUND_DOMAIN = "reports.portal.test"
    frozen("2026-11-25 12:00", tick=True)
    MonitoredTargetFactory(account=world.acme, kind="domain", value="acme.example", role=MonitoredTarget.Role.FROM)
    broken, _new = services.report_receive(
        account=world.acme, data=reports.zipped(reports.BROKEN), filename="google-cut-short.zip", source="upload"
    )
    services.report_receive(account=world.acme, data=reports.HOSTILE, filename="hostile.xml", source="email")
    log_in(page, world.tina.email, world.password)
    page.goto("/console/")
    panel = page.get_by_test_id("console-dmarc")
    expect(panel).to_contain_text("the XML declares a DTD or entities (refused as hostile)")
    screenshot(page, "console-dmarc")
    panel.get_by_role("link", name="Acme").first.click()
    refused = page.get_by_test_id("dmarc-refused")
    expect(refused.locator("tbody tr")).to_have_count(2)
    expect(refused).to_contain_text("the XML is broken: ")
    screenshot(page, "dmarc-refused", docs=True)
    # the sender sends the whole file again; here: the kept file mended, then counted again
    type(broken).objects.filter(pk=broken.pk).update(raw=reports.zipped(reports.google()))
    refused.locator("tr", has_text="google-cut-short.zip").get_by_role("button", name="Count again").click()
    expect(page.get_by_text("The report is counted again in a moment.")).to_be_visible()
    expect(page.get_by_test_id("dmarc-refused").locator("tbody tr")).to_have_count(1)
    page.goto("/a/acme/dmarc/")
    expect(page.get_by_test_id("dmarc-domains")).to_contain_text("9,452")
