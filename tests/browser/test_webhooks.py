"""Alerts and webhooks in Chromium (issues 19, 20): the account admin adds a signed endpoint, copies the secret
shown once, sends a test event (htmx, the answer in place) and the receiver on loopback verifies it; the
destination's page on a phone. The ``docs`` screenshots are the README's (``make docs-screenshots``)."""

import pytest
from playwright.sync_api import expect

from integrations.models import Destination
from tests.browser.conftest import fits_the_screen, log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_admin_adds_an_endpoint_and_sends_a_test_event(page, phone_page, world, receiver):
    log_in(page, "alice@acme.test", world.password)
    page.goto("/a/acme/team/")
    page.get_by_test_id("webhooks-link").click()
    page.get_by_label("Name").fill("Ops endpoint")
    page.get_by_label("Kind").select_option("https")
    page.get_by_label("URL").fill(f"{receiver.url}/hook")
    page.get_by_label("Case opened", exact=True).check()
    page.get_by_role("button", name="Add").click()
    secret = page.get_by_test_id("new-secret").locator("pre").inner_text().strip()
    assert secret == Destination.objects.get(account=world.acme).secret
    receiver.secret = secret
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("secret")).to_contain_text(secret[-4:])
    assert secret not in page.content()
    page.get_by_test_id("send-test").click()
    expect(page.get_by_test_id("test-result")).to_contain_text(
        "The test event was delivered: the endpoint answered 200."
    )
    assert receiver.requests and receiver.requests[0]["verified"]
    page.reload()
    expect(page.get_by_test_id("delivery-log")).to_contain_text("Test event")
    screenshot(page, "webhooks-destination", docs=True)
    destination_url = page.url
    log_in(phone_page, "alice@acme.test", world.password)
    phone_page.goto(destination_url)
    expect(phone_page.get_by_test_id("delivery-log")).to_contain_text("Test event")
    assert fits_the_screen(phone_page)
    screenshot(phone_page, "webhooks-destination-phone", docs=True)
