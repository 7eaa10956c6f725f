"""Issue 17, languages item: the TAM card's upcoming changes include public holidays (the calendar is closed
on them), and changed hours name their zone. MISSION: TAM-1."""

from datetime import date, time

from django.utils import translation

from tests.accounts.factories import BusinessCalendarFactory, CalendarExceptionFactory
from tests.helpers import give_tina, tam_block, visible_text


def test_a_public_holiday_within_two_weeks_is_on_the_tam_card(client, world, frozen):
    frozen("2026-12-18 10:00")  # a Friday; 25 and 26 Dec are Polish public holidays (26 Dec: a Saturday)
    calendar = BusinessCalendarFactory(timezone="Europe/Warsaw", holiday_country="PL")
    give_tina(world, calendar)
    client.force_login(world.alice)
    tina = visible_text(tam_block(client.get("/a/acme/"), 1))
    assert "Away Fri 25 Dec: public holiday" in tina
    assert "26 Dec" not in tina  # a Saturday: not a working day anyway
    assert "1 Jan" in tina  # New Year's Day, a Friday, within the two weeks


def test_a_holiday_an_exception_opens_is_not_away_and_changed_hours_name_their_zone(client, world, frozen):
    frozen("2026-12-18 10:00")
    calendar = BusinessCalendarFactory(timezone="Europe/Warsaw", holiday_country="PL")
    day = date(2026, 12, 25)
    CalendarExceptionFactory(calendar=calendar, first=day, last=day, closed=False, opens=time(10), closes=time(12))
    give_tina(world, calendar)
    client.force_login(world.alice)
    tina = visible_text(tam_block(client.get("/a/acme/"), 1))
    assert "25 Dec: public holiday" not in tina
    assert "Changed hours 25 Dec–25 Dec: 10:00–12:00 (Europe/Warsaw time)" in tina


def test_a_calendar_without_holidays_shows_none(world, frozen):
    frozen("2026-12-18 10:00")
    calendar = BusinessCalendarFactory(timezone="Europe/Warsaw")
    with translation.override("en"):
        assert calendar.upcoming_holidays(date(2026, 12, 18)) == []
