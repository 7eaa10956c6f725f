"""Issue 17, item "simulation": a SparkPost plan followed to its end through the CSV upload. Each morning
the customer reads nothing but the plan page's recommendation, sends exactly that, and uploads the day's
actuals as Polish Excel saves them (semicolons, a BOM). MISSION: DLV-1, TAM-5.

A clean run finishes on the day the target itself goes out, and not before. A run with one bad day
(3% bounces at Gmail) holds Gmail, the next day sends no more than the held day, and the plan still ends
at the target, one day later.
"""

import re
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from planning.models import WarmupPlan
from tests.helpers import WARSAW, messages_of, text, visible_text

SPLIT = [
    {"provider": "gmail", "percent": 40, "cap": None},
    {"provider": "microsoft", "percent": 30, "cap": 20_000},  # Outlook's week-one cap (facts)
    {"provider": "yahoo", "percent": 20, "cap": 5_000},  # Yahoo's week-one cap (facts)
    {"provider": "other", "percent": 10, "cap": None},
]
TARGET = 1_000_000


def recommendations(page: str) -> dict[str, tuple[str, int]]:
    """Each provider's recommendation and "Next day's volume", as the page shows them."""
    found = {}
    for provider, row in re.findall(r'<tr data-testid="provider-(\w+)">(.*?)</tr>', page, re.S):
        cells = [visible_text(td) for td in re.findall(r"<td>(.*?)</td>", row, re.S)]
        found[provider] = (cells[1], int(cells[2].split()[0].replace(",", "")))
    return found


def csv_of(day, volumes: dict[str, int], bad: dict[str, int]) -> SimpleUploadedFile:
    lines = ["Date;Provider;Sent;Delivered;Bounced;Complaints;Deferrals"]
    for provider, sent in volumes.items():
        bounced = bad.get(provider, 0)
        lines.append(f'{day.isoformat()};"{provider.upper()}";{sent};{sent - bounced};{bounced};0;0')
    body = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
    return SimpleUploadedFile("dzien.csv", body, content_type="text/csv")


def follow(client, world, frozen, *, bad_day: int | None = None) -> tuple[list[dict], str, WarmupPlan]:
    """Follow the page day by day until it says the warm-up is complete (at most 60 days)."""
    start = datetime(2027, 6, 1, 8, 0, tzinfo=WARSAW)
    frozen(start)
    plan = WarmupPlan.objects.create(
        account=world.acme, name="New pool", template="sparkpost", start_date=start.date(),
        target_daily=TARGET, providers=SPLIT, created_by=world.tina,
    )  # fmt: skip
    client.force_login(world.alice)
    page, days = text(client.get(plan.get_absolute_url())), []
    for n in range(60):
        shown = recommendations(page)
        volumes = {provider: volume for provider, (_decision, volume) in shown.items()}
        bad = {"gmail": volumes["gmail"] * 3 // 100} if n == bad_day else {}  # 3% bounces
        upload = {"file": csv_of(start.date() + timedelta(n), volumes, bad)}
        response = client.post(f"{plan.get_absolute_url()}actuals/", upload, follow=True)
        assert messages_of(response) == ["4 rows saved."], messages_of(response)
        days.append({"volumes": volumes, "decisions": {p: d for p, (d, _v) in shown.items()}})
        frozen(start + timedelta(days=n + 1))  # the next morning
        client.force_login(world.alice)
        page = text(client.get(plan.get_absolute_url()))
        if 'data-testid="finished"' in page:
            break
        assert "100% of the ramp climbed" not in visible_text(page), f"day {n}"
    return days, page, plan


def test_a_sparkpost_plan_followed_by_csv_finishes_on_the_day_the_target_goes_out(client, world, frozen):
    days, page, _plan = follow(client, world, frozen)
    totals = [sum(day["volumes"].values()) for day in days]
    assert "Warm-up complete" in visible_text(page) and "100% of the ramp climbed" in visible_text(page)
    assert totals[-1] == TARGET  # the last day's volume is the target itself
    assert all(total < TARGET for total in totals[:-1])  # and the plan completed only then
    assert len(days) == 26
    assert all(day["volumes"]["yahoo"] <= 5_000 for day in days[:7])  # Yahoo's cap, in week one only
    assert days[-1]["volumes"]["yahoo"] == 200_000  # and then Yahoo's share of the target
    assert all(set(day["decisions"].values()) == {"Advance"} for day in days)
    assert all(b <= a * 1.5 + 4 for a, b in zip(totals, totals[1:], strict=False))  # the growth caps held


def test_a_bad_bounce_day_holds_and_the_next_day_sends_no_more_than_the_held_day(client, world, frozen):
    days, page, plan = follow(client, world, frozen, bad_day=9)
    held, after = days[9]["volumes"]["gmail"], days[10]
    assert after["decisions"]["gmail"] == "Hold"
    assert after["volumes"]["gmail"] <= held  # hold means hold
    assert after["decisions"]["yahoo"] == "Advance"  # the other providers go on
    assert "Warm-up complete" in visible_text(page)
    assert sum(days[-1]["volumes"].values()) == TARGET
    assert len(days) == 27  # one day later than the clean run
    assert "1 day later than planned" in visible_text(page)
