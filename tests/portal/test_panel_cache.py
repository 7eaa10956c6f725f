"""The dashboard's panels kept in the cache per account (core/panel_cache.py, issue 18): every change shows on the
very next request, text that moves with the clock moves on time, and nothing crosses between accounts, people,
languages or time zones. Each row of CHANGES loads the dashboard (filling the cache), makes one change the way the
portal makes it, and loads it again."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts import services as account_services
from cases.models import Case
from cases.services.clocks import shown_deadlines
from cases.services.opening import case_open
from deliverability import services as deliverability_services
from deliverability.models import Sweep
from tests.accounts.factories import OpeningWindowFactory, TamFactory
from tests.cases.factories import CaseFactory
from tests.deliverability.factories import SweepFactory
from tests.helpers import panel_text

DASHBOARD = "/a/acme/"
START = datetime(2026, 6, 14, 10, 0, tzinfo=UTC)  # a Sunday: the TAMs are away


def _open_case(world):
    case_open(
        account=world.acme,
        actor=world.alice,
        subject="Bounces from the new pool",
        description="Since this morning.",
        severity=Case.Severity.NON_CRITICAL,
        category=Case.Category.BUG,
    )


def _new_phone(world):
    account_services.account_update(account=world.acme, actor=world.root, severity1_phone="+48 22 000 11 22")


def _new_member(world):
    account_services.membership_add(
        account=world.acme, actor=world.alice, email="zoe@acme.test", full_name="Zoe Zielinska", role="member"
    )


def _new_tam(world):
    newcomer = TamFactory(email="nina@tam.test", full_name="Nina Kowalczyk")
    account_services.account_assign_tams(account=world.acme, actor=world.root, primary_tam=newcomer, backup_tam=None)


def _tam_renamed(world):  # a person's row, shared by every account they serve
    world.tina.full_name = "Tina Nowak-Lis"
    world.tina.save()


def _tam_hours_today(world):  # the TAM's calendar: not an account's row at all
    OpeningWindowFactory(calendar=world.tina.calendar, weekday=START.weekday(), opens=time(0), closes=None)


def _targets_then_a_sweep(world):
    deliverability_services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10")
    SweepFactory(account=world.acme, finished_at=timezone.now() - timedelta(minutes=3))


def _sweep_finished_by_bulk_update(world):  # the worker's way: an UPDATE, no save()
    from deliverability.blocklists.sweeps import _finish

    deliverability_services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10")
    sweep = SweepFactory(account=world.acme, status=Sweep.State.RUNNING, finished_at=None)
    cache.clear()  # the page is cached again below, before the worker's write
    return sweep, _finish


CHANGES = [  # (panel, change, text the panel shows after it)
    ("open-cases", _open_case, "Bounces from the new pool"),
    ("severity1-line", _new_phone, "+48 22 000 11 22"),
    ("team", _new_member, "Zoe Zielinska"),
    ("tam-card", _new_tam, "Nina Kowalczyk"),
    ("tam-card", _tam_renamed, "Tina Nowak-Lis"),
    ("tam-card", _tam_hours_today, "Reachable now"),
    ("blocklists", _targets_then_a_sweep, "checked 3 minutes ago"),
]


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


@pytest.mark.parametrize(("panel", "change", "shown"), CHANGES, ids=[c[1].__name__ for c in CHANGES])
def test_a_change_shows_on_the_next_request(alice, world, time_machine, panel, change, shown):
    time_machine.move_to(START, tick=False)
    before = panel_text(alice.get(DASHBOARD), panel)
    assert shown not in before
    assert panel_text(alice.get(DASHBOARD), panel) == before  # served from the cache
    change(world)
    assert shown in panel_text(alice.get(DASHBOARD), panel)
    assert shown in panel_text(alice.get(f"/a/acme/panel/{panel}/"), panel)  # the htmx refresh too


def test_a_sweep_finished_by_the_worker_shows_at_once(alice, world, time_machine):
    time_machine.move_to(START, tick=False)
    sweep, finish = _sweep_finished_by_bulk_update(world)
    assert "Not checked yet." in panel_text(alice.get(DASHBOARD), "blocklists")
    finish(sweep.pk)
    assert "checked 0 minutes ago" in panel_text(alice.get(DASHBOARD), "blocklists")


def test_the_sla_sweep_bulk_update_moves_the_version(world):
    from core.panel_cache import _version_key, _versions

    case = CaseFactory(account=world.acme)
    key = _version_key(world.acme.pk)
    before = _versions([world.acme.pk])[key]
    from cases.services.sweep import _check_batch

    _check_batch([case], timezone.now())
    assert _versions([world.acme.pk])[key] != before


def test_checked_minutes_ago_moves_with_the_clock(alice, world, time_machine):
    time_machine.move_to(START, tick=False)
    deliverability_services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10")
    SweepFactory(account=world.acme, finished_at=START - timedelta(minutes=12, seconds=5))
    assert "checked 12 minutes ago" in panel_text(alice.get(DASHBOARD), "blocklists")
    time_machine.move_to(START + timedelta(seconds=54), tick=False)  # 12 min 59 s
    assert "checked 12 minutes ago" in panel_text(alice.get(DASHBOARD), "blocklists")
    time_machine.move_to(START + timedelta(seconds=55), tick=False)  # 13 min exactly
    assert "checked 13 minutes ago" in panel_text(alice.get(DASHBOARD), "blocklists")


def test_a_clock_turns_to_breached_when_its_deadline_passes(alice, world, time_machine):
    time_machine.move_to(START, tick=False)
    case_open(
        account=world.acme,
        actor=world.alice,
        subject="Outage",
        description="All sends fail.",
        severity=Case.Severity.CRITICAL,
        category=Case.Category.BUG,
    )
    case = Case.objects.get(subject="Outage")
    due = min(due for _, due in shown_deadlines(case).items())
    page = alice.get(DASHBOARD)
    assert 'badge bad" data-testid="clock"' not in page.content.decode()
    time_machine.move_to(due - timedelta(seconds=1), tick=False)
    assert 'badge bad" data-testid="clock"' not in alice.get(DASHBOARD).content.decode()
    time_machine.move_to(due, tick=False)
    assert 'badge bad" data-testid="clock"' in alice.get(DASHBOARD).content.decode()


def test_tomorrow_becomes_today_at_the_viewers_midnight(alice, world, time_machine):
    """The TAM is away until tomorrow 09:00: at the viewer's midnight the card says "09:00" without "tomorrow"."""
    time_machine.move_to(datetime(2026, 6, 10, 20, 0, tzinfo=UTC), tick=False)  # 22:00 in Warsaw
    shown = panel_text(alice.get(DASHBOARD), "tam-card")
    assert "tomorrow" in shown, shown  # the TAM's hours open tomorrow morning: the case this test is about
    time_machine.move_to(datetime(2026, 6, 10, 22, 0, 1, tzinfo=UTC), tick=False)  # 00:00:01 in Warsaw
    assert "tomorrow" not in panel_text(alice.get(DASHBOARD), "tam-card").split("Tom Becker")[0]


