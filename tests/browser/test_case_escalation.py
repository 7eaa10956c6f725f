"""The customer asks for a critical severity and escalates to the TAM; the agent accepts the change — clicked
through in real browsers (MISSION CR-0, TAM-4; issue 15)."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.browser.conftest import log_in, screenshot
from tests.cases.conftest import open_case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.browser
def test_the_customer_asks_for_severity_1_and_escalates_and_the_agent_accepts(page, browser, live_server, world):
    case = open_case(world, subject="Mail to Gmail is slow")
    log_in(page, world.alice.email, world.password)
    expect(page).to_have_url(re.compile(r"/a/acme/$"))
    page.goto(case.get_absolute_url())

    page.get_by_text("Ask us to change the severity or category").click()
    page.get_by_label("Severity").select_option(label="Critical (Severity 1)")
    page.get_by_label("Category").select_option(label="Software bug")
    page.get_by_test_id("classification").get_by_label("Why?").fill("Nothing is delivered any more.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_test_id("classification")).to_contain_text("You asked for: Critical (Severity 1)")

    page.get_by_text("Escalate to your TAM").click()
    page.get_by_label("Why do you escalate?").fill("Our launch is today.")
    page.get_by_role("button", name="Escalate", exact=True).click()
    expect(page.locator(".timeline")).to_contain_text("Escalated to the TAM by the customer")
    screenshot(page, "case-customer-asks-and-escalates")

    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/Warsaw")
    sam = context.new_page()
    log_in(sam, world.sam.email, world.password)
    sam.goto(f"/console/cases/{case.number}/")
    request = sam.get_by_test_id("classification-request")
    expect(request).to_contain_text("Critical (Severity 1) · Software bug")
    request.get_by_label("Answer").select_option(label="Accept the change")
    request.get_by_label("Reason for the customer").fill("Confirmed: the relay is down.")
    request.get_by_role("button", name="Answer").click()
    expect(sam.locator(".timeline")).to_contain_text("Non-critical · Software bug → Critical (Severity 1)")
    screenshot(sam, "case-staff-accepts-severity-1")
    context.close()

    assert Case.objects.get(pk=case.pk).severity == Case.Severity.CRITICAL
    page.reload()
    expect(page.locator(".sev1-callout")).to_contain_text("Severity 1 line")
