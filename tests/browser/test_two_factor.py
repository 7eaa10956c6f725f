"""Two-factor sign-in in Chromium (issue 14; ASVS 2.7, 2.8): a member of staff is made to set up TOTP before
anything else, then signs in with password and code; "trust this browser" skips the code; a recovery code
works once only; a security key (Chromium's virtual authenticator) is registered and signs in."""

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD, AgentFactory
from tests.browser.conftest import enter_code, screenshot
from tests.helpers import totp_code

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in_with_password(page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def confirm_password_if_asked(page) -> None:
    if "/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()


def sign_out(page) -> None:
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login/$"))


def set_up_totp(page) -> tuple[str, str]:
    """From the set-up page: activate an authenticator app with the secret the page shows; the secret and
    the code used."""
    page.get_by_role("link", name="Activate").first.click()
    confirm_password_if_asked(page)
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()
    code = totp_code(secret)
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="Activate").click()
    page.wait_for_load_state()
    return secret, code


def recovery_codes(page) -> list[str]:
    page.goto("/account/two-factor/recovery-codes/")
    return page.locator("#recovery_codes").input_value().split()


def test_staff_set_up_totp_sign_in_with_it_trust_the_browser_and_use_a_recovery_code_once(world, page, browser):
    AgentFactory(email="nova@support.test", full_name="Nova Agent", two_factor=False)

    # Signed in with the password only, the console is out of reach until a second factor is set up.
    sign_in_with_password(page, "nova@support.test")
    expect(page).to_have_url(re.compile(r"/account/two-factor/$"))
    expect(page.get_by_text("Set up two-factor sign-in to continue")).to_be_visible()
    page.goto("/console/")
    expect(page).to_have_url(re.compile(r"/account/two-factor/$"))
    screenshot(page, "two-factor-required")

    secret, first_code = set_up_totp(page)
    codes = recovery_codes(page)
    assert len(codes) >= 2
    screenshot(page, "two-factor-recovery-codes")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/console/$"))

    # Signing in again: the password, then the code.
    sign_out(page)
    sign_in_with_password(page, "nova@support.test")
    expect(page).to_have_url(re.compile(r"/account/two-factor/authenticate/$"))
    screenshot(page, "two-factor-code")
    enter_code(page, code=totp_code(secret, after=first_code))
    expect(page).to_have_url(re.compile(r"/account/two-factor/trust/$"))
    page.get_by_role("button", name=re.compile(r"^Trust for")).click()
    expect(page).to_have_url(re.compile(r"/console/$"))

    # This browser is trusted: no code the next time.
    sign_out(page)
    sign_in_with_password(page, "nova@support.test")
    expect(page).to_have_url(re.compile(r"/console/$"))

    # Another browser, without the phone: a recovery code, once.
    for attempt in range(2):
        context = browser.new_context(base_url=page.url.split("/console/")[0], locale="en-GB")
        other = context.new_page()
        sign_in_with_password(other, "nova@support.test")
        expect(other).to_have_url(re.compile(r"/account/two-factor/authenticate/$"))
        enter_code(other, code=codes[0])
        if attempt == 0:
            if "/two-factor/trust/" in other.url:
                other.get_by_role("button", name="Don't Trust").click()
            expect(other).to_have_url(re.compile(r"/console/$"))
        else:
            expect(other).to_have_url(re.compile(r"/account/two-factor/authenticate/$"))
            expect(other.get_by_text("Incorrect code.")).to_be_visible()
            screenshot(other, "two-factor-recovery-code-used")
        context.close()


def test_a_security_key_is_registered_and_signs_in(world, page):
    """Chromium's virtual authenticator (CDP WebAuthn domain) stands in for a security key."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    agent = AgentFactory(email="kay@support.test", full_name="Kay Agent", two_factor=False)

    sign_in_with_password(page, "kay@support.test")
    expect(page).to_have_url(re.compile(r"/account/two-factor/$"))
    page.goto("/account/two-factor/webauthn/add/")
    confirm_password_if_asked(page)
    expect(page.get_by_role("heading", name="Add Security Key")).to_be_visible()
    page.locator("input[name=name]").fill("Desk key")
    page.locator("#mfa_webauthn_add").click()
    # the add page's own URL matches ".../webauthn/": wait until the browser has left it (the key is saved then)
    page.wait_for_url(
        lambda url: "/webauthn/add/" not in url and re.search(r"/account/two-factor/(recovery-codes|webauthn)/", url)
    )
    assert agent.authenticator_set.filter(type="webauthn").count() == 1
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/console/$"))

    sign_out(page)
    sign_in_with_password(page, "kay@support.test")
    expect(page).to_have_url(re.compile(r"/account/two-factor/authenticate/$"))
    screenshot(page, "two-factor-security-key")
    page.locator("#mfa_webauthn_authenticate").click()
    page.wait_for_url(re.compile(r"/(console|account/two-factor/trust)/$"))
    if "/two-factor/trust/" in page.url:
        page.get_by_role("button", name="Don't Trust").click()
    expect(page).to_have_url(re.compile(r"/console/$"))
