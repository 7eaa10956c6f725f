"""Who may open the capacity, roadmap and migration URLs: every URL name × every role (MISSION: TAM-3,
TAM-5). Another account's objects are 404s like missing ones; tests/portal/test_tenant_matrix.py unions
this MATRIX in."""

from datetime import date

import pytest

from planning import urls
from planning.models import (
    ActionItem,
    BusinessReview,
    FeatureRequest,
    MigrationPlan,
    MigrationStream,
    Milestone,
    MonthlyForecast,
    PeakEvent,
)
from tests.helpers import LOGIN, ROLES, Row, assert_same_404, check_row, roles

PEAK, REQUEST, REVIEW, ACTION, MIGRATION, MILESTONE = 930001, 930002, 930003, 930004, 930005, 930006
CAPACITY, ROADMAP, MIG = "/a/acme/capacity/", "/a/acme/roadmap/", f"/a/acme/migration/{MIGRATION}/"
READERS = roles(200, anonymous=LOGIN, bob=404, tess=404)
# changing capacity figures: Acme's admin and Acme's TAMs; a member, the view-only agent and Globex: 404
EDITORS = {"anonymous": LOGIN, "arthur": 404, "sam": 404, "bob": 404, "tess": 404}
# TAM-only actions: Acme's TAMs and a superuser
TAMS = {"anonymous": LOGIN, "alice": 404, "arthur": 404, "sam": 404, "bob": 404, "tess": 404}


def count(model, **lookup):
    return lambda o: model.objects.filter(**lookup).count()


MATRIX: dict[str, list[Row]] = {
    "capacity": [
        Row("GET", lambda o: CAPACITY, READERS),
        Row(
            "POST",
            lambda o: CAPACITY,
            roles(CAPACITY, **EDITORS),
            data=lambda o: {"m-month": "2027-01", "m-volume": "5"},
            changes=count(MonthlyForecast),
        ),  # fmt: skip
    ],
    "capacity-remove": [
        Row("POST", lambda o: f"{CAPACITY}peak/{PEAK}/remove/", roles(CAPACITY, **EDITORS), changes=count(PeakEvent))
    ],
    "roadmap": [
        Row("GET", lambda o: ROADMAP, READERS),
        Row(
            "POST",
            lambda o: ROADMAP,
            roles(ROADMAP, anonymous=LOGIN, bob=404, tess=404),
            data=lambda o: {"r-title": "A need", "r-priority": "3"},
            changes=count(FeatureRequest),
        ),  # fmt: skip
    ],
    "roadmap-request": [
        Row(
            "POST",
            lambda o: f"{ROADMAP}requests/{REQUEST}/",
            roles(ROADMAP, **TAMS),
            data=lambda o: {"status": "planned", "priority": "2"},
            changes=lambda o: FeatureRequest.objects.get(pk=REQUEST).status,
        ),  # fmt: skip
    ],
    "roadmap-action": [
        Row(
            "POST",
            lambda o: f"{ROADMAP}reviews/{REVIEW}/actions/",
            roles(ROADMAP, **TAMS),
            data=lambda o: {"title": "x", "owner": "y", "due_on": "2027-01-01"},
            changes=count(ActionItem),
        ),  # fmt: skip
    ],
    "roadmap-action-done": [
        Row(
            "POST",
            lambda o: f"{ROADMAP}actions/{ACTION}/done/",
            roles(ROADMAP, anonymous=LOGIN, bob=404, tess=404),
            changes=lambda o: ActionItem.objects.get(pk=ACTION).done_at,
        ),  # fmt: skip
    ],
    "migration-list": [Row("GET", lambda o: "/a/acme/migration/", READERS)],
    "migration-new": [Row("GET", lambda o: "/a/acme/migration/new/", roles(200, **TAMS))],
    "migration-plan": [
        Row("GET", lambda o: MIG, READERS),
        Row(
            "POST",
            lambda o: MIG,
            roles(MIG, anonymous=LOGIN, arthur=404, sam=404, bob=404, tess=404),
            data=lambda o: {"milestone": str(MILESTONE)},
            changes=lambda o: Milestone.objects.get(pk=MILESTONE).done_at,
        ),  # fmt: skip
    ],
    "migration-csv": [Row("GET", lambda o: f"{MIG}plan.csv", READERS)],
    "migration-edit": [
        Row("GET", lambda o: f"{MIG}edit/", roles(200, **TAMS)),
        Row(
            "POST",
            lambda o: f"{MIG}edit/",
            roles(MIG, **TAMS),
            data=lambda o: {
                "name": "Renamed",
                "previous_provider": "Old",
                "start_date": "2026-12-01",
                "weeks": "6",
                "rollback_criteria": "Back.",
                "streams": "tx 1000",
                "version": "0",
                "m-TOTAL_FORMS": "0",
                "m-INITIAL_FORMS": "0",
            },
            changes=lambda o: MigrationPlan.objects.get(pk=MIGRATION).name,
        ),  # fmt: skip
    ],
    "migration-status": [
        Row(
            "POST",
            lambda o: f"{MIG}status/",
            roles(MIG, **TAMS),
            data=lambda o: {"status": "active"},
            changes=lambda o: MigrationPlan.objects.get(pk=MIGRATION).status,
        ),  # fmt: skip
    ],
}
MATRIX_ROWS = [
    pytest.param(name, row, role, id=f"{name}-{row.method}-{role}")
    for name, rows in MATRIX.items()
    for row in rows
    for role in ROLES
]
OWN_VIEWS = (
    "planning.capacity_views",
    "planning.features_views",
    "planning.migration_views",
    "planning.migration_edit_views",
)


@pytest.fixture
def objects(world):
    PeakEvent.objects.create(pk=PEAK, account=world.acme, name="BF", day=date(2027, 11, 26), daily_volume=10)
    FeatureRequest.objects.create(pk=REQUEST, account=world.acme, title="Need")
    review = BusinessReview.objects.create(pk=REVIEW, account=world.acme, held_on=date(2026, 11, 1))
    ActionItem.objects.create(pk=ACTION, review=review, title="Do", owner="Alice", due_on=date(2026, 12, 1))
    plan = MigrationPlan.objects.create(
        pk=MIGRATION, account=world.acme, name="M", previous_provider="Old", start_date=date(2026, 12, 1)
    )
    MigrationStream.objects.create(plan=plan, name="tx", daily_volume=1000)
    Milestone.objects.create(pk=MILESTONE, plan=plan, kind="dkim", owner="Acme", due_on=date(2026, 11, 25))


def test_the_matrix_covers_every_other_planning_url_name():
    assert {p.name for p in urls.urlpatterns if p.callback.__module__ in OWN_VIEWS} == set(MATRIX)


@pytest.mark.parametrize(("name", "row", "role"), MATRIX_ROWS)
def test_planning_matrix_more(client, world, objects, name, row, role):
    check_row(client, world, objects, row, role)


def test_another_accounts_objects_are_like_missing_ones(client, world, objects):
    client.force_login(world.bob)
    assert_same_404(client, f"/a/globex/capacity/peak/{PEAK}/remove/", "/a/globex/capacity/peak/999999/remove/", "post")
    assert_same_404(
        client, f"/a/globex/roadmap/actions/{ACTION}/done/", "/a/globex/roadmap/actions/999999/done/", "post"
    )
    assert_same_404(client, MIG, "/a/acme/migration/999999/")
