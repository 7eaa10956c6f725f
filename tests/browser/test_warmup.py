"""A TAM makes Acme's warm-up plan from a template; the customer's pipeline posts a week of actuals with a
Gmail deferral day to the JSON endpoint; the customer sees Gmail on hold, why, and the later forecast
(MISSION DLV-1, TAM-5)."""

import json
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from accounts.services import api_token_issue
from planning import warmup
from planning.models import WarmupPlan
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_plan_actuals_by_api_and_a_gmail_hold(page, world, browser, live_server, frozen):
    frozen("2027-05-10 10:00", tick=True)  # noon in Warsaw: Acme's day is the plan's day
    start = world.acme.today() - timedelta(days=7)
    log_in(page, "tina@tam.test", world.password)
    page.goto("/a/acme/warmup/new/")
    page.get_by_label("Name").fill("Transactional IPs")
    page.get_by_label("Template").select_option("sendgrid")
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Target daily volume").fill("200000")
    page.get_by_role("button", name="Make the plan").click()
    expect(page.get_by_test_id("plan-summary")).to_contain_text("Started")
    plan = WarmupPlan.objects.get(account=world.acme)
    planned_end = plan.start_date + timedelta(days=len(plan.daily_plan()) - 1)

    # The customer's pipeline: a token, then a week of actuals; Gmail reports deferrals on the last day.
    _token, key = api_token_issue(account=world.acme, name="warehouse", actor=world.alice)
    rows = []
    for share in plan.shares():
        volumes = warmup.climb(warmup.ladder(plan.base_curve(), share))  # the recommended volume each day
        for n in range(7):
            sent = volumes[n]
            deferrals = 40 if share.provider == "gmail" and n == 6 else 0
            day = (start + timedelta(days=n)).isoformat()
            rows.append(
                {"date": day, "provider": share.provider, "sent": sent, "delivered": sent - deferrals}
                | {"bounced": 0, "complaints": 0, "deferrals": deferrals}
            )
    response = page.request.post(
        f"/api/v1/warmup/{plan.pk}/actuals",
        data=json.dumps(rows),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    assert response.status == 200, response.text()
    assert response.json() == {"saved": 35, "errors": []}

    customer = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/Warsaw").new_page()
    log_in(customer, "alice@acme.test", world.password)
    customer.goto("/a/acme/")
    expect(customer.get_by_test_id("warmup-panel")).to_contain_text("Gmail")
    customer.goto(plan.get_absolute_url())
    gmail = customer.get_by_test_id("provider-gmail")
    expect(gmail).to_contain_text("Hold")
    expect(gmail).to_contain_text("40 deferrals (4xx) from this provider")
    expect(customer.get_by_test_id("provider-microsoft")).to_contain_text("Advance")
    forecast = customer.get_by_test_id("forecast")
    expect(forecast).to_contain_text((planned_end + timedelta(days=1)).strftime("%-d %b %Y"))
    expect(customer.get_by_test_id("plan-summary")).to_contain_text("1 day later than planned")
    assert customer.locator("svg.warmup-chart").count() == 5
    screenshot(customer, "warmup-gmail-hold")
    customer.context.close()
