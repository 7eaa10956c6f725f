"""Issue 17, warm-up plans on the pages: holds, re-warming, sending over the plan, unreachable targets, and
records no check ever saw. MISSION: DLV-1, TAM-3, TAM-5. Every page a customer or the staff open must
answer, whatever a record in the database says (a target of 0, a start in 9999, a capacity rule of 0).
"""

import re
from datetime import date, timedelta

import pytest

from accounts.models import AuditEvent
from planning import services, warmup
from planning.models import CapacityRules, DailyActual, MonthlyForecast, WarmupPlan
from tests.helpers import ROLES, sign_in, text, visible_text
from tests.planning.conftest import provider_row
from tests.planning.factories import MonthlyForecastFactory, WarmupPlanFactory, send_as_planned

pytestmark = pytest.mark.usefixtures("a_fixed_day")

WARMUP = "/a/acme/warmup/"
SHARES = {"gmail": "40", "microsoft": "25", "yahoo": "15", "apple": "10", "other": "10"}


def plan_form(**changes) -> dict:
    shares = {f"share_{p}": v for p, v in SHARES.items()} | {f"cap_{p}": "" for p in SHARES}
    form = {"name": "New IPs", "template": "sendgrid", "start_date": "2027-05-10", "target_daily": "200000",
            "custom_start": "", "custom_growth": "", "ips": "", "streams": ""}  # fmt: skip
    return shares | form | changes


def test_idle_too_long_every_provider_says_warm_again_and_none_says_advance(client, world):
    """Issue 17: the re-warm notice stood beside "Advance" and the next stage's volume."""
    plan = WarmupPlanFactory(account=world.acme, start_date=world.acme.today() - timedelta(days=45))
    send_as_planned(plan, 10)  # days 0..9: the last day sent is 36 days ago
    client.force_login(world.alice)
    page = client.get(plan.get_absolute_url())
    assert "must be warmed again" in visible_text(page)
    for share in plan.shares():
        row = provider_row(page, share.provider)
        assert "Warm again" in row and "Advance" not in row, row
        first = max(1, round(480 * share.percent / 100))  # SendGrid's d0: 20 an hour, 480 a day
        assert f" {first:,} " in f" {row} ", row
        assert "start again from the first stage" in row


def test_a_held_day_is_followed_by_no_more_than_it_sent_on_the_page(client, world):
    """Issue 17: "Hold · 1,440" after 1,200 went out with 2.08% bounces."""
    plan = WarmupPlanFactory(account=world.acme, start_date=world.acme.today() - timedelta(days=20))
    gmail = warmup.climb(warmup.ladder(plan.base_curve(), plan.shares()[0]))
    n = next(day for day, volume in enumerate(gmail) if volume >= 1_440)  # the day Gmail's plan passes 1,440
    send_as_planned(plan, n)
    DailyActual.objects.create(
        plan=plan, day=plan.start_date + timedelta(days=n), provider="gmail", sent=1_200, delivered=1_175, bounced=25
    )
    client.force_login(world.alice)
    row = provider_row(client.get(plan.get_absolute_url()), "gmail")
    assert "Hold" in row and "Hard bounces at 2.08%" in row
    volume = int(re.search(r"Hold ([\d,]+)", row).group(1).replace(",", ""))
    assert volume <= 1_200 < gmail[n]


def test_sending_far_over_the_plan_is_flagged_not_all_clear(client, world, acme_plan):
    """Issue 17: 20,000 sent where about 1,500 was planned said "All clear"."""
    send_as_planned(acme_plan, 6)
    DailyActual.objects.create(
        plan=acme_plan, day=acme_plan.start_date + timedelta(days=6), provider="gmail", sent=20_000, delivered=20_000
    )
    client.force_login(world.alice)
    row = provider_row(client.get(acme_plan.get_absolute_url()), "gmail")
    assert "All clear" not in row and "Hold" in row
    assert "20,000 sent, more than the" in row and "planned: hold, and send no more than planned" in row
    volume = int(re.search(r"Hold ([\d,]+)", row).group(1).replace(",", ""))
    assert volume < 20_000


def test_a_target_above_the_templates_ceiling_is_refused_at_input(client, world):
    client.force_login(world.tina)
    response = client.post(f"{WARMUP}new/", plan_form(template="ses", target_daily="200000"))
    assert "Amazon SES stops at 50,000 a day per IP" in visible_text(response)
    assert not WarmupPlan.objects.exists()
    client.post(f"{WARMUP}new/", plan_form(template="ses", target_daily="50000"))
    assert WarmupPlan.objects.get().target_daily == 50_000


def test_a_saved_plan_above_the_ceiling_says_where_it_really_ends(client, world):
    plan = WarmupPlanFactory(account=world.acme, template="ses", target_daily=200_000)
    client.force_login(world.alice)
    page = visible_text(client.get(plan.get_absolute_url()))
    assert (
        "This template stops at 50,000 a day per IP, 50,000 a day for the plan's 1 IP: the plan ends there, "
        "below the target of 200,000" in page
    )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"target_daily": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"start_date": "9999-01-04"}, "A warm-up starts within a year from today."),
        ({"start_date": "1999-12-31"}, "Give the day the warm-up started (from the year 2000)."),
    ],
)
def test_a_target_of_0_or_a_start_far_away_is_refused_at_input(client, world, change, error):
    client.force_login(world.tina)
    response = client.post(f"{WARMUP}new/", plan_form(**change))
    assert error in visible_text(response)
    assert not WarmupPlan.objects.exists()


