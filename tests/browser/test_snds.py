"""Microsoft SNDS in Chromium (issue 19): Acme's admin enters the SNDS key (shown once, then by its last
four characters), tests the connection against a local SNDS, and reads per IP the filter result of each
day, the trap hits, the block and the samples Microsoft saw (a hostile HELO shown as text)."""

import pytest
from playwright.sync_api import expect

from deliverability.models import SndsDay
from tests.browser.conftest import log_in, screenshot
from tests.deliverability.factories import MonitoredTargetFactory
from tests.deliverability.snds.factories import KEY
from tests.deliverability.snds.server import SndsServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.browser
def test_enter_the_key_import_and_read_the_page(page, world, settings, frozen):
    frozen("2026-12-01 13:00", tick=True)
    for ip in ("192.0.2.10", "192.0.2.11", "192.0.2.12"):
        MonitoredTargetFactory(account=world.acme, kind="ip4", value=ip)
    dialogs = []  # an alert() from the hostile HELO or MAIL FROM would open one
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with SndsServer() as snds:
        settings.SNDS_BASE_URL, settings.SNDS_ALLOW_NETWORKS = snds.url, ["127.0.0.0/8"]
        log_in(page, "alice@acme.test", world.password)
        page.goto("/a/acme/deliverability/")
        page.get_by_role("link", name="Microsoft SNDS").click()
        expect(page.get_by_test_id("snds-connection")).to_contain_text("Not connected.")
        page.get_by_label("SNDS automated data access key").fill(KEY)
        page.get_by_role("button", name="Save the key").click()
        expect(page.get_by_test_id("snds-shown-key")).to_contain_text(KEY)
        page.get_by_test_id("snds-test").click()
        expect(page.get_by_text("Connected: Microsoft SNDS answered and its data is imported.")).to_be_visible()
        assert snds.requests == ["data.aspx", "ipStatus.aspx"]
    connection = page.get_by_test_id("snds-connection")
    expect(connection).to_contain_text("…eeff")
    expect(connection).not_to_contain_text(KEY)
    table = page.get_by_test_id("snds-ips")
    expect(table.locator("tbody tr")).to_have_count(4)
    red = table.locator('tr[data-ip="192.0.2.11"]')
    expect(red).to_contain_text("Red")
    expect(red).to_contain_text("14")
    expect(red).to_contain_text("Blocked due to user complaints")
    expect(red).to_contain_text('<script>alert("helo")</script>')  # shown as text, never run
    expect(table.locator('tr[data-ip="203.0.113.5"]')).to_contain_text("not one of your monitored IPs")
    expect(red.locator("rect")).to_have_count(30)
    assert dialogs == []
    assert SndsDay.objects.filter(account=world.acme).count() == 4
    screenshot(page, "snds-page")
