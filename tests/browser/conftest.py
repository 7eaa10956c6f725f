"""Playwright driving Debian's Chromium (never a downloaded browser) against pytest-django's live_server."""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, require
from tests.helpers import totp_code

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"  # the README's
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Every test under tests/browser/ is a browser test (``-m "not browser"`` leaves them all out),
    whether or not its module remembered the marker."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    require(
        bool(shutil.which(CHROMIUM) or Path(CHROMIUM).exists()),
        "Chromium is not installed (Debian package 'chromium'; `make test` with CI=true installs it)",
    )
    # Playwright's sync API runs an event loop in this thread; the ORM calls our fixtures make are still
    # plain synchronous code, so Django's async guard must step aside.
    # The variable is taken back afterwards: a later test in the same worker (one that starts a subprocess
    # with this environment) must not inherit it.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", timezone_id="Europe/Warsaw", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str, *, docs: bool = False, full_page: bool = True) -> Path:
    """The whole page as var/screenshots/<name>.png. ``docs``: one the README shows; ``make docs-screenshots``
    (DOCS_SCREENSHOTS=1) copies it to docs/screenshots/ (an ordinary run leaves the committed ones alone).
    ``full_page=False``: the first screen only (a long page on a phone)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if docs and os.environ.get("DOCS_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SCREENSHOTS / path.name)
    return path


def fits_the_screen(page) -> bool:
    """Nothing sticks out sideways: the page scrolls down, never across (a phone's width)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def log_in(page, email: str, password: str, *, secret: str | None = None) -> None:
    """Sign in with the password, then, when asked (staff: their factories' TOTP secret), the current code."""
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/two-factor/authenticate/" in page.url:
        enter_code(page, secret=secret)
        if "/two-factor/trust/" in page.url:
            page.get_by_role("button", name="Don't Trust").click()
            page.wait_for_load_state()


_last_code: dict[str, str] = {}


def enter_code(page, *, secret: str | None = None, code: str | None = None) -> str:
    """Type an authenticator code on the two-factor page (a fresh one: allauth accepts each code once)."""
    key = secret or ""
    code = code or totp_code(secret, after=_last_code.get(key))
    _last_code[key] = code
    page.locator("input[name=code]").fill(code)
    page.locator("form[action$='/two-factor/authenticate/'] button[type=submit]").click()
    page.wait_for_load_state()
    return code
