"""Every planning change goes through ``planning.services`` and leaves exactly one audit row, in the same
transaction (STYLE: every state change through a service, audited one way). The pages and the admin both."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.models import AuditEvent
from accounts.services import api_token_issue
from planning import services
from planning.models import ActionItem, BusinessReview, FeatureRequest, MigrationPlan, Milestone, PeakEvent, WarmupPlan
from tests.planning.factories import WarmupPlanFactory

K = AuditEvent.Kind
SHARES = {"share_gmail": "40", "share_microsoft": "25", "share_yahoo": "15", "share_apple": "10", "share_other": "10"}
WARMUP_FORM = SHARES | {"name": "Transactional IPs", "template": "sendgrid", "start_date": "2027-05-10",
                        "target_daily": "200000", "custom_start": "", "custom_growth": ""}  # fmt: skip
MIGRATION_FORM = {"name": "From the old ESP", "previous_provider": "OldMail Inc.", "start_date": "2027-05-17",
                  "weeks": "6", "streams": "transactional 200000", "rollback_criteria": "Bounces over 2%."}  # fmt: skip


@pytest.fixture(autouse=True)
def _a_fixed_day(frozen):
    frozen("2027-05-10 10:00")


def new_rows(since: int) -> list[tuple]:
    events = AuditEvent.objects.filter(pk__gt=since).order_by("id")
    return list(events.values_list("kind", "actor__email", "account__slug", "details__action"))


def last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def step(client, user, url, data=None, **extra):
    """POST as ``user``; the audit rows the request wrote."""
    client.force_login(user)
    before = last_id()
    response = client.post(url, data or {}, **extra)
    assert response.status_code in (200, 302), response.content.decode()[:1000]
    return new_rows(before)


def test_every_planning_page_writes_one_audit_row_per_change(client, world):
    tina, alice = world.tina, world.alice
    T, A = "tina@tam.test", "alice@acme.test"
    assert step(client, tina, "/a/acme/warmup/new/", WARMUP_FORM) == [(K.WARMUP_PLAN_CHANGED, T, "acme", "created")]
    plan = WarmupPlan.objects.get()
    upload = SimpleUploadedFile("a.csv", b"date,provider,sent\n2027-05-10,gmail,100\n", content_type="text/csv")
    assert step(client, alice, f"/a/acme/warmup/{plan.pk}/actuals/", {"file": upload}) == [
        (K.ACTUALS_RECORDED, A, "acme", "saved")
    ]
    assert step(client, tina, "/a/acme/migration/new/", MIGRATION_FORM) == [
        (K.MIGRATION_PLAN_CHANGED, T, "acme", "created")
    ]
    migration = MigrationPlan.objects.get()
    assert step(client, tina, f"/a/acme/migration/{migration.pk}/status/", {"status": "active"}) == [
        (K.MIGRATION_PLAN_CHANGED, T, "acme", "status")
    ]
    assert step(client, alice, migration.get_absolute_url(), {"sign": "1"}) == [
        (K.MIGRATION_SIGNED, A, "acme", "signed")
    ]
    assert step(client, alice, migration.get_absolute_url(), {"sign": "1"}) == []  # signed once: nothing changes
    milestone = Milestone.objects.filter(plan=migration).first()
    assert step(client, tina, migration.get_absolute_url(), {"milestone": milestone.pk}) == [
        (K.MILESTONE_CHANGED, T, "acme", "done")
    ]
    assert step(client, tina, "/a/acme/capacity/", {"m-month": "2027-12", "m-volume": "45000000"}) == [
        (K.CAPACITY_CHANGED, T, "acme", "created")
    ]
    peak = {"p-name": "Black Friday", "p-day": "2027-11-26", "p-daily_volume": "6000000"}
    assert step(client, tina, "/a/acme/capacity/", peak) == [(K.CAPACITY_CHANGED, T, "acme", "created")]
    peak_pk = PeakEvent.objects.get().pk
    assert step(client, tina, f"/a/acme/capacity/peak/{peak_pk}/remove/") == [
        (K.CAPACITY_CHANGED, T, "acme", "removed")
    ]
    request = {"r-title": "Suppression lists", "r-description": "x", "r-priority": "2"}
    assert step(client, alice, "/a/acme/roadmap/", request) == [(K.FEATURE_REQUEST_CHANGED, A, "acme", "created")]
    item = FeatureRequest.objects.get()
    assert step(client, tina, f"/a/acme/roadmap/requests/{item.pk}/", {"status": "planned", "priority": "1"}) == [
        (K.FEATURE_REQUEST_CHANGED, T, "acme", "changed")
    ]
    review = {"v-held_on": "2027-05-07", "v-attendees": "Alice, Tina", "v-notes": "Q2"}
    assert step(client, tina, "/a/acme/roadmap/", review) == [(K.REVIEW_CHANGED, T, "acme", "created")]
    action = {"title": "Send DMARC reports", "owner": "Alice", "due_on": "2027-06-01"}
    review_pk = BusinessReview.objects.get().pk
    assert step(client, tina, f"/a/acme/roadmap/reviews/{review_pk}/actions/", action) == [
        (K.ACTION_ITEM_CHANGED, T, "acme", "created")
    ]
    action_pk = ActionItem.objects.get().pk
    assert step(client, alice, f"/a/acme/roadmap/actions/{action_pk}/done/") == [
        (K.ACTION_ITEM_CHANGED, A, "acme", "done")
    ]


def test_actuals_from_the_pipeline_are_audited_with_the_token_not_a_person(client, world):
    plan = WarmupPlanFactory(account=world.acme, start_date=date(2027, 5, 10))
    with transaction.atomic():
        token, key = api_token_issue(account=world.acme, name="Pipeline", actor=world.alice)
    before = last_id()
    rows = '[{"date": "2027-05-10", "provider": "gmail", "sent": 100}]'
    response = client.post(
        f"/api/v1/warmup/{plan.pk}/actuals", rows, content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )  # fmt: skip
    assert response.status_code == 200
    assert new_rows(before) == [(K.ACTUALS_RECORDED, None, "acme", "saved")]
    assert AuditEvent.objects.get(pk__gt=before).details["token"] == token.prefix


def test_the_audit_row_rolls_back_with_the_change(world):
    plan = WarmupPlanFactory(account=world.acme)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.migration_plan_create(
            account=world.acme, actor=world.tina, streams=[],
            plan=MigrationPlan(name="x", previous_provider="y", start_date=date(2027, 6, 1), warmup_plan=plan),
        )  # fmt: skip
        raise RuntimeError("the request failed after the service")
    assert not MigrationPlan.objects.exists() and not AuditEvent.objects.exists()


def test_the_admin_goes_through_the_same_services(client, world):
    """A feature request changed and peaks deleted in bulk in the admin: one audit row each, like the page."""
    with transaction.atomic():
        item = services.feature_request_file(
            account=world.acme, actor=world.alice, item=FeatureRequest(title="Suppression lists")
        )
        peaks = [
            services.peak_add(
                account=world.acme, actor=world.tina, peak=PeakEvent(name=n, day=date(2027, 11, 26), daily_volume=1)
            )
            for n in ("Black Friday", "Cyber Monday")
        ]
    client.force_login(world.tina)
    before = last_id()
    data = {"account": world.acme.pk, "title": item.title, "description": "", "status": "planned", "priority": "2",
            "tam_notes": "Q3", "created_by": world.alice.pk}  # fmt: skip
    response = client.post(f"/admin/planning/featurerequest/{item.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(
        "/admin/planning/peakevent/",
        {"action": "delete_selected", "_selected_action": [p.pk for p in peaks], "post": "yes"},
    )
    assert response.status_code == 302 and not PeakEvent.objects.exists()
    assert new_rows(before) == [
        (K.FEATURE_REQUEST_CHANGED, "tina@tam.test", "acme", "changed"),
        (K.CAPACITY_CHANGED, "tina@tam.test", "acme", "removed"),
        (K.CAPACITY_CHANGED, "tina@tam.test", "acme", "removed"),
    ]
