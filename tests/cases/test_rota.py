"""Gaps in the Severity 1 rota (MISSION CR-1: staffed 24/7/365): found (cases/rota.py), shown on the console for
the next 14 days in the viewer's zone, and told to TAMs and agents before they begin, once per gap."""

from datetime import UTC, datetime, timedelta

import pytest

from cases import rota, services
from tests.cases.conftest import emailed
from tests.cases.factories import OnCallShiftFactory
from tests.cases.outbox import outbox
from tests.helpers import panel_text, visible_text

H = timedelta(hours=1)
T0 = datetime(2026, 6, 12, 0, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@pytest.mark.parametrize(
    ("shifts", "expected"),
    [
        ([], [(0, 24)]),
        ([(0, 24)], []),
        ([(-5, 30)], []),
        ([(0, 8), (8, 16), (16, 24)], []),  # back to back
        ([(0, 9), (8, 17)], [(17, 24)]),  # overlapping for a hand-over
        ([(8, 17), (0, 9)], [(17, 24)]),  # in any order
        ([(2, 4), (10, 12)], [(0, 2), (4, 10), (12, 24)]),
        ([(0, 30), (1, 2)], []),  # one shift inside another
        ([(25, 30)], [(0, 24)]),  # outside the window
    ],
)
def test_gaps_are_the_periods_no_shift_covers(shifts, expected):
    found = rota.gaps([(at(s), at(e)) for s, e in shifts], at(0), at(24))
    assert found == [(at(s), at(e)) for s, e in expected]


@pytest.fixture
def weekend(world, frozen):
    """Saturday 10:00 UTC (12:00 in Warsaw): Olga is on until 15:00 UTC (17:00 in Warsaw), then nobody until
    Monday 06:00 UTC."""
    now = frozen("2026-06-13 10:00")
    OnCallShiftFactory(agent__full_name="Olga", starts_at=now - 2 * H, ends_at=now + 5 * H)
    OnCallShiftFactory(agent__full_name="Omar", starts_at=now + 44 * H, ends_at=now + 52 * H)
    return now


def test_the_rota_knows_its_gaps(world, weekend):
    from cases.models import OnCallShift

    gaps = OnCallShift.objects.gaps(weekend, weekend + timedelta(days=14))
    assert gaps[0] == (weekend + 5 * H, weekend + 44 * H)
    assert gaps[-1] == (weekend + 52 * H, weekend + timedelta(days=14))


def test_the_console_shows_the_gaps_in_the_viewers_zone_with_the_zone_named(client, world, weekend, english):
    # MISSION: CR-1 — on main the console said nothing about Saturday 17:00 to Monday 08:00
    world.tom.timezone = "America/New_York"
    world.tom.save(update_fields=["timezone"])

    client.force_login(world.tina)  # Warsaw
    panel = panel_text(client.get("/console/"), "on-duty")
    assert "Gaps in the rota, next 14 days" in panel
    assert "17:00 CEST – Mon 08:00 CEST" in panel
    assert "Mon 16:00 CEST – no shift planned within 14 days" in panel
    assert "Times in Europe/Warsaw." in panel

    client.force_login(world.tom)  # New York
    panel = panel_text(client.get("/console/"), "on-duty")
    assert "11:00 EDT – Mon 02:00 EDT" in panel
    assert "Times in America/New_York." in panel


def test_the_rota_page_shows_the_gaps_too(client, world, weekend, english):
    client.force_login(world.sam)
    page = visible_text(client.get("/console/oncall/"))
    assert "Gaps in the rota, next 14 days" in page and "17:00 CEST – Mon 08:00 CEST" in page


def test_a_rota_with_no_gap_says_so(client, world, frozen, english):
    now = frozen("2026-06-13 10:00")
    OnCallShiftFactory(starts_at=now - H, ends_at=now + timedelta(days=15))
    client.force_login(world.sam)
    assert "None: the rota covers every hour of the next 14 days." in panel_text(client.get("/console/"), "on-duty")


def test_tams_and_agents_are_told_before_a_gap_begins_once(world, weekend, settings):
    # MISSION: CR-1 — told ROTA_GAP_WARN_HOURS before; on main nobody was ever told
    settings.ROTA_GAP_WARN_HOURS = 4
    assert services.rota_gap_warnings(now=weekend) == 0  # 5 hours away: not yet

    assert services.rota_gap_warnings(now=weekend + 1.5 * H) == 1
    assert services.rota_gap_warnings(now=weekend + 2 * H) == 0  # the same gap is told once
    assert services.rota_gap_warnings(now=weekend + 6 * H) == 0  # nor again once it has begun

    staff = {"tina@tam.test", "tom@tam.test", "tess@tam.test", "sam@support.test"}
    assert staff <= emailed("cases.rota_gap")
    assert "alice@acme.test" not in emailed("cases.rota_gap")
    row = next(r for r in outbox().filter(kind="cases.rota_gap") if "tina@tam.test" in r.to)
    assert "Nobody is on the Severity 1 rota from Sat 13 Jun 17:00 CEST" == row.subject
    assert "Mon 15 Jun 2026 08:00 CEST" in row.body and "/console/oncall/" in row.body


def test_the_gap_warning_is_in_each_readers_language_and_zone(world, weekend, settings):
    settings.ROTA_GAP_WARN_HOURS = 12
    world.tess.language = "pl"
    world.tess.save(update_fields=["language"])
    world.tom.timezone = "America/New_York"
    world.tom.save(update_fields=["timezone"])

    services.rota_gap_warnings(now=weekend)

    subjects = {row.to[0]: row.subject for row in outbox().filter(kind="cases.rota_gap") if len(row.to) == 1}
    assert subjects["tess@tam.test"].startswith("Nikt nie ma dyżuru")
    assert subjects["tom@tam.test"] == "Nobody is on the Severity 1 rota from Sat 13 Jun 11:00 EDT"


def test_a_new_gap_is_told_when_the_rota_changes(world, weekend, settings):
    settings.ROTA_GAP_WARN_HOURS = 12
    assert services.rota_gap_warnings(now=weekend) == 1
    # Olga's shift is cut short: the gap now begins at 13:00 UTC, a gap nobody was told about
    from cases.models import OnCallShift

    OnCallShift.objects.filter(agent__full_name="Olga").update(ends_at=weekend + 3 * H)

    assert services.rota_gap_warnings(now=weekend + H) == 1


def test_a_gap_with_no_shift_after_it_says_so(world, frozen, settings):
    settings.ROTA_GAP_WARN_HOURS = 12
    now = frozen("2026-06-13 10:00")
    OnCallShiftFactory(starts_at=now - 2 * H, ends_at=now + 5 * H)

    assert services.rota_gap_warnings(now=now) == 1

    row = outbox().get(kind="cases.rota_gap")
    assert "Sat 13 Jun 2026 17:00 CEST – no shift planned in the next 14 days" in row.body
