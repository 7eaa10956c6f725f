"""A double click on a creating form (issue 14): the button is disabled while the first submit is on its way
(portal/forms.js), and the case is opened once."""

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
    held = []  # the first POST waits here, as on a slow connection

    def hold(route):
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route("**/a/acme/cases/new/", hold)
    button = page.get_by_role("button", name="Open the case")
    button.click(no_wait_after=True)
    page.wait_for_timeout(300)
    # While the answer is on its way, the form's button is disabled and the form says it is busy.
    state = "f => [f.querySelector('button[type=submit]').disabled, f.getAttribute('aria-busy')]"
    assert page.eval_on_selector("form:has(input[name=form_token])", state) == [True, "true"]
    screenshot(page, "double-submit-disabled")
    assert len(held) == 1
    held[0].continue_()
    expect(page).to_have_url(re.compile(r"/a/acme/cases/ACME-000001/$"))
    assert Case.objects.count() == 1
