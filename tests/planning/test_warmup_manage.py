"""Issue 17, warm-up item 2: a TAM pauses, resumes, completes and changes a plan in the portal, through the
services and audited; customers cannot (a 404, like a missing page). MISSION: DLV-1, TAM-5."""

import pytest

from accounts.models import AuditEvent
from planning.models import WarmupPlan
from tests.deliverability.factories import MessageStreamFactory, MonitoredTargetFactory
from tests.helpers import messages_of, visible_text

pytestmark = pytest.mark.usefixtures("a_fixed_day")

SHARES = {"gmail": "40", "microsoft": "25", "yahoo": "15", "apple": "10", "other": "10"}


def form_of(plan, **changes) -> dict:
    shares = {f"share_{p}": v for p, v in SHARES.items()} | {f"cap_{p}": "" for p in SHARES}
    data = {"name": plan.name, "template": plan.template, "start_date": plan.start_date.isoformat(),
            "target_daily": str(plan.target_daily), "custom_start": "", "custom_growth": "", "notes": ""}  # fmt: skip
    return shares | data | changes


def audit_of(plan) -> list[dict]:
    rows = AuditEvent.objects.for_target(plan).order_by("id")
    return [row.details for row in rows]


def test_a_tam_pauses_resumes_and_completes_a_plan_and_each_is_audited(client, world, acme_plan):
    client.force_login(world.tina)
    page = visible_text(client.get(acme_plan.get_absolute_url()))
    assert "Pause" in page and "Mark complete" in page and "Change the plan" in page
    response = client.post(f"{acme_plan.get_absolute_url()}status/", {"status": "paused"}, follow=True)
    assert "The plan is now: Paused." in messages_of(response)
    assert "Paused by your TAM: keep the volume where it is until the plan resumes." in visible_text(response)
    client.post(f"{acme_plan.get_absolute_url()}status/", {"status": "active"})
    client.post(f"{acme_plan.get_absolute_url()}status/", {"status": "completed"})
    acme_plan.refresh_from_db()
    assert acme_plan.status == WarmupPlan.Status.COMPLETED
    moves = [(d.get("before"), d.get("after")) for d in audit_of(acme_plan) if d.get("action") == "status"]
    assert moves == [("active", "paused"), ("paused", "active"), ("active", "completed")]
    response = client.post(f"{acme_plan.get_absolute_url()}status/", {"status": "active"}, follow=True)
    assert "A completed plan stays completed: make a new plan to warm again." in messages_of(response)
    assert WarmupPlan.objects.get(pk=acme_plan.pk).status == WarmupPlan.Status.COMPLETED
    assert "Completed: this plan is closed." in visible_text(response)


def test_a_paused_plan_leaves_the_dashboard(client, world, acme_plan):
    client.force_login(world.tina)
    client.post(f"{acme_plan.get_absolute_url()}status/", {"status": "paused"})
    client.force_login(world.alice)
    assert 'data-testid="warmup-panel"' not in client.get("/a/acme/").content.decode()


def test_a_tam_changes_a_plans_target_and_streams_and_the_change_is_audited(client, world, acme_plan):
    stream = MessageStreamFactory(account=world.acme, name="marketing")
    for _ in range(3):
        MonitoredTargetFactory(account=world.acme, stream=stream)
    client.force_login(world.tina)
    assert "Change Marketing pool" in visible_text(client.get(f"{acme_plan.get_absolute_url()}edit/"))
    data = form_of(acme_plan, target_daily="300000", sending_streams=[stream.pk])
    response = client.post(f"{acme_plan.get_absolute_url()}edit/", data, follow=True)
    assert "The plan is saved." in messages_of(response)
    assert "Warming 3 IPs" in visible_text(response)
    acme_plan.refresh_from_db()
    assert acme_plan.target_daily == 300_000 and acme_plan.ip_count() == 3
    change = [d for d in audit_of(acme_plan) if d.get("action") == "changed"][-1]
    assert "target_daily" in change["fields"] and "sending_streams" in change["fields"] and change["ips"] == 3


def test_a_change_is_checked_like_a_new_plan(client, world, acme_plan):
    client.force_login(world.tina)
    response = client.post(f"{acme_plan.get_absolute_url()}edit/", form_of(acme_plan, template="ses"))
    assert "Amazon SES stops at 50,000 a day per IP" in visible_text(response)
    assert WarmupPlan.objects.get(pk=acme_plan.pk).template == "sendgrid"


def test_customers_see_no_buttons_and_cannot_post(client, world, acme_plan):
    client.force_login(world.alice)
    page = client.get(acme_plan.get_absolute_url()).content.decode()
    assert 'data-testid="plan-actions"' not in page
    assert client.post(f"{acme_plan.get_absolute_url()}status/", {"status": "completed"}).status_code == 404
    assert client.get(f"{acme_plan.get_absolute_url()}edit/").status_code == 404
    assert WarmupPlan.objects.get(pk=acme_plan.pk).status == WarmupPlan.Status.ACTIVE


def test_an_unknown_status_is_a_404(client, world, acme_plan):
    client.force_login(world.tina)
    assert client.post(f"{acme_plan.get_absolute_url()}status/", {"status": "deleted"}).status_code == 404
