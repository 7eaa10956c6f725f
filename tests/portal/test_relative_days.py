"""Relative day phrases in the reader's language (issue 17, "do jutra"): "tomorrow 09:00" is "jutro o 9:00",
"until tomorrow 17:00" is "do jutra, 17:00", a weekday is "w poniedziałek o 9:00" / "do poniedziałku, 17:00";
English stays as it was. The TAM card says when the TAM is reachable again in Polish."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone, translation

from portal.templatetags.portal_tags import until_when, when
from tests.accounts.factories import BusinessCalendarFactory
from tests.helpers import give_tina, tam_block, visible_text

NOW = "2027-05-10 10:00"  # Monday, 12:00 in Warsaw (CEST)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "english", "polish", "english_until", "polish_until"),
    [
        ("2027-05-10 15:00", "17:00 CEST", "o 17:00 CEST", "until 17:00 CEST", "do 17:00 CEST"),
        ("2027-05-11 07:00", "tomorrow 09:00 CEST", "jutro o 9:00 CEST", "until tomorrow 09:00 CEST",
         "do jutra, 9:00 CEST"),
        ("2027-05-12 07:00", "Wed 09:00 CEST", "w środę o 9:00 CEST", "until Wed 09:00 CEST", "do środy, 9:00 CEST"),
        ("2027-05-15 07:00", "Sat 09:00 CEST", "w sobotę o 9:00 CEST", "until Sat 09:00 CEST",
         "do soboty, 9:00 CEST"),
        ("2027-05-24 07:00", "24 May 09:00 CEST", "24 maj o 9:00 CEST", "until 24 May 09:00 CEST",
         "do 24 maj, 9:00 CEST"),
    ],
)  # fmt: skip
def test_relative_days_in_english_and_polish(frozen, moment, english, polish, english_until, polish_until):
    frozen(NOW)
    with timezone.override("Europe/Warsaw"):
        with translation.override("en"):
            assert (when(at(moment)), until_when(at(moment))) == (english, english_until)
        with translation.override("pl"):
            assert (when(at(moment)), until_when(at(moment))) == (polish, polish_until)


def test_the_tam_card_in_polish_says_when_the_tam_is_back(client, world, frozen):
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    give_tina(world, BusinessCalendarFactory())  # Mon–Fri 09:00–17:00 in Warsaw
    for moment, said in [
        ("2027-05-10 10:00", "do 17:00 CEST"),  # Monday 12:00 CEST: open
        ("2027-05-10 18:00", "ponownie dostępny jutro o 9:00 CEST"),  # Monday 20:00 CEST: back tomorrow
        ("2027-05-14 18:00", "ponownie dostępny w poniedziałek o 9:00 CEST"),  # Friday evening: back on Monday
    ]:
        frozen(moment)
        client.force_login(world.alice)  # signed in at that moment (sessions expire)
        assert said in visible_text(tam_block(client.get("/a/acme/"), 1))


def test_a_span_names_both_days_even_when_one_is_today(frozen):
    """An SNDS day ends at midnight UTC, which is "today 01:00" in Warsaw: the end keeps its date, so the
    period never reads "30 Nov 01:00 CET – 01:00 CET" (issue 19)."""
    from portal.templatetags.portal_tags import span

    frozen("2026-12-01 10:00")
    start, end = at("2026-11-30 00:00"), at("2026-12-01 00:00")
    with timezone.override("Europe/Warsaw"):
        with translation.override("en"):
            assert span(start, end) == "30 Nov 01:00 CET – 1 Dec 01:00 CET"
        with translation.override("pl"):
            assert span(start, end) == "30 lis, 1:00 CET – 1 gru, 1:00 CET"
    assert span(None, end) == ""
