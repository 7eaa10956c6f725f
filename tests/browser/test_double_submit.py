"""A double click on a creating form (issue 14): the button is disabled while the first submit is on its way
(portal/forms.js). The server's guarantee (one case however many POSTs) is tested in tests/core."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.browser
def test_the_open_button_is_disabled_after_the_first_click(page, world):
    log_in(page, world.alice.email, world.password)
    expect(page).to_have_url(re.compile(r"/a/acme/$"))
    page.goto("/a/acme/cases/new/")
    page.get_by_label("Non-critical").check()
    page.get_by_label("What kind of request is it?").select_option(label="Software bug")
    page.get_by_label("Subject").fill("Bounces from Gmail")
    page.get_by_label("Description").fill("Since 9:00, 421 from gmail-smtp-in.")
    # Keep the first submit on the page (as on a slow connection) and count the submits the browser makes.
    page.eval_on_selector(
        "form:has(input[name=form_token])",
        "f => { window.sent = 0; f.addEventListener('submit', e => { if (!e.defaultPrevented) { window.sent += 1; }"
        " e.preventDefault(); }); }",
    )
    button = page.get_by_role("button", name="Open the case")
    button.click()
    expect(button).to_be_disabled()
    expect(page.locator("form:has(input[name=form_token])")).to_have_attribute("aria-busy", "true")
    button.click(force=True)  # the impatient second click sends nothing
    screenshot(page, "double-submit-disabled")
    assert page.evaluate("window.sent") == 1
    assert not Case.objects.exists()
