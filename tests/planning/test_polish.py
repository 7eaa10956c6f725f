"""Issue 17, languages item (planning): plurals through ngettext ("3 odroczenia", "1 deferral"), the charts'
month names and digit grouping in the reader's language, date inputs pre-filled in ISO format (a Polish
browser shows "10.05.2027" in an empty field otherwise), and "Nazwa" (not a person's "Imię i nazwisko") for
an API token's name. MISSION: DLV-1."""

import re

import pytest
from django.utils import translation

from planning.status import reason_text
from tests.helpers import text, visible_text
from tests.planning.conftest import deferrals_on
from tests.planning.factories import send_as_planned

pytestmark = pytest.mark.usefixtures("a_fixed_day")


def in_polish(user):
    user.language = "pl"
    user.save(update_fields=["language"])


@pytest.mark.parametrize(
    ("language", "reasons", "said"),
    [
        ("en", [("deferrals", 1)], "1 deferral (4xx) from this provider."),
        ("en", [("deferrals", 1_200)], "1,200 deferrals (4xx) from this provider."),
        ("pl", [("deferrals", 1)], "1 odroczenie (4xx) od tego dostawcy."),
        ("pl", [("deferrals", 3)], "3 odroczenia (4xx) od tego dostawcy."),
        ("pl", [("deferrals", 40)], "40 odroczeń (4xx) od tego dostawcy."),
        ("pl", [("deferrals", 1_200)], "1\xa0200 odroczeń (4xx) od tego dostawcy."),
        ("pl", [("rate_limited", 3)], "3 odroczenia z limitem szybkości (421/451): dostawca ogranicza przepływ."),
        ("en", [("rate_limited", 1)], "1 rate-limit deferral (421/451): the provider is throttling."),
    ],
)
def test_counts_are_plural_in_the_readers_language(language, reasons, said):
    with translation.override(language):
        assert reason_text(reasons) == said


def test_a_polish_reader_sees_the_charts_months_and_numbers_in_polish(client, world, acme_plan):
    send_as_planned(acme_plan, 7, gmail=deferrals_on(6))
    in_polish(world.alice)
    client.force_login(world.alice)
    page = text(client.get(acme_plan.get_absolute_url()))
    chart = re.search(r'<svg viewBox="0 0 560 180" class="warmup-chart" role="img" aria-label="Gmail">.*?</svg>', page)
    labels = re.findall(r'<text x="[\d.]+" y="[\d.]+" class="tick(?: end)?">([^<]+)</text>', chart.group(0))
    assert labels[-2:] == ["3 Maj", "23 Maj"]  # the plan's start and its forecast end: 3 May, 23 May 2027
    assert "10\xa0000" in labels or "1\xa0000" in labels  # the log scale's ticks, grouped the Polish way
    assert "<title>9 Maj 2027: 1\xa0037</title>" in chart.group(0)  # the held day's dot


def test_a_polish_tams_date_inputs_are_pre_filled_in_iso_format(client, world):
    in_polish(world.tina)
    client.force_login(world.tina)
    page = text(client.get("/a/acme/warmup/new/"))
    assert re.search(r'<input type="date" name="start_date" value="2027-05-10"', page)


def test_a_polish_reader_sees_nazwa_for_a_tokens_name(client, world):
    in_polish(world.alice)
    client.force_login(world.alice)
    page = text(client.get("/a/acme/api-tokens/"))
    assert 'aria-label="Nazwa"' in page
    assert "Nazwa" in visible_text(re.search(r'data-testid="tokens">.*?</thead>', page, re.S).group(0))
    assert "Imię i nazwisko" not in visible_text(page)
