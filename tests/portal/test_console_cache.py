"""The staff console's cached panels (core/panel_cache.py, issue 18): escalations and planning are kept per person
under the versions of every account the person reaches. Every change shows on the very next request, a count
that moves with the clock moves at its second, a forms' CSRF token is the session's own, and nobody sees another
person's accounts."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from cases.models import SlaAlert
from cases.services.escalation import case_escalate
from cases.tasks import sla_sweep
from planning.models import FeatureRequest
from planning.services.features import feature_request_file
from planning.services.migration import milestone_toggle
from tests.cases.conftest import open_case
from tests.helpers import panel_text
from tests.planning.factories import FeatureRequestFactory, MigrationPlanFactory, MilestoneFactory

CONSOLE = "/console/"
T0 = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Warsaw


@pytest.fixture
def tina(client, world, frozen):
    frozen(T0)
    client.force_login(world.tina)
    return client


def _loaded_twice(client, panel: str) -> str:
    """The panel as the first load renders it and the second serves it from the cache (the same text)."""
    first = panel_text(client.get(CONSOLE), panel)
    assert panel_text(client.get(CONSOLE), panel) == first
    return first


def test_the_second_load_reads_the_panels_from_the_cache(tina, world):
    open_case(world, critical=True)
    panels_tables = ("cases_slaalert", "cases_caseevent", "planning_milestone", "planning_featurerequest")
    with CaptureQueriesContext(connection) as cold:
        tina.get(CONSOLE)
    with CaptureQueriesContext(connection) as warm:
        tina.get(CONSOLE)
    assert len(warm) < len(cold)
    assert [q["sql"] for q in cold if any(table in q["sql"] for table in panels_tables)]
    assert not [q["sql"] for q in warm if any(table in q["sql"] for table in panels_tables)]


def test_a_customers_escalation_shows_on_the_next_request(tina, world):
    case = open_case(world)
    assert "Nobody has answered" not in _loaded_twice(tina, "escalations")
    case_escalate(case=case, actor=world.alice, reason="Nobody has answered since this morning.")
    assert "Nobody has answered since this morning." in panel_text(tina.get(CONSOLE), "escalations")


def test_a_breach_by_the_sweep_and_its_taking_up_show_at_once(tina, world, frozen):
    case = open_case(world, critical=True)  # the first answer is due in 15 minutes
    frozen(T0 + timedelta(minutes=16))
    assert "I'm on it" not in _loaded_twice(tina, "escalations")
    sla_sweep()  # the worker's bulk writes
    assert "I'm on it" in panel_text(tina.get(CONSOLE), "escalations")
    alert = SlaAlert.objects.get(case=case, level=SlaAlert.Level.BREACH)
    tina.post(f"/console/cases/{case.number}/acknowledge/", {"alert": alert.pk})
    assert "Tina Nowak is on it" in panel_text(tina.get(CONSOLE), "escalations")


def test_the_past_a_deadline_count_moves_at_the_deadline(tina, world, frozen):
    open_case(world, critical=True)  # due at 08:15:00 UTC
    frozen(T0 + timedelta(minutes=14, seconds=59))
    assert "0 past a deadline" in _loaded_twice(tina, "escalations")
    frozen(T0 + timedelta(minutes=15))
    assert "1 past a deadline" in panel_text(tina.get(CONSOLE), "escalations")


def test_a_breach_leaves_the_panel_when_it_turns_seven_days_old(tina, world, frozen):
    open_case(world, critical=True)
    frozen(T0 + timedelta(minutes=16))
    sla_sweep()
    created = SlaAlert.objects.get(level=SlaAlert.Level.BREACH).created_at
    frozen(created + timedelta(days=7, seconds=-1))
    tina.force_login(world.tina)  # a week on: signed in again
    assert "I'm on it" in _loaded_twice(tina, "escalations")
    frozen(created + timedelta(days=7, seconds=1))
    assert "I'm on it" not in panel_text(tina.get(CONSOLE), "escalations")


def _request_filed(world):
    item = FeatureRequest(title="Dedicated IP pool", description="For the spring campaign.")
    feature_request_file(account=world.acme, actor=world.alice, item=item)


def _milestone_done(world):
    milestone_toggle(milestone=world.milestone, actor=world.tina)


def _globex_given_to_tina(world):  # which accounts the person reaches changed: a new key
    account_services.account_assign_tams(
        account=world.globex, actor=world.root, primary_tam=world.tina, backup_tam=None
    )


PLANNING_CHANGES = [  # (change, text, shown after it)
    (_request_filed, "Acme · Dedicated IP pool", True),
    (_milestone_done, "Acme · DNS cut-over", False),
    (_globex_given_to_tina, "Globex · Globex reporting API", True),
]


@pytest.mark.parametrize(("change", "text", "shown"), PLANNING_CHANGES, ids=[c[0].__name__ for c in PLANNING_CHANGES])
def test_a_planning_change_shows_on_the_next_request(tina, world, change, text, shown):
    plan = MigrationPlanFactory(account=world.acme, name="Move")
    world.milestone = MilestoneFactory(plan=plan, title="DNS cut-over", due_on=world.acme.today() + timedelta(days=2))
    FeatureRequestFactory(account=world.globex, title="Globex reporting API")
    before = _loaded_twice(tina, "planning")
    assert (text in before) != shown
    change(world)
    assert (text in panel_text(tina.get(CONSOLE), "planning")) == shown


def test_overdue_shows_at_the_viewers_midnight(tina, world, frozen):
    plan = MigrationPlanFactory(account=world.acme, name="Move")
    MilestoneFactory(plan=plan, title="DNS cut-over", due_on=world.acme.today())
    frozen(datetime(2026, 6, 9, 21, 59, 59, tzinfo=UTC))  # 23:59:59 in Warsaw, Tina's zone and Acme's
    tina.force_login(world.tina)  # the evening: signed in again
    assert "Overdue" not in _loaded_twice(tina, "planning")
    frozen(datetime(2026, 6, 9, 22, 0, tzinfo=UTC))
    assert "Overdue" in panel_text(tina.get(CONSOLE), "planning")


def test_each_person_sees_their_own_accounts_only(client, world, frozen):
    frozen(T0)
    case_escalate(case=open_case(world), actor=world.alice, reason="Acme escalates.")
    FeatureRequestFactory(account=world.acme, title="Acme's request")
    for person, sees in [(world.tina, True), (world.tess, False), (world.sam, True), (world.tess, False)]:
        client.force_login(person)
        page = client.get(CONSOLE)
        if person.is_tam:
            assert ("Acme's request" in panel_text(page, "planning")) is sees
        assert ("Acme escalates." in panel_text(page, "escalations")) is sees, person


def _panel_token(html: str) -> str:
    """The CSRF token of the escalations panel's form (the page's own forms carry theirs too)."""
    panel = re.search(r'<section id="escalations".*?</section>', html, re.S).group(0)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', panel).group(1)


def test_a_cached_form_carries_each_sessions_own_token(world, frozen):
    """The same TAM signed in twice: the second session's "I'm on it" is served from the first one's cached
    panel and must still post (a token of the other session would be refused: 403)."""
    frozen(T0)
    case_escalate(case=open_case(world), actor=world.alice, reason="Acme escalates.")
    laptop, phone = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for session in (laptop, phone):
        session.force_login(world.tina)
    laptop.get(CONSOLE)
    with CaptureQueriesContext(connection) as served:
        page = phone.get(CONSOLE).content.decode()
    assert not any("cases_caseevent" in q["sql"] for q in served)  # from the cache
    escalation = world.acme.cases.get().events.get(kind="escalated")
    response = phone.post(
        "/console/cases/ACME-000001/acknowledge/",
        {"escalation": escalation.pk, "csrfmiddlewaretoken": _panel_token(page)},
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.details["taken_up_name"] == "Tina Nowak"
