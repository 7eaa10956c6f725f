"""The htmx contract in a real browser: a polled region never takes away what a person is typing."""

import pytest
from playwright.sync_api import expect

from cases import services
from tests.browser.conftest import log_in
from tests.cases.conftest import open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_case_poll_keeps_what_the_customer_is_typing(page, world, settings):
    """The 30-second poll replaced the panel that held "What is still wrong?"; now the panel is read-only
    and the forms sit outside it. The poll is shortened to one second and seen to bring in a new reply."""
    settings.CASE_POLL_SECONDS = 1
    case = open_case(world)
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed on our side.")
    log_in(page, world.alice.email, world.password)
    page.goto(case.get_absolute_url())
    reason = page.get_by_label("What is still wrong?")
    reason.fill("Gmail still defers half of our mail")

    services.case_reply(case=case, actor=world.sam, body="We are watching Gmail too.", files=[])
    expect(page.locator("#case-panel")).to_contain_text("We are watching Gmail too.", timeout=10_000)
    expect(reason).to_have_value("Gmail still defers half of our mail")

    page.get_by_role("button", name="Reject and keep working").click()
    expect(page.get_by_text("The case is back in progress.")).to_be_visible()
