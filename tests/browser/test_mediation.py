"""A customer's mediation request full of markup opens in the TAM's Chromium as text: no script runs, and
the provider text on screen is the customer's words verbatim, Message-IDs included (MISSION: DLV-3)."""

import pytest
from playwright.sync_api import expect

from deliverability import services
from deliverability.mediation import services as mediation
from deliverability.models import MediationRequest
from tests.browser.conftest import log_in, screenshot
from tests.helpers import ADDRESS, IMG, MESSAGE_ID, SCRIPT

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def marked_up(world):
    services.targets_add(account=world.acme, actor=None, text="acme.example", role="from")
    draft = MediationRequest(
        account=world.acme,
        provider="other",
        provider_name=f"{SCRIPT} Mail",
        domains=["acme.example"],
        bounce_text=f"550 5.7.1 Message {MESSAGE_ID} rejected: {SCRIPT}",
        first_seen="2026-11-20",
        daily_volume=5000,
        affected_percent=40,
        sample_headers=f"Message-ID: {MESSAGE_ID}\nFrom: {ADDRESS}\nX-Campaign: {IMG}",
        recent_changes=f"A new list {IMG} & a template with {SCRIPT}",
    )
    draft = mediation.mediation_save(request=draft, actor=world.arthur)
    return mediation.mediation_submit(request=draft, actor=world.arthur, acknowledged=True)


@pytest.mark.browser
def test_the_tam_opens_a_marked_up_request_and_no_script_runs(page, world, marked_up):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, "tina@tam.test", world.password)
    page.goto(f"/console/mediation/{marked_up.pk}/", wait_until="load")  # a failed <img> has fired onerror by now
    assert dialogs == []
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Acme · {SCRIPT} Mail")
    shown = page.get_by_test_id("provider-text").inner_text()
    assert shown.rstrip("\n") == mediation.provider_text(marked_up).rstrip("\n")  # what the TAM copies
    assert f"Error returned: 550 5.7.1 Message {MESSAGE_ID} rejected: {SCRIPT}" in shown
    assert f"Message-ID: {MESSAGE_ID}\nFrom: {ADDRESS}\nX-Campaign: {IMG}" in shown
    assert page.evaluate("[...document.scripts].some(s => s.text.includes('alert(1)'))") is False
    assert page.locator("img[src=x]").count() == 0
    screenshot(page, "mediation-markup")
    assert dialogs == []
