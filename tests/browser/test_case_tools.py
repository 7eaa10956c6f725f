"""Issue 15 in real browsers: two members of staff on one case — while Sam types a reply, Tina's page says so
(polled, never to the customer); Tina puts a canned reply into her reply form with htmx, in the case's
language."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.cases.conftest import open_case
from tests.cases.factories import CannedReplyFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.browser
def test_one_agent_sees_another_replying_and_inserts_a_canned_reply(page, browser, live_server, world):
    case = open_case(world, subject="Mail to Gmail is slow")
    CannedReplyFactory(name="Looking into it", body_en="Hello {customer_name}, {agent_name} is on {case_number}.")
    log_in(page, world.tina.email, world.password)
    page.goto(f"/console/cases/{case.number}/")
    expect(page.get_by_test_id("replying")).to_have_count(0)

    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/Warsaw")
    sam = context.new_page()
    log_in(sam, world.sam.email, world.password)
    sam.goto(f"/console/cases/{case.number}/")
    sam.get_by_label("Your message").fill("We found the cause")
    sam.get_by_label("Your message").press_sequentially(" and", delay=50)

    expect(page.get_by_test_id("replying")).to_have_text("Sam Okafor is replying", timeout=15_000)
    expect(sam.get_by_test_id("replying")).to_have_count(0)  # never oneself
    screenshot(page, "case-someone-else-is-replying")

    page.get_by_label("Canned reply").select_option(label="Looking into it")
    page.get_by_role("button", name="Insert canned reply").click()
    expect(page.get_by_label("Your message")).to_have_value("Hello Alice Andrzejewska, Tina Nowak is on ACME-000001.")
    expect(page).to_have_url(re.compile(rf"/console/cases/{case.number}/$"))  # htmx swapped the form in place
    context.close()
