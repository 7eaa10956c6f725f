"""The staff console's on-duty panel kept in the panel cache (core/panel_cache.py, issue 18): who answers the
Severity 1 line turns at the exact second a shift starts or ends or comes within the panel's windows (24 hours
listed, 14 days of gaps), a shift or call written shows at once (the "sev1-line" topic), and the cached text is
never another zone's or language's. MISSION: CR-1, CR-2."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from cases.models import OnCallShift
from cases.services.intake import phone_intake_close, phone_intake_record
from cases.services.oncall import oncall_shift_remove, oncall_shift_save
from tests.accounts.factories import AgentFactory
from tests.cases.factories import OnCallShiftFactory
from tests.helpers import panel_text

CONSOLE = "/console/"
T0 = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Warsaw (Sam's zone)
SECOND = timedelta(seconds=1)
DRAWN_FROM = ('FROM "cases_oncallshift"', 'FROM "cases_phoneintake"')


@pytest.fixture
def sam(client, world, frozen):
    frozen(T0)
    client.force_login(world.sam)
    return client


def _served(client) -> str:
    """The panel from the cache: the page reads neither the rota nor the calls."""
    with CaptureQueriesContext(connection) as served:
        shown = panel_text(client.get(CONSOLE), "on-duty")
    assert not [q["sql"] for q in served if any(table in q["sql"] for table in DRAWN_FROM)]
    return shown


def _loaded_twice(client) -> str:
    first = panel_text(client.get(CONSOLE), "on-duty")
    assert _served(client) == first
    return first


def _shift(world, starts_at, ends_at, agent=None) -> OnCallShift:
    return OnCallShiftFactory(agent=agent or world.sam, starts_at=starts_at, ends_at=ends_at)


def test_the_on_duty_line_turns_at_the_second_a_shift_ends(sam, world, frozen):
    end = T0 + timedelta(seconds=47)
    _shift(world, T0 - timedelta(hours=1), end)
    assert "Sam Okafor now until 10:00 CEST" in _loaded_twice(sam)
    frozen(end - SECOND)
    assert "Sam Okafor now" in _served(sam)
    frozen(end)
    shown = panel_text(sam.get(CONSOLE), "on-duty")
    assert "Nobody is on duty" in shown
    assert "Now – no shift planned within 14 days" in shown


def test_the_now_badge_shows_at_the_second_a_shift_starts(sam, world, frozen):
    start = T0 + timedelta(seconds=33)
    _shift(world, T0 - timedelta(hours=1), start)  # Sam hands over to Ada at 10:00:33
    _shift(world, start, start + timedelta(hours=8), agent=AgentFactory(full_name="Ada Nowicka"))
    assert "Ada Nowicka from 10:00 CEST" in _loaded_twice(sam)
    frozen(start - SECOND)
    assert "Ada Nowicka from 10:00 CEST" in _served(sam)
    frozen(start)
    shown = panel_text(sam.get(CONSOLE), "on-duty")
    assert "Ada Nowicka now until 18:00 CEST" in shown
    assert "Sam Okafor" not in shown


def test_a_shift_joins_the_list_at_the_second_it_comes_within_24_hours(sam, world, frozen):
    _shift(world, T0 - timedelta(hours=1), T0 + timedelta(days=20))
    start = T0 + timedelta(hours=24, seconds=20)
    _shift(world, start, start + timedelta(hours=8), agent=AgentFactory(full_name="Ada Nowicka"))
    assert "Ada" not in _loaded_twice(sam)
    frozen(start - timedelta(hours=24) - SECOND)
    assert "Ada" not in _served(sam)
    frozen(start - timedelta(hours=24))
    assert "Ada Nowicka from tomorrow 10:00 CEST" in panel_text(sam.get(CONSOLE), "on-duty")


def test_a_gap_at_the_end_of_the_rota_shows_as_soon_as_the_14_days_pass_the_last_shift(sam, world, frozen):
    """The end of the last shift comes within the 14 days at T0 + 30 s: the gap after it is there just after that
    instant, so a panel drawn at the instant itself must not be kept."""
    end = T0 + timedelta(days=14) + timedelta(seconds=30)
    _shift(world, T0 - timedelta(hours=1), end)
    assert "None: the rota covers every hour" in _loaded_twice(sam)
    frozen(T0 + timedelta(seconds=29))
    assert "None: the rota covers every hour" in _served(sam)
    frozen(T0 + timedelta(seconds=30))
    assert "None: the rota covers every hour" in panel_text(sam.get(CONSOLE), "on-duty")
    frozen(T0 + timedelta(seconds=31))
    assert "23 Jun 10:00 CEST – no shift planned within 14 days" in panel_text(sam.get(CONSOLE), "on-duty")


def test_a_gap_closes_when_the_next_shift_comes_within_14_days(sam, world, frozen):
    _shift(world, T0 - timedelta(hours=1), T0 + timedelta(days=10))
    start = T0 + timedelta(days=14) + timedelta(seconds=12)
    _shift(world, start, start + timedelta(days=3), agent=AgentFactory(full_name="Ada Nowicka"))
    assert "19 Jun 10:00 CEST – no shift planned within 14 days" in _loaded_twice(sam)
    frozen(T0 + timedelta(seconds=11))
    assert "no shift planned within 14 days" in _served(sam)
    frozen(T0 + timedelta(seconds=13))
    assert "19 Jun 10:00 CEST – 23 Jun 10:00 CEST" in panel_text(sam.get(CONSOLE), "on-duty")


def test_a_new_unmatched_severity_1_call_shows_at_once_and_leaves_when_closed(sam, world):
    _shift(world, T0 - timedelta(hours=1), T0 + timedelta(hours=8))
    assert "without an account" not in _loaded_twice(sam)
    call = phone_intake_record(
        taken_by=world.sam,
        company_name="Unknown Ltd",
        contact_name="Uma Known",
        contact_phone="+48 600 000 001",
        contact_email="uma@unknown.test",
        description="Nothing is delivered.",
    )
    assert "1 Severity 1 call without an account" in panel_text(sam.get(CONSOLE), "on-duty")
    phone_intake_close(intake=call, actor=world.sam, reason="A wrong number.")
    assert "without an account" not in panel_text(sam.get(CONSOLE), "on-duty")


def test_a_shift_saved_or_removed_on_the_rota_shows_at_once(sam, world):
    assert "Nobody is on duty" in _loaded_twice(sam)
    ada = AgentFactory(full_name="Ada Nowicka")
    shift = OnCallShift(agent=ada, starts_at=T0 - timedelta(hours=1), ends_at=T0 + timedelta(hours=4))
    oncall_shift_save(shift=shift, actor=world.root)
    assert "Ada Nowicka now until 14:00 CEST" in panel_text(sam.get(CONSOLE), "on-duty")
    oncall_shift_remove(shift=shift, actor=world.root)
    assert "Nobody is on duty" in panel_text(sam.get(CONSOLE), "on-duty")


def test_an_agent_leaving_shows_at_once(sam, world):
    ada = AgentFactory(full_name="Ada Nowicka")
    _shift(world, T0 - timedelta(hours=1), T0 + timedelta(hours=4), agent=ada)
    assert "Now –" not in _loaded_twice(sam)  # the gap begins after Ada's shift
    ada.is_active = False
    ada.save(update_fields=["is_active"])
    assert "Now – no shift planned within 14 days" in panel_text(sam.get(CONSOLE), "on-duty")


def test_the_panel_is_kept_per_zone_and_language(sam, world):
    """The same person in another zone or language (changed without a write the cache hears of) never gets the
    text drawn for the first."""
    _shift(world, T0 - timedelta(hours=1), T0 + timedelta(hours=4))
    assert "until 14:00 CEST" in _loaded_twice(sam)
    User.objects.filter(pk=world.sam.pk).update(timezone="America/New_York")
    assert "until 08:00 EDT" in panel_text(sam.get(CONSOLE), "on-duty")
    User.objects.filter(pk=world.sam.pk).update(language="pl")
    assert "Sam Okafor teraz do 8:00 EDT" in panel_text(sam.get(CONSOLE), "on-duty")


def test_a_shift_ending_tomorrow_reads_right_in_polish(sam, world):
    """Polish says "do jutra, 2:00" (until takes the genitive), never "do jutro o 2:00" ("until" and the
    "tomorrow at" of a moment stuck together)."""
    _shift(world, T0 - timedelta(hours=1), T0 + timedelta(hours=16))  # 02:00 CEST, the next day
    User.objects.filter(pk=world.sam.pk).update(language="pl")
    shown = panel_text(sam.get(CONSOLE), "on-duty")
    assert "Sam Okafor teraz do jutra, 2:00 CEST" in shown
    assert "do jutro" not in shown and "do o " not in shown


def test_each_person_gets_their_own_copy(client, world, frozen):
    frozen(T0)
    _shift(world, T0 - timedelta(hours=1), T0 + timedelta(hours=4))
    User.objects.filter(pk=world.tina.pk).update(timezone="America/New_York")
    client.force_login(world.sam)
    assert "until 14:00 CEST" in _loaded_twice(client)
    client.force_login(world.tina)
    assert "until 08:00 EDT" in panel_text(client.get(CONSOLE), "on-duty")
