"""Issue 17: the migration's schedule follows the linked warm-up's real dates and state, not its planned
calendar: a warm-up that held 3 days moves the cut-over (and what follows it) 3 days later and the page says
why; a paused warm-up makes the migration wait. MISSION: TAM-3, DLV-1."""

from datetime import date, timedelta

import pytest

from planning import services
from planning.cutover import Stream
from planning.migration_timeline import WarmupProgress, authentication_due, follow, late_authentication
from planning.models import DailyActual, MigrationPlan, WarmupPlan
from planning.status import plan_status
from tests.helpers import visible_text
from tests.planning.factories import WarmupPlanFactory

D0 = date(2027, 1, 4)
STREAMS = [Stream("tx", 200), Stream("mkt", 600)]  # 800 a day


def day(n: int) -> date:
    return D0 + timedelta(days=n)


# --- the pure rules -----------------------------------------------------------------------------------


def test_a_warmup_that_held_3_days_moves_the_cutover_3_days_later():
    planned = (100, 200, 400, 800)
    on_time = follow(STREAMS, D0, 1, WarmupProgress(D0, planned))
    assert on_time.cutover == day(6) and on_time.shift == 0

    held = WarmupProgress(D0, planned, sent={day(0): 100, day(1): 200, day(2): 200, day(3): 200, day(4): 200},
                          late=3, held=3)  # fmt: skip
    line = follow(STREAMS, D0, 1, held)
    assert line.planned_cutover == day(6) and line.cutover == day(9) and line.shift == 3
    assert line.due("cutover", day(6)) == day(9) and line.due("remove_old_spf", day(13)) == day(16)
    assert line.due("dkim", day(-5)) == day(-5)  # what comes before the cut-over stays where it is
    share = {(d.day, d.stream): d.share for d in line.days}
    # the days sent carry what really went out; the plan's 800 on day 3 came on day 6
    assert share[day(3), "tx"] == 0.25 and share[day(5), "tx"] == 0.5 and share[day(6), "mkt"] == 1.0
    assert line.days[-1].day == day(9)


def test_a_paused_warmup_makes_the_migration_wait():
    paused = WarmupProgress(D0, (100, 200, 400, 800), sent={day(0): 100, day(1): 200}, late=5, paused=True)
    line = follow(STREAMS, D0, 1, paused)
    assert {d.share for d in line.days if d.day > day(1)} == {0.25}  # no more volume moves
    assert line.cutover == day(11)


def test_authentication_is_due_before_the_first_warmup_message():
    assert authentication_due(date(2027, 6, 1)) == date(2027, 5, 27)
    assert authentication_due(date(2027, 6, 1), date(2027, 5, 20)) == date(2027, 5, 15)  # the warm-up starts first
    milestones = [
        ("spf_include", date(2027, 5, 15), False),
        ("dkim", date(2027, 5, 20), False),  # on the first sending day: too late
        ("dmarc", date(2027, 5, 25), True),  # done already: nothing to warn
        ("cutover", date(2027, 7, 1), False),
    ]
    assert late_authentication(milestones, date(2027, 5, 20)) == ["dkim"]


# --- the page --------------------------------------------------------------------------------------------


def hold_on(plan: WarmupPlan, days: int, held: tuple[int, ...]) -> None:
    """Follow the warm-up's recommendation every day; on the ``held`` days 5% is deferred (hold)."""
    for n in range(days):
        status = plan_status(plan, today=plan.start_date + timedelta(days=n))
        for row in status.rows:
            sent = row.state.next_volume
            deferred = sent // 20 if n in held else 0
            DailyActual.objects.create(plan=plan, day=plan.start_date + timedelta(days=n), provider=row.provider,
                                       sent=sent, delivered=sent - deferred, deferrals=deferred)  # fmt: skip


@pytest.fixture
def held_plan(world, frozen):
    frozen("2027-05-10 10:00")
    warm = WarmupPlanFactory(account=world.acme, name="New pool", start_date=date(2027, 5, 1), target_daily=50_000)
    hold_on(warm, 9, held=(3, 4, 5))  # 1–9 May, held on 4, 5 and 6 May
    plan = MigrationPlan(name="Off OldMail", previous_provider="OldMail", start_date=date(2027, 5, 1), weeks=2,
                         warmup_plan=warm)  # fmt: skip
    return services.migration_plan_create(account=world.acme, actor=world.tina, plan=plan, streams=[Stream("tx", 10)])


def test_the_page_says_the_warmup_held_3_days_and_the_cutover_moves(client, world, held_plan):
    assert plan_status(held_plan.warmup_plan).days_late == 3
    client.force_login(world.alice)
    page = visible_text(client.get(held_plan.get_absolute_url()))
    assert "The warm-up held 3 days: cut-over moves from 14 May 2027 to 17 May 2027." in page
    assert "(planned for 14 May 2027)" in page and "(planned for 21 May 2027)" in page  # old SPF removed later too
    csv = client.get(f"{held_plan.get_absolute_url()}plan.csv").content.decode()
    assert "Cut-over: all streams on Email Enterprise,Tina Nowak,2027-05-17," in csv

    client.cookies["django_language"] = "pl"
    page = visible_text(client.get(held_plan.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="pl"))
    assert "Rozgrzewka wstrzymana przez 3 dni: przełączenie przesuwa się z 14 Maj 2027 na 17 Maj 2027." in page


def test_a_paused_warmup_says_the_migration_waits(client, world, held_plan):
    warm = held_plan.warmup_plan
    services.warmup_plan_set_status(plan=warm, actor=world.tina, status=WarmupPlan.Status.PAUSED)
    client.force_login(world.alice)
    page = visible_text(client.get(held_plan.get_absolute_url()))
    assert "The warm-up plan “New pool” is paused: the migration waits." in page


def test_the_dashboard_and_the_console_date_the_next_milestone_as_the_plan_page_does(client, world, held_plan):
    """The cut-over moved by the warm-up's 3 held days is "17 May" everywhere, not the stored 14 May."""
    after_cutover = ["cutover", "remove_old_spf", "retire_old_dkim"]
    held_plan.milestones.exclude(kind__in=after_cutover).update(done_at=held_plan.created_at)
    client.force_login(world.alice)
    panel = visible_text(client.get("/a/acme/panel/warmup/"))
    assert "17 May 2027 (planned for 14 May 2027)" in panel
    client.force_login(world.tina)
    console = visible_text(client.get("/console/"))
    assert "17 May 2027 · Acme · Cut-over" in console