def test_each_person_language_and_account_sees_their_own(client, world, time_machine):
    time_machine.move_to(START, tick=False)
    client.force_login(world.alice)
    english = panel_text(client.get(DASHBOARD), "team")
    world.arthur.language = "pl"
    world.arthur.save()
    client.force_login(world.arthur)
    polish = panel_text(client.get(DASHBOARD), "team")
    assert polish != english and "Alice Andrzejewska" in polish
    client.force_login(world.bob)
    globex = panel_text(client.get("/a/globex/"), "team")
    assert "Bob Harris" in globex and "Alice" not in globex
    assert client.get(DASHBOARD).status_code == 404  # and Acme's cached panels are not his to read


def test_a_warmup_plan_and_its_actuals_show_at_once(alice, world, time_machine):
    from planning.services.warmup import actuals_import_csv
    from tests.planning.factories import WarmupPlanFactory

    time_machine.move_to(START, tick=False)
    assert 'id="warmup"' not in alice.get(DASHBOARD).content.decode()  # no plan: no panel (cached as such)
    plan = WarmupPlanFactory(account=world.acme, name="Marketing pool", start_date=world.acme.today() - timedelta(7))
    before = panel_text(alice.get(DASHBOARD), "warmup")
    assert "Marketing pool" in before
    days = [world.acme.today() - timedelta(days) for days in range(7, 0, -1)]
    csv = "date,provider,sent,delivered\n" + "".join(f"{day},gmail,150,150\n" for day in days)
    assert actuals_import_csv(plan=plan, actor=world.tina, text=csv).saved
    assert panel_text(alice.get(DASHBOARD), "warmup") != before


def test_a_warmup_day_ends_at_the_accounts_midnight(world):
    from core.panel_cache import next_midnight

    moment = datetime(2026, 6, 14, 21, 30, tzinfo=UTC)  # 23:30 in Warsaw, 17:30 in New York
    assert next_midnight(moment, world.acme.tz) == datetime(2026, 6, 14, 22, 0, tzinfo=UTC)
    assert next_midnight(moment, world.globex.tz) == datetime(2026, 6, 15, 4, 0, tzinfo=UTC)
