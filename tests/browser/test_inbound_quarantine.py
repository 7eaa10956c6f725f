"""Forged mail in Chromium (issue 14): a reply in Bob's name that failed DMARC waits in the inbound screen; Tess
releases it; the timeline says how each author was verified; Bob sees "verified by DMARC" on his real reply
and nothing of the mail that was discarded."""

import re

import pytest
from playwright.sync_api import expect

from cases.email import ingest
from cases.models import CaseEvent, InboundMessage
from tests.browser.conftest import log_in, screenshot
from tests.cases import mail_corpus as m
from tests.cases.conftest import open_case

pytestmark = pytest.mark.django_db(transaction=True)

OURS = "mx.portal.test"


def bob_writes(case, body: str, verdict: str, n: int) -> bytes:
    return m.plain(
        frm="Bob Harris <bob@globex.test>", subject=f"Re: [{case.number}] Deferrals", body=body,
        message_id=f"<bob-{n}@globex.test>",
        extra=f"Authentication-Results: {OURS}; {verdict} header.from=globex.test\n",
    )  # fmt: skip


@pytest.mark.browser
def test_staff_release_and_discard_forged_mail_and_the_timeline_says_how_senders_were_verified(
    page, browser, live_server, world, settings
):
    settings.INBOUND_AUTHSERV_ID = OURS
    case = open_case(world, actor=world.bob, account=world.globex, subject="Deferrals at Yahoo")
    assert ingest.receive(bob_writes(case, "Still deferred at 10:00.", "dmarc=pass", 1)).result == "appended"
    assert ingest.receive(bob_writes(case, "Forged: close it.", "dmarc=fail", 2)).result == "quarantined"
    assert ingest.receive(bob_writes(case, "Forged: phishing link.", "dmarc=fail", 3)).result == "quarantined"
    first, second = InboundMessage.objects.filter(status="quarantined").order_by("message_id")

    log_in(page, world.tess.email, world.password)
    page.goto(f"/console/inbound/{first.pk}/")
    expect(page.get_by_test_id("verified-by")).to_have_text("dmarc=fail header.from=globex.test")
    screenshot(page, "inbound-quarantined-unverified")
    page.get_by_role("button", name="Release as the sender").click()
    expect(page.get_by_role("status")).to_contain_text("Result: appended")
    page.goto(f"/console/inbound/{second.pk}/")
    page.get_by_label("Reason").fill("Phishing, not Bob")
    page.get_by_role("button", name="Discard").click()
    expect(page.locator("body")).to_contain_text("discarded by Tess Lindqvist: Phishing, not Bob")

    page.goto(f"/console/cases/{case.number}/")
    checks = page.get_by_test_id("sender-check")
    expect(checks).to_have_text(
        ["portal sign-in", "dmarc=pass header.from=globex.test", "unverified — released by Tess Lindqvist"]
    )
    screenshot(page, "inbound-staff-timeline-sender-checks")

    bob = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    bob_page = bob.new_page()
    log_in(bob_page, world.bob.email, world.password)
    expect(bob_page).to_have_url(re.compile(r"/a/globex/"))
    bob_page.goto(f"/a/globex/cases/{case.number}/")
    expect(bob_page.get_by_test_id("sender-mark")).to_have_text(["verified by DMARC"])
    expect(bob_page.locator("body")).not_to_contain_text("phishing link")
    screenshot(bob_page, "inbound-customer-timeline-dmarc-mark")
    bob.close()
    assert case.events.filter(kind=CaseEvent.Kind.REPLY).count() == 2
