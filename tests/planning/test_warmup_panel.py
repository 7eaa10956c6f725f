"""Issue 17, dashboard item: the warm-up panel puts plans on hold, stepping back or needing re-warming first,
and says "and N more". MISSION: DLV-1. Before, the panel showed the three newest running plans, so an older
plan on hold was not on the dashboard at all, and nothing said there were more."""

import re
from datetime import timedelta

import pytest

from tests.helpers import panel_text, queries_of, text
from tests.planning.conftest import deferrals_on
from tests.planning.factories import WarmupPlanFactory, send_as_planned

pytestmark = pytest.mark.usefixtures("a_fixed_day")


def plans_on_panel(response) -> list[str]:
    return re.findall(r'<div data-testid="warmup-panel">\s*<p><a href="[^"]*">([^<]+)</a>', text(response))


def running_plans(account, clean: int):
    """``clean`` new plans going as planned, and two older ones: one held, one stepping back."""
    today = account.today()
    held = WarmupPlanFactory(account=account, name="Held pool", start_date=today - timedelta(days=20))
    send_as_planned(held, 7, gmail=deferrals_on(6))  # 40 of ~1,000 deferred: hold
    stepped = WarmupPlanFactory(account=account, name="Stepped pool", start_date=today - timedelta(days=19))
    send_as_planned(stepped, 7, yahoo=deferrals_on(6, n=100))  # 18% deferred: step back
    for n in range(clean):
        plan = WarmupPlanFactory(account=account, name=f"Clean pool {n}", start_date=today - timedelta(days=7 - n))
        send_as_planned(plan, 7 - n)


def test_plans_needing_attention_come_first_and_the_rest_are_counted(client, world):
    running_plans(world.acme, clean=4)
    client.force_login(world.alice)
    response = client.get("/a/acme/")
    # the older plans needing attention first, then the newest of those going as planned
    assert plans_on_panel(response) == ["Stepped pool", "Held pool", "Clean pool 3"]
    assert "and 3 more plans" in panel_text(response, "warmup")
    assert 'href="/a/acme/warmup/">and 3 more plans' in text(response)


def test_three_plans_or_fewer_say_nothing_more(client, world):
    running_plans(world.acme, clean=1)
    client.force_login(world.alice)
    response = client.get("/a/acme/")
    assert plans_on_panel(response) == ["Stepped pool", "Held pool", "Clean pool 0"]
    assert "more plan" not in panel_text(response, "warmup")


def test_a_polish_reader_reads_how_many_more(client, world):
    running_plans(world.acme, clean=3)
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    client.force_login(world.alice)
    assert "i jeszcze 2 plany" in panel_text(client.get("/a/acme/"), "warmup")


def test_the_panel_queries_do_not_grow_with_the_plans(client, world):
    running_plans(world.acme, clean=1)
    client.force_login(world.alice)
    few, _response = queries_of(client, "/a/acme/")
    for n in range(5):
        plan = WarmupPlanFactory(account=world.acme, name=f"More {n}")
        send_as_planned(plan, 3)
    many, _response = queries_of(client, "/a/acme/")
    assert many == few
