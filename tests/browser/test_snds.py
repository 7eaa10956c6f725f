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


def snds_demo(account) -> None:
    """Thirty days of three IPs as a customer's SNDS shows them: one always green, one with a few yellow days
    and a red day with trap hits, one that started sending later."""
    from datetime import date, timedelta

    from tests.deliverability.snds.factories import SndsConnectionFactory, SndsDayFactory

    SndsConnectionFactory(account=account, state="ok", last_success_at="2026-12-01T06:15Z")
    last = date(2026, 11, 30)
    for number, (ip, days) in enumerate((("192.0.2.10", 30), ("192.0.2.11", 30), ("192.0.2.12", 12)), start=1):
        target = MonitoredTargetFactory(account=account, kind="ip4", value=ip)
        for n in range(days):
            day = last - timedelta(days=n)
            colour, complaints, traps = "green", "< 0.1%", 0
            if ip == "192.0.2.11" and n in (3, 4, 9):
                colour, complaints = "yellow", "0.4%"
            if ip == "192.0.2.11" and n == 6:
                colour, complaints, traps = "red", "2.1%", 3
            SndsDayFactory(
                account=account, ip=ip, target=target, day=day, filter_result=colour, filter_raw=colour.upper(),
                complaint_text=complaints, trap_hits=traps, rcpt_commands=24_000 - n * 300,
                sample_helo=f"mta{number}.mail.acme.example", sample_mail_from="bounce@mail.acme.example",
            )  # fmt: skip


@pytest.mark.browser
def test_the_complaint_header_keeps_its_word_on_a_desktop_and_the_table_becomes_cards_on_a_phone(
    page, phone_page, world, frozen
):
    from tests.browser.conftest import fits_the_screen

    frozen("2026-12-01 13:00", tick=True)
    snds_demo(world.acme)
    log_in(page, "alice@acme.test", world.password)
    page.goto("/a/acme/reputation/microsoft/")
    header = page.get_by_test_id("snds-complaint-header")
    # the header's words (a range over its text), not its cell (as tall as the row's tallest header)
    height, line = header.evaluate(
        "th => { const r = document.createRange(); r.selectNodeContents(th); const s = getComputedStyle(th);"
        " return [r.getBoundingClientRect().height, parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.2]; }"
    )
    assert 0 < height <= line, f"the header wraps: its words are {height}px tall, one line is {line}px"
    expect(page.get_by_test_id("snds-ips").locator('tr[data-ip="192.0.2.11"] rect')).to_have_count(30)
    screenshot(page, "snds", docs=True)
    log_in(phone_page, "alice@acme.test", world.password)
    phone_page.goto("/a/acme/reputation/microsoft/")
    expect(phone_page.get_by_test_id("snds-complaint-header")).to_be_hidden()  # no header row: cards
    expect(phone_page.locator('tr[data-ip="192.0.2.11"] td[data-label="Trap hits"]')).to_be_visible()
    assert fits_the_screen(phone_page)
    screenshot(phone_page, "snds-phone", docs=True)
