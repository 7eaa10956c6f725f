"""The staff console's planning section: warm-up plans on hold, migration milestones due within 7 days and
new requests, of the accounts the TAM reaches, in a fixed number of queries (issue 17). MISSION: TAM-3, TAM-5."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.accounts.factories import AccountFactory
from tests.helpers import text, visible_text
from tests.planning.conftest import deferrals_on
from tests.planning.factories import (
    FeatureRequestFactory,
    MigrationPlanFactory,
    MilestoneFactory,
    WarmupPlanFactory,
    send_as_planned,
)

pytestmark = pytest.mark.usefixtures("a_fixed_day")


def section(response, name: str) -> str:
    return visible_text(
        re.search(rf'<ul class="list-plain" data-testid="planning-{name}">.*?</ul>', text(response), re.S).group(0)
    )


def planning_work(account, label: str):
    today = account.today()
    held = WarmupPlanFactory(account=account, name=f"{label} held pool", start_date=today - timedelta(days=7))
    send_as_planned(held, 7, gmail=deferrals_on(6))  # 40 of ~1,000 deferred yesterday: hold
    clean = WarmupPlanFactory(account=account, name=f"{label} clean pool", start_date=today - timedelta(days=7))
    send_as_planned(clean, 7)
    plan = MigrationPlanFactory(account=account, name=f"{label} move")
    MilestoneFactory(plan=plan, title=f"{label} DNS in 3 days", due_on=today + timedelta(days=3))
    MilestoneFactory(plan=plan, title=f"{label} DNS in 9 days", due_on=today + timedelta(days=9))
    MilestoneFactory(plan=plan, title=f"{label} done", due_on=today, done_at=account.created_at)
    FeatureRequestFactory(account=account, title=f"{label} webhooks")
    FeatureRequestFactory(account=account, title=f"{label} planned already", status="planned")


def test_the_console_lists_holds_milestones_due_and_new_requests_of_the_tams_accounts(client, world):
    planning_work(world.acme, "Acme")
    planning_work(world.globex, "Globex")
    client.force_login(world.tina)
    page = client.get("/console/")
    assert "Planning" in visible_text(page)
    held = section(page, "held")
    assert "Acme · Acme held pool" in held and "clean pool" not in held
    assert "Acme · Acme DNS in 3 days" in section(page, "milestones")
    assert "in 9 days" not in section(page, "milestones") and "Acme done" not in section(page, "milestones")
    assert section(page, "requests") == "Acme · Acme webhooks"
    assert "Globex" not in held + section(page, "milestones") + section(page, "requests")  # Tess's account


def test_the_planning_section_costs_the_same_queries_for_one_account_or_five(
    client, world, django_assert_max_num_queries
):
    planning_work(world.acme, "Acme")
    client.force_login(world.tina)
    client.get("/console/")
    cache.clear()  # both counts are of a console whose panels are not cached (core.panel_cache)
    with CaptureQueriesContext(connection) as one:
        client.get("/console/")
    for n in range(4):
        planning_work(AccountFactory(name=f"More {n}", primary_tam=world.tina), f"More {n}")
    cache.clear()
    with django_assert_max_num_queries(len(one)):
        page = client.get("/console/")
    assert section(page, "held").count("held pool") == 5