def test_a_capacity_rule_of_0_is_refused_in_the_admin(client, world):
    client.force_login(world.root)
    data = {"per_ip_daily": "0", "split_monthly": "250000", "min_daily_per_ip": "50000", "template": "sendgrid"}
    response = client.post("/admin/planning/capacityrules/add/", data)
    assert response.status_code == 200 and "greater than or equal to 1" in visible_text(response)
    assert not CapacityRules.objects.exists()


BROKEN = {
    "a target of 0": lambda acme: WarmupPlanFactory(account=acme, target_daily=0),
    "a start in 9999": lambda acme: WarmupPlanFactory(account=acme, start_date=date(9999, 12, 25)),
    "a custom growth below 1": lambda acme: WarmupPlanFactory(
        account=acme, template="custom", custom_start=100, custom_growth="0.50"
    ),
    "an unreadable split": lambda acme: WarmupPlanFactory(account=acme, providers=[{"provider": "gmail"}, 7, "x"]),
    "an actual dated 9999": lambda acme: DailyActual.objects.create(
        plan=WarmupPlanFactory(account=acme), day=date(9999, 12, 31), provider="gmail", sent=10
    ),
    "a capacity rule of 0": lambda acme: (
        CapacityRules.objects.create(per_ip_daily=0, split_monthly=0, min_daily_per_ip=0, template="bogus"),
        MonthlyForecastFactory(account=acme, volume=9_000_000),
    ),
}


@pytest.mark.parametrize("record", list(BROKEN))
def test_no_saved_record_makes_a_page_fail_for_any_role(client, world, record):
    """Issue 17: each of these took down the dashboard or Capacity for every account."""
    BROKEN[record](world.acme)
    plans = [plan.get_absolute_url() for plan in WarmupPlan.objects.all()]
    pages = ["/a/acme/", "/a/acme/warmup/", "/a/acme/capacity/", "/a/globex/", "/a/globex/capacity/", *plans]
    for role in ROLES:
        client.logout()
        sign_in(client, world, role)
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 302, 404), (role, url, response.status_code)


def test_a_plan_that_cannot_be_computed_says_so(client, world):
    plan = WarmupPlanFactory(account=world.acme, target_daily=0)
    client.force_login(world.alice)
    page = visible_text(client.get(plan.get_absolute_url()))
    assert "This plan cannot be followed as it is saved; your TAM corrects it:" in page
    assert "The target daily volume must be at least 1." in page
    assert "Needs your TAM" in visible_text(client.get("/a/acme/"))


def test_capacity_with_a_rule_of_0_falls_back_to_the_default(client, world):
    CapacityRules.objects.create(per_ip_daily=0, split_monthly=250_000, min_daily_per_ip=50_000)
    MonthlyForecast.objects.create(account=world.acme, month=date(2027, 6, 1), volume=210_000_000)
    client.force_login(world.alice)
    page = visible_text(client.get("/a/acme/capacity/"))
    assert "Recommended: 2 dedicated IPs." in page  # 7,000,000 a day at the default 3,500,000 an IP


def test_a_replaced_day_is_audited(world, acme_plan):
    day = acme_plan.start_date
    services.actuals_import_csv(plan=acme_plan, actor=world.alice, text=f"date,provider,sent\n{day},gmail,100\n")
    outcome = services.actuals_import_csv(
        plan=acme_plan, actor=world.alice, text=f"date,provider,sent\n{day},gmail,90\n"
    )
    assert outcome.replaced == [f"{acme_plan.start_date} gmail"]
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.ACTUALS_RECORDED).order_by("-id").first()
    assert event.details["replaced"] == [f"{acme_plan.start_date} gmail"] and event.actor == world.alice


def test_the_plan_page_shows_every_days_decision_with_its_reason_and_links_the_article(client, world, acme_plan):
    acme_plan.notes = "Engaged <b>subscribers</b> first.\nThen the rest."
    acme_plan.save(update_fields=["notes"])
    send_as_planned(acme_plan, 3)
    DailyActual.objects.create(
        plan=acme_plan, day=acme_plan.start_date + timedelta(days=3), provider="yahoo",
        sent=100, delivered=90, deferrals=10, rate_limited=4,
    )  # fmt: skip
    client.force_login(world.alice)
    page = text(client.get(acme_plan.get_absolute_url()))
    history = visible_text(re.search(r'<details data-testid="history">.*?</details>', page, re.S).group(0))
    day3, day0 = acme_plan.start_date + timedelta(days=3), acme_plan.start_date
    assert f"{day3:%-d %b} Yahoo / AOL" in history
    assert "4 rate-limit deferrals (421/451): the provider is throttling" in history
    assert history.count("All clear") == 3 * len(acme_plan.shares())  # days 0..2, every provider
    assert history.index(f"{day3:%-d %b}") < history.index(f"{day0:%-d %b} ")  # the latest day first
    assert "Engaged &lt;b&gt;subscribers&lt;/b&gt; first.<br>Then the rest." in page  # the plan's notes, escaped
    link = re.search(r'<a href="([^"]+)" data-testid="warmup-article">', page).group(1)
    assert link == "/library/ip-warm-up/"
    assert "IP warm-up" in visible_text(client.get(link))  # the article itself
