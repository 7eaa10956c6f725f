"""The foundation's "Done when", clicked through in a real browser (Debian's Chromium via Playwright).

Every test runs against pytest-django's ``live_server``, which serves from another thread, so the data
must be committed: the module asks for a transactional database.
"""

import re
from datetime import date, time

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import BusinessCalendarFactory, CalendarExceptionFactory
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def give_tam_calendar(tam, calendar) -> None:
    tam.calendar = calendar
    tam.save(update_fields=["calendar"])


@pytest.fixture
def tina_always_open(world):
    give_tam_calendar(world.tina, BusinessCalendarFactory(always_open=True, weekdays=False))
    return world


@pytest.fixture
def alice_dashboard(page, tina_always_open):
    """Alice signed in, on the Acme dashboard, with Tina reachable around the clock."""
    world = tina_always_open
    log_in(page, world.alice.email, world.password)
    expect(page).to_have_url(re.compile(r"/a/acme/$"))
    return page


@pytest.mark.browser
def test_alice_sees_her_tam_reachable_now(alice_dashboard):
    page = alice_dashboard
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")
    tam = page.get_by_test_id("tam-1")
    expect(tam).to_contain_text("Tina Nowak")
    expect(tam.get_by_test_id("reachability")).to_contain_text("Reachable now")
    expect(tam.get_by_test_id("reachability")).not_to_contain_text("Away")
    screenshot(page, "dashboard-desktop")


@pytest.mark.browser
def test_alice_sees_when_an_away_tam_is_next_reachable(page, world, frozen):
    frozen("2027-01-12 10:00", tick=True)  # a Tuesday in winter, 11:00 in Warsaw
    # No weekly hours at all; one dated exception opens 09:00–17:00 the day after tomorrow (Warsaw).
    calendar = BusinessCalendarFactory(weekdays=False, timezone="Europe/Warsaw")
    day = date(2027, 1, 14)
    CalendarExceptionFactory(calendar=calendar, first=day, last=day, closed=False, opens=time(9), closes=time(17))
    give_tam_calendar(world.tina, calendar)

    log_in(page, world.alice.email, world.password)
    expect(page).to_have_url(re.compile(r"/a/acme/$"))
    reach = page.get_by_test_id("tam-1").get_by_test_id("reachability")
    expect(reach).to_contain_text("Away")
    expect(reach).to_contain_text("next reachable Thu 09:00 CET")  # Alice's time zone is Europe/Warsaw too
    expect(reach).to_contain_text(re.compile(r"next reachable \w+ \d{2}:\d{2} [A-Z]{3,5}"))
    expect(page.get_by_test_id("tam-1")).to_contain_text("Tina Nowak")


@pytest.mark.browser
def test_language_switch_to_polish_persists(alice_dashboard):
    page = alice_dashboard
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("form.lang-switch").get_by_role("button", name="PL", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page).to_have_url(re.compile(r"/a/acme/$"))
    expect(page.locator("form.lang-switch button[value=pl]")).to_have_attribute("aria-pressed", "true")

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    screenshot(page, "dashboard-polish")
    # These need the Polish catalogue (locale/pl/LC_MESSAGES/django.po, compiled).
    expect(page.locator("#tam-card-title")).to_have_text("Twój opiekun techniczny (TAM)")
    expect(page.get_by_test_id("tam-1").get_by_test_id("reachability")).to_contain_text("Dostępny teraz")


@pytest.mark.browser
def test_log_out_ends_on_login_and_closes_the_dashboard(alice_dashboard):
    page = alice_dashboard
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()

    page.goto("/a/acme/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/a/acme/$"))
    expect(page.get_by_label("Email")).to_be_visible()


@pytest.mark.browser
def test_wrong_password_shows_the_error_and_stays_on_login(page, world):
    page.goto("/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "login")

    log_in(page, world.alice.email, "not-the-password")
    error = page.get_by_test_id("login-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("do not match")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_label("Email")).to_have_value(world.alice.email)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


@pytest.mark.browser
def test_phone_dashboard_fits_the_screen(phone_page, tina_always_open):
    page = phone_page
    log_in(page, tina_always_open.alice.email, tina_always_open.password)
    expect(page).to_have_url(re.compile(r"/a/acme/$"))
    expect(page.get_by_test_id("tam-1")).to_contain_text("Tina Nowak")

    sizes = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert sizes["scroll"] <= sizes["inner"], f"horizontal scroll on a phone: {sizes}"
    sev1 = page.get_by_test_id("sev1-phone")
    expect(sev1).to_be_visible()
    expect(sev1).to_contain_text(re.compile(r"\d"))
    sev1.scroll_into_view_if_needed()
    expect(sev1).to_be_in_viewport()
    screenshot(page, "dashboard-phone")


@pytest.mark.browser
def test_expired_session_on_htmx_refresh_redirects_the_whole_page(alice_dashboard):
    page = alice_dashboard
    expect(page.locator("#tam-card")).to_be_visible()
    page.context.clear_cookies()
    page.evaluate("htmx.ajax('GET', location.pathname + 'panel/tam-card/', {target: '#tam-card', swap: 'outerHTML'})")

    expect(page).to_have_url(re.compile(r"/login/\?next=/a/acme/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#tam-card")).to_have_count(0)
    expect(page.locator("form input[name=password]")).to_have_count(1)


@pytest.mark.browser
def test_tam_lands_on_console_with_her_account(page, world):
    log_in(page, world.tina.email, world.password)
    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff console")
    acme = page.locator("#account-table tbody tr").filter(has_text="Acme")
    expect(acme).to_have_count(1)
    expect(acme).to_contain_text("your account")
    expect(page.locator("#account-table")).not_to_contain_text("Globex")
    screenshot(page, "console-tam")
