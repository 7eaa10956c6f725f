"""The availability page's months in the reader's language (issue 17, Polish): the bars' date axis ("lis
2026"), this month's heading and the earlier months ("październik 2026"), and the printable report's title.
MISSION: AV-1."""

import pytest

from tests.helpers import feed_attempts as feed
from tests.helpers import visible_text

pytestmark = pytest.mark.django_db


def test_a_polish_reader_sees_month_names_in_polish(client, world, frozen):
    frozen("2026-11-20 12:00")
    feed(world.acme, ["2026-11-10T10:00:00Z,api,timeout", "2026-11-10T10:01:00Z,smtp,success"])
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    client.force_login(world.alice)
    page = client.get("/a/acme/availability/").content.decode()
    axis = visible_text(page.split('data-testid="bars-axis"')[1].split("</div>")[0])
    assert axis.endswith("20 lis 2026") and "Nov" not in axis
    assert "za listopad 2026 (cel" in visible_text(page)
    history = visible_text(page.split('data-testid="history"')[1].split("</table>")[0])
    assert "październik 2026" in history and "wrzesień 2026" in history and "2026-10" not in history
    report = visible_text(client.get("/a/acme/availability/2026-11/report/"))
    assert "Raport dostępności, listopad 2026" in report


def test_an_english_reader_sees_month_names_in_english(client, world, frozen):
    frozen("2026-11-20 12:00")
    feed(world.acme, ["2026-11-10T10:01:00Z,smtp,success"])
    client.force_login(world.alice)
    page = visible_text(client.get("/a/acme/availability/"))
    assert "in November 2026 (target" in page and "October 2026" in page and "20 Nov 2026" in page
