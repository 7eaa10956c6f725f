"""The staff console's account table kept in the panel cache (portal/console.py, issue 18): a write on an account,
its TAMs or their hours shows on the next request, "reachable" turns at the second a shown TAM's hours open or
close, the customers' local times turn at the minute, a person sees only their own accounts, and the page is byte
for byte the uncached drawing. MISSION: TAM-1."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from accounts.models import OpeningWindow, User
from tests.accounts.factories import AccountFactory, CalendarExceptionFactory
from tests.helpers import text, visible_text, without_csrf

CONSOLE = "/console/"
T0 = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Warsaw: Tina's hours (Mon-Fri 09-17) are open
SECOND = timedelta(seconds=1)
DRAWN_FROM = ('FROM "accounts_openingwindow"', 'COUNT(*) AS "__count" FROM "accounts_account"')


@pytest.fixture
def tina(client, world, frozen):
    frozen(T0)
    client.force_login(world.tina)
    return client


def table(response_or_html) -> str:
    body = response_or_html if isinstance(response_or_html, str) else text(response_or_html)
    return re.search(r'<div id="account-table".*?</table>', body, re.S).group(0)


def row(client, name: str) -> str:
    """The visible text of the account's row ("" when the table has none)."""
    rows = re.findall(r"<tr>.*?</tr>", table(client.get(CONSOLE)), re.S)
    return next((visible_text(r) for r in rows if f">{name}</a>" in r), "")


def _served(client) -> str:
    """The table from the cache: the page reads neither the accounts' page nor their TAMs' hours."""
    with CaptureQueriesContext(connection) as served:
        shown = visible_text(table(client.get(CONSOLE)))
    assert not [q["sql"] for q in served if any(part in q["sql"] for part in DRAWN_FROM)]
    return shown


def _loaded_twice(client) -> str:
    first = visible_text(table(client.get(CONSOLE)))
    assert _served(client) == first
    return first


@pytest.mark.parametrize("who", ["sam", "tina"])
def test_a_warm_console_is_a_few_queries(client, world, frozen, who):
    frozen(T0)
    client.force_login(getattr(world, who))
    client.get(CONSOLE)
    with CaptureQueriesContext(connection) as warm:
        client.get(CONSOLE)
    assert len(warm) <= 5, [q["sql"] for q in warm]


@pytest.mark.parametrize("who", ["tina", "sam", "root"])
@pytest.mark.parametrize("language", ["en", "pl"])
def test_the_page_is_the_uncached_drawing(client, world, frozen, who, language):
    frozen(T0)
    User.objects.filter(pk=getattr(world, who).pk).update(language=language)
    client.force_login(getattr(world, who))
    for headers in ({}, {"HX-Request": "true"}):
        cache.clear()
        drawn = without_csrf(client.get(CONSOLE, headers=headers))
        assert without_csrf(client.get(CONSOLE, headers=headers)) == drawn
    assert drawn.lstrip().startswith('<div id="account-table"')  # htmx: the table alone


def test_a_renamed_account_shows_at_once(tina, world):
    assert "Acme" in _loaded_twice(tina)
    account_services.account_update(account=world.acme, actor=world.root, name="Acme Mail Group")
    assert "Acme Mail Group your account" in row(tina, "Acme Mail Group")


def test_new_tams_show_at_once_and_the_account_leaves_the_former_tams_table(tina, world, client):
    assert "Acme" in _loaded_twice(tina)
    account_services.account_assign_tams(account=world.acme, actor=world.root, primary_tam=world.tess, backup_tam=None)
    assert "Acme" not in visible_text(table(tina.get(CONSOLE)))
    client.force_login(world.sam)
    assert "Tess Lindqvist" in row(client, "Acme")


def test_reachable_turns_at_the_second_the_tams_day_ends(tina, world, frozen):
    """Tina's Tuesday ends at 16:59:30 in Warsaw (14:59:30 UTC): inside a minute, so only the edge of her hours,
    not the turn of the local time's minute, can renew the table."""
    window = OpeningWindow.objects.get(calendar=world.tina.calendar, weekday=1)
    window.closes = time(16, 59, 30)
    window.save()
    frozen(datetime(2026, 6, 9, 14, 59, 0, tzinfo=UTC))
    tina.force_login(world.tina)  # the afternoon: signed in again
    assert "reachable" in _loaded_twice(tina)
    frozen(datetime(2026, 6, 9, 14, 59, 29, tzinfo=UTC))
    assert "reachable" in _served(tina)
    frozen(datetime(2026, 6, 9, 14, 59, 30, tzinfo=UTC))
    assert "Tina Nowak away" in row(tina, "Acme")


def test_a_day_off_in_the_tams_calendar_shows_at_once(tina, world):
    assert "Tina Nowak reachable" in row(tina, "Acme")
    assert "reachable" in _served(tina)
    CalendarExceptionFactory(calendar=world.tina.calendar, first=T0.date())
    assert "Tina Nowak away" in row(tina, "Acme")


def test_the_customers_local_time_turns_at_the_minute(tina, world, frozen):
    frozen(T0 + timedelta(seconds=5))
    assert "10:00 CEST" in _loaded_twice(tina)
    frozen(T0 + timedelta(seconds=59))
    assert "10:00 CEST" in _served(tina)
    frozen(T0 + timedelta(seconds=60))
    assert "10:01 CEST" in row(tina, "Acme")


def test_each_tam_sees_only_their_accounts(client, world, frozen):
    frozen(T0)
    for person, sees, never in [(world.tina, "Acme", "Globex"), (world.tess, "Globex", "Acme")] * 2:
        client.force_login(person)
        shown = visible_text(table(client.get(CONSOLE)))
        assert sees in shown
        assert never not in shown


def test_a_new_account_shows_in_the_agents_table_at_once(client, world, frozen):
    frozen(T0)
    client.force_login(world.sam)
    assert "Initech" not in _loaded_twice(client)
    AccountFactory(name="Initech", slug="initech", primary_tam=world.tess)
    assert "Tess Lindqvist" in row(client, "Initech")


def test_the_table_is_kept_per_language_and_zone(tina, world):
    assert "Tina Nowak reachable" in row(tina, "Acme")
    User.objects.filter(pk=world.tina.pk).update(language="pl")  # no write the cache hears of
    assert "Tina Nowak dostępny" in row(tina, "Acme")


def test_a_search_is_drawn_afresh(client, world, frozen):
    frozen(T0)
    client.force_login(world.sam)
    for _ in range(2):
        with CaptureQueriesContext(connection) as drawn:
            found = visible_text(client.get(CONSOLE, {"q": "glo"}, headers={"HX-Request": "true"}))
        assert "Globex" in found
        assert "Acme" not in found
        assert [q for q in drawn if 'FROM "accounts_openingwindow"' in q["sql"]]
