"""The Sender authentication page in Chromium: "Check now" has a cooldown (issue 16, MISSION DLV-1). A double
click starts one check; the button says how long to wait, and comes back by itself when the time is up."""

import pytest
from playwright.sync_api import expect

from deliverability.models import AuthRun
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_check_now_cools_down_and_comes_back(page, world, settings, unused_udp_port):
    settings.AUTH_NAMESERVERS = [f"127.0.0.1:{unused_udp_port}"]  # nothing to check, nothing answers: quick
    settings.AUTH_TIMEOUT = 0.05
    settings.AUTH_CHECK_COOLDOWN = 3
    log_in(page, "alice@acme.test", world.password)
    page.goto("/a/acme/authentication/")
    page.get_by_role("button", name="Check now").dblclick()
    progress = page.get_by_test_id("auth-progress")
    expect(progress).to_contain_text("you can check again in", timeout=10000)
    expect(page.get_by_role("button", name="Check now")).to_be_disabled()
    assert AuthRun.objects.filter(account=world.acme).count() == 1
    expect(page.get_by_role("button", name="Check now")).to_be_enabled(timeout=10000)  # after 3 s, by itself
    expect(progress).not_to_contain_text("you can check again in")
    page.get_by_role("button", name="Check now").click()
    expect(progress).to_contain_text("you can check again in", timeout=10000)  # the answer to this click
    assert AuthRun.objects.filter(account=world.acme).count() == 2
