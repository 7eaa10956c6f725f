"""A warm-up plan followed to its end through the real paths: each morning the pipeline reads nothing but
the plan page's recommendation, sends exactly that, and posts the day's actuals to the JSON API with its
token. MISSION: DLV-1, TAM-5. Issue 12, item 6: a SparkPost plan to 1,000,000 a day showed "100% of the
ramp climbed" after 12 days at about 11,000 a day, because the daily cap (+20% early, +50% after) kept the
volume far below each stage while the plan moved up a stage a day.
"""

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from accounts.services import api_token_issue
from planning.models import WarmupPlan
from tests.helpers import text, visible_text

SPLIT = [
    {"provider": "gmail", "percent": 40, "cap": None},
    {"provider": "microsoft", "percent": 30, "cap": None},
    {"provider": "yahoo", "percent": 20, "cap": None},
    {"provider": "other", "percent": 10, "cap": None},
]


def recommendations(page: str) -> dict[str, int]:
    """Each provider's "Next day's volume", as the page shows it."""
    rows = re.findall(r'<tr data-testid="provider-(\w+)">(.*?)</tr>', page, re.S)
    cells = {provider: re.findall(r"<td>(.*?)</td>", row, re.S) for provider, row in rows}
    return {provider: int(visible_text(tds[2]).split()[0].replace(",", "")) for provider, tds in cells.items()}


def progress(page: str) -> int:
    found = re.search(r"(\d+)% of the ramp climbed", visible_text(page))
    assert found, visible_text(page)[:600]
    return int(found.group(1))


def test_fed_exactly_the_recommendation_the_plan_finishes_on_the_day_the_target_goes_out(client, world, frozen):
    warsaw = ZoneInfo("Europe/Warsaw")
    start = datetime(2027, 6, 1, 8, 0, tzinfo=warsaw)  # 08:00 in Warsaw, Acme's zone, every morning
    frozen(start)
    plan = WarmupPlan.objects.create(
        account=world.acme, name="New pool", template="sparkpost", start_date=start.date(),
        target_daily=1_000_000, providers=SPLIT, created_by=world.tina,
    )  # fmt: skip
    _token, key = api_token_issue(account=world.acme, name="pipeline", actor=world.alice)
    auth = {"Authorization": f"Bearer {key}"}
    client.force_login(world.alice)
    page = text(client.get(plan.get_absolute_url()))
    assert "planned to finish 26 Jun 2027" in visible_text(page)  # 26 days at the caps, not SparkPost's 12 stages
    sent_per_day = []
    for n in range(40):
        volumes = recommendations(page)
        day = (start + timedelta(days=n)).date()
        rows = [{"date": day.isoformat(), "provider": p, "sent": v, "delivered": v} for p, v in volumes.items()]
        response = client.post(f"/api/v1/warmup/{plan.pk}/actuals", json.dumps(rows), "application/json", headers=auth)
        assert response.status_code == 200, response.content
        sent_per_day.append(sum(volumes.values()))
        frozen(start + timedelta(days=n + 1))  # the next morning: Alice signs in again and looks
        client.force_login(world.alice)
        page = text(client.get(plan.get_absolute_url()))
        if 'data-testid="finished"' in page:
            break
        assert progress(page) < 100, f"day {n}: {sent_per_day[-1]:,} sent, {progress(page)}% shown"
        assert "later than planned" not in visible_text(page), f"day {n}: the plan was followed to the letter"
    assert progress(page) == 100
    assert "Warm-up complete: every mailbox provider got its share of the target volume by 26 Jun 2027." in (
        visible_text(page)
    )
    assert len(sent_per_day) == 26 and sent_per_day[-1] == 1_000_000  # the target itself, on the last day
    assert sent_per_day[12] < 15_000  # the issue's day 12: nowhere near done
    assert all(b <= a * 1.5 + 4 for a, b in zip(sent_per_day, sent_per_day[1:], strict=False))  # the caps held
