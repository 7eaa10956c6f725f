"""A Severity 1 call at 3 a.m. during a gap in the rota (issue 15), clicked through in Chromium: the
representative records a call from a company nobody can match, and every TAM and every agent is paged by
email, delivered over SMTP to an aiosmtpd server (MISSION CR-1, CR-2, TAM-4). Time is pinned: the live server
runs in this process, so ``frozen`` moves its clock too."""

import email
import email.policy
import re
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import PhoneIntake
from tests.browser.conftest import log_in, screenshot
from tests.cases.factories import OnCallShiftFactory
from tests.helpers import free_port

pytestmark = pytest.mark.django_db(transaction=True)
H = timedelta(hours=1)


class Collect:
    """aiosmtpd handler: keep every message (only bytes: the database is not touched from the server's thread)."""

    def __init__(self):
        self.messages = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        self.arrived.set()
        return "250 Message accepted for delivery"


@pytest.fixture
def pager(settings):
    """The staff's mailboxes: the portal's SMTP backend delivers here."""
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), server_hostname="mail.portal.test")
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    yield handler
    controller.stop()


@pytest.mark.browser
def test_a_3am_severity_1_call_in_a_rota_gap_pages_every_tam_and_agent(page, world, frozen, pager):
    # Sunday 14 June 2026, 03:00 in Warsaw: Olga's Saturday shift ended at 17:00, Omar's starts Monday 08:00.
    now = frozen("2026-06-14 01:00", tick=True)
    page.context.clock.install(time=timezone.now())
    OnCallShiftFactory(
        agent__email="olga@support.test", agent__full_name="Olga", starts_at=now - 18 * H, ends_at=now - 10 * H
    )
    OnCallShiftFactory(
        agent__email="omar@support.test", agent__full_name="Omar", starts_at=now + 29 * H, ends_at=now + 37 * H
    )

    # Sam answers the line (the representative); the console shows the gap and that nobody is on duty.
    log_in(page, world.sam.email, world.password)
    expect(page).to_have_url(re.compile(r"/console/$"))
    gaps = page.locator("#rota-gaps")
    expect(gaps).to_contain_text("Now – tomorrow 08:00 CEST")
    expect(gaps).to_contain_text("Times in Europe/Warsaw.")
    screenshot(page, "severity1-console-rota-gap")

    page.get_by_role("button", name="Take a Severity 1 call").click()
    expect(page).to_have_url(re.compile(r"/console/severity1/$"))
    expect(page.locator("aside")).to_contain_text("Nobody is on duty: the call pages every TAM and agent.")
    page.get_by_label("Company name").fill("Initech")
    expect(page.get_by_label("Company not found: record the call without an account")).to_be_checked()
    page.get_by_label("Contact name").fill("Peter Gibbons")
    page.get_by_label("Contact phone").fill("+48 600 700 800")
    page.get_by_label("Contact email").fill("peter@initech.test")
    page.get_by_label("Description of the critical issue").fill("Every API call answers 503 since 02:40.")
    screenshot(page, "severity1-intake-at-3am")
    page.get_by_role("button", name="Record the call and start the clock").click()

    expect(page.locator(".messages")).to_contain_text("nobody is on duty, so every TAM and agent is paged")
    expect(page.locator("aside")).to_contain_text("Initech")
    screenshot(page, "severity1-call-without-account")
    intake = PhoneIntake.objects.get()
    assert intake.callback_due_at == intake.received_at + timedelta(minutes=15)

    # Every active TAM and every agent is paged, over SMTP, with whom to call back and by when.
    assert pager.arrived.wait(10)
    expected = {
        "tina@tam.test",
        "tom@tam.test",
        "tess@tam.test",
        "sam@support.test",
        "olga@support.test",
        "omar@support.test",
    }
    for _ in range(50):
        if {rcpt for rcpts, _message in pager.messages for rcpt in rcpts} >= expected:
            break
        pager.arrived.clear()
        pager.arrived.wait(0.2)
    paged = {rcpt for rcpts, _message in pager.messages for rcpt in rcpts}
    assert paged == expected
    _rcpts, message = pager.messages[0]
    assert str(message["Subject"]) == "SEVERITY 1 CALL — unknown company: Initech"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Call back: Peter Gibbons, +48 600 700 800 — by Sun 14 Jun 03:15 CEST" in body
