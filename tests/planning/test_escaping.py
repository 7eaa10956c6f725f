"""The warm-up chart is SVG built with format_html: a name in it is escaped like anywhere else, and the plan
page shows a plan name the customer typed as text. MISSION: DLV-1."""

import dataclasses
import re
from datetime import timedelta

import pytest

from planning.chart import provider_chart
from planning.status import plan_status
from tests.helpers import SCRIPT, assert_no_live_markup
from tests.planning.factories import DailyActualFactory, WarmupPlanFactory

# The plans start ten days before Acme's day (the factory's default): one known day.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("a_fixed_day")]


def test_a_name_in_the_chart_is_escaped(world):
    plan = WarmupPlanFactory(account=world.acme)
    DailyActualFactory(plan=plan)
    row = dataclasses.replace(plan_status(plan).rows[0], name=f'Gmail "{SCRIPT}"')
    today = world.acme.today()
    svg = provider_chart(row, plan.start_date, today + timedelta(days=10), today)
    assert "<script" not in svg
    assert 'aria-label="Gmail &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;"' in svg
    assert svg.count("<svg ") == 1 and svg.endswith("</svg>")


def test_the_plan_page_shows_a_marked_up_plan_name_as_text(client, world):
    plan = WarmupPlanFactory(account=world.acme, name=f"Pool {SCRIPT}")
    DailyActualFactory(plan=plan)
    client.force_login(world.arthur)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert_no_live_markup(page)
    assert "Pool &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert len(re.findall(r'<svg viewBox="0 0 560 180" class="warmup-chart" role="img" aria-label="', page)) == 5
