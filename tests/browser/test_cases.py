"""A critical case from filing to joint resolution, clicked through by the customer and the agent in two
browsers (MISSION CR-1..CR-5: the Severity 1 number, the 15-minute callback clock, updates at the agreed
interval, resolution only when both sides agree)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case
from tests.browser.conftest import log_in, screenshot
from tests.cases.conftest import open_case

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "+48 600 100 200"


@pytest.fixture
def sam_page(browser, live_server):
    """The agent, in a browser context of his own (separate cookies)."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", timezone_id="Europe/Warsaw", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def file_critical_case(page) -> None:
    page.goto("/a/acme/cases/new/")
    expect(page.get_by_test_id("sev1-callout")).to_contain_text("24/7/365")
    page.get_by_label("Critical (Severity 1)").check()
    page.get_by_label("What kind of request is it?").select_option(label="Software bug")
    page.get_by_label("Subject").fill("No mail leaves our platform")
    page.get_by_label("Description").fill("Every SMTP injection times out since 09:00.")
    page.get_by_label("Call me back").check()
    page.get_by_label("Phone number to call back").fill(PHONE)
    screenshot(page, "cases-new-critical")
    page.get_by_role("button", name="Open the case").click()


@pytest.mark.browser
def test_a_critical_case_from_filing_to_joint_resolution(page, sam_page, world, frozen):
    alice, sam = page, sam_page
    # 10:00 on a Tuesday in Warsaw: the next update, an hour after the one Sam posts, is due the same day
    # ("11:00 CEST"; after 23:00 it would be "tomorrow 00:..."). The browsers' clocks start where the
    # server's does, so the live countdowns count from the same moment.
    frozen("2027-05-11 08:00", tick=True)
    for browser_page in (alice, sam):
        browser_page.context.clock.install(time=timezone.now())

    # Alice files a critical case and asks for a call back: the 15-minute clock runs, live.
    log_in(alice, world.alice.email, world.password)
    expect(alice).to_have_url(re.compile(r"/a/acme/$"))
    file_critical_case(alice)
    expect(alice).to_have_url(re.compile(r"/a/acme/cases/ACME-000001/$"))
    case = Case.objects.get()
    expect(alice.get_by_test_id("status")).to_have_text("New")
    clock = alice.get_by_test_id("clock")
    expect(clock).to_contain_text("Callback due")
    expect(clock.locator(".countdown")).to_have_text(re.compile(r"^ \(in 14 minutes\)$"))  # Intl.RelativeTimeFormat
    expect(alice.locator(".sev1-callout")).to_contain_text(world.acme.severity1_phone)
    expect(alice.locator(".sev1-callout")).to_contain_text("An agent calls you back by")
    screenshot(alice, "cases-callback-clock")
    alice.set_viewport_size({"width": 390, "height": 844})
    screenshot(alice, "cases-callback-clock-phone")
    alice.set_viewport_size({"width": 1280, "height": 900})

    # Sam opens it from the queue, logs the callback and posts a status update.
    log_in(sam, world.sam.email, world.password)
    expect(sam).to_have_url(re.compile(r"/console/$"))
    sam.get_by_role("link", name="Queue", exact=True).first.click()
    row = sam.locator("#queue-table tbody tr").filter(has_text=case.number)
    expect(row).to_contain_text("Callback due")
    screenshot(sam, "cases-staff-queue")
    row.get_by_role("link", name=case.number).click()
    expect(sam).to_have_url(re.compile(rf"/console/cases/{case.number}/$"))

    expect(sam.get_by_label("Number you called")).to_have_value(PHONE)
    sam.get_by_label("Outcome").select_option(label="reached the contact")
    sam.get_by_label("What you learned").fill("Injections time out on mx-7 only.")
    sam.get_by_role("button", name="Log callback").click()
    expect(sam.locator(".messages")).to_contain_text("Callback logged.")
    expect(sam.get_by_test_id("clock")).to_contain_text("Next update due")

    sam.locator("summary", has_text="Post a status update").click()
    sam.get_by_label("Nature of the problem").fill("A faulty MTA node drops SMTP sessions.")
    sam.get_by_label("Expected time to resolution").fill("within 2 hours")
    sam.get_by_role("button", name="Post update").click()
    expect(sam.locator(".messages")).to_contain_text("Update posted; the next one is due in 60 minutes.")
    screenshot(sam, "cases-staff-case")

    # Alice sees when the next update is due and what the update said.
    alice.reload()
    expect(alice.get_by_test_id("next-update")).to_contain_text(re.compile(r"Next update by \d\d:\d\d \w+"))
    expect(alice.get_by_test_id("next-update")).to_contain_text("every 60 min, as agreed")
    timeline = alice.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text("A faulty MTA node drops SMTP sessions.")
    expect(timeline).to_contain_text("within 2 hours")
    expect(alice.get_by_test_id("status")).to_have_text("In progress")
    screenshot(alice, "cases-customer-update")

    # Sam proposes a resolution; Alice accepts it; only now is the case resolved.
    sam.locator("summary", has_text="Propose resolution").click()
    sam.get_by_label("Summary for the customer").fill("mx-7 replaced; mail flows again.")
    sam.locator("form[action$='/propose/']").get_by_role("button", name="Propose resolution").click()
    expect(sam.locator(".messages")).to_contain_text("Resolution proposed to the customer.")
    expect(sam.get_by_test_id("status")).to_have_text("Resolution proposed")

    alice.reload()
    proposal = alice.get_by_test_id("proposal")
    expect(proposal).to_be_visible()
    expect(alice.get_by_role("list", name="Timeline")).to_contain_text("mx-7 replaced; mail flows again.")
    screenshot(alice, "cases-proposal")
    proposal.get_by_role("button", name="Accept: the issue is resolved").click()

    expect(alice.get_by_test_id("status")).to_have_text("Resolved")
    expect(alice.locator(".messages")).to_contain_text("Thank you. The case is resolved.")
    expect(alice.get_by_test_id("proposal")).to_have_count(0)
    screenshot(alice, "cases-resolved")
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED


@pytest.mark.browser
def test_the_callback_countdown_speaks_the_pages_language(page, world, frozen):
    """countdown.js writes no words: Intl.RelativeTimeFormat says them in <html lang>."""
    frozen("2027-05-11 08:00", tick=True)
    page.context.clock.install(time=timezone.now())
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    case = open_case(world, critical=True, callback=True)
    log_in(page, world.alice.email, world.password)
    page.goto(f"{page.url.split('/a/')[0]}/a/acme/cases/{case.number}/")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_test_id("clock").locator(".countdown")).to_have_text(re.compile(r"^ \(za 1[45] minut\)$"))
