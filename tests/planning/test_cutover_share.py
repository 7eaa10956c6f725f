"""Issue 17, migration item: a cut-over below 100% is shown, not rounded to 100% (the page rounded 99.6% up,
so a stream still 0.4% on the old provider looked fully moved). MISSION: TAM-3."""

import re
from datetime import date

from planning.cutover import DayShare, Stream, schedule
from tests.helpers import text, visible_text
from tests.planning.factories import MigrationPlanFactory, MigrationStreamFactory, WarmupPlanFactory


def test_a_share_below_all_is_rounded_down_to_a_tenth():
    day = date(2027, 1, 4)
    assert DayShare(day, "tx", 0.996, 996, 4).percent == 99.6
    assert DayShare(day, "tx", 0.9999, 9999, 1).percent == 99.9
    assert DayShare(day, "tx", 1.0, 1000, 0).percent == 100
    assert DayShare(day, "tx", 0.29, 290, 710).percent == 29  # not 28.9 from floating point
    (last,) = schedule([Stream("tx", 100_000)], day, weeks=0, warmup_days=[99_600])
    assert last.percent == 99.6 and last.old == 400


def test_the_plan_page_shows_99_6_percent_not_100(client, world, frozen):
    frozen("2027-01-03 10:00")  # the day before the warm-up starts: it is not late yet (the schedule follows it)
    warm = WarmupPlanFactory(account=world.acme, template="custom", custom_start=99_600, custom_growth="1.10",
                             target_daily=99_600, start_date=date(2027, 1, 4))  # fmt: skip
    plan = MigrationPlanFactory(account=world.acme, weeks=1, warmup_plan=warm)
    MigrationStreamFactory(plan=plan, name="Newsletters", daily_volume=100_000)
    client.force_login(world.alice)
    page = text(client.get(plan.get_absolute_url()))
    week = visible_text(re.search(r"<tbody>.*?</tr>", page, re.S).group(0))
    assert "99.6% · 99,600" in week and "100%" not in week
