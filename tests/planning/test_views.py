"""The warm-up pages: making a plan, sending actuals, what the plan page and the dashboard show, and who may
open which planning URL (the tenant matrix; tests/portal/test_tenant_matrix.py unions it in).

MISSION: DLV-1, TAM-5. Another account's plan is a 404 exactly like a missing one.
"""

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import api_token_issue
from deliverability.library.content import recommended
from planning import demo, urls
from planning.models import DailyActual, IngestToken, WarmupPlan
from tests.helpers import (
    ACME_READERS,
    LOGIN,
    ROLES,
    Row,
    assert_same_404,
    check_htmx_row,
    check_row,
    count_queries,
    messages_of,
    queries_of,
    roles,
    text,
    visible_text,
)
from tests.planning.conftest import A_FIXED_DAY, deferrals_on, provider_row
from tests.planning.factories import WarmupPlanFactory, send_as_planned

PLAN_ID, TOKEN_ID = 920001, 920002
WARMUP, TOKENS = "/a/acme/warmup/", "/a/acme/api-tokens/"
PLAN = f"{WARMUP}{PLAN_ID}/"
SHARES = {"gmail": "40", "microsoft": "25", "yahoo": "15", "apple": "10", "other": "10"}
FORM = {"name": "Transactional IPs", "template": "sendgrid", "start_date": "2026-05-04", "target_daily": "200000",
        "custom_start": "", "custom_growth": "", "ips": "", "streams": "", "cap_yahoo": "5000"}  # fmt: skip
API_ROWS = [{"date": "2026-05-04", "provider": "gmail", "sent": 100}]


NOW = A_FIXED_DAY  # a Monday: noon in Warsaw (Acme's zone), 06:00 in New York (Globex's)


# Warm-up days are the account's calendar days: every test here runs on one known day.
pytestmark = pytest.mark.usefixtures("a_fixed_day")


def plan_form(**changes) -> dict:
    shares = {f"share_{p}": v for p, v in SHARES.items()} | {f"cap_{p}": "" for p in SHARES}
    return shares | FORM | changes


def csv_file(body="2026-05-04,gmail,100\n") -> SimpleUploadedFile:
    return SimpleUploadedFile("actuals.csv", f"date,provider,sent\n{body}".encode(), content_type="text/csv")


# --- the matrix ------------------------------------------------------------------------------------------

# Making plans: Acme's TAMs (and a superuser); customers, the view-only agent and Globex's people get a 404.
NOT_PLANNERS = {"anonymous": LOGIN, "alice": 404, "arthur": 404, "bob": 404, "tess": 404, "sam": 404}
PLANNERS = roles(200, **NOT_PLANNERS)
# Sending actuals and managing API tokens: Acme's admin and the staff who work on Acme.
SENDERS = {"anonymous": LOGIN, "arthur": 404, "sam": 404, "bob": 404, "tess": 404}


def acme_actuals(o) -> int:
    return DailyActual.objects.filter(plan__account__slug="acme").count()


def acme_plan_name(o) -> str:
    return WarmupPlan.objects.get(pk=PLAN_ID).name


def acme_plan_status(o) -> str:
    return WarmupPlan.objects.get(pk=PLAN_ID).status


def acme_tokens(o) -> int:
    return IngestToken.objects.active().filter(account__slug="acme").count()


def posting(path: str, expect: dict, data, changes=None) -> Row:
    return Row("POST", lambda o: path, expect, data=lambda o: data(), changes=changes)


MATRIX: dict[str, list[Row]] = {
    "warmup-list": [Row("GET", lambda o: WARMUP, ACME_READERS)],
    "warmup-new": [
        Row("GET", lambda o: f"{WARMUP}new/", PLANNERS),
        # shares adding up to 90%: planners see the form again with the error, others a 404
        posting(f"{WARMUP}new/", PLANNERS, lambda: plan_form(share_other="0")),
    ],
    "warmup-plan": [Row("GET", lambda o: PLAN, ACME_READERS)],
    # MISSION: DLV-1 — the TAMs change, pause and complete a plan; customers and others get a 404.
    "warmup-edit": [
        Row("GET", lambda o: f"{PLAN}edit/", PLANNERS),
        posting(f"{PLAN}edit/", roles(PLAN, **NOT_PLANNERS), lambda: plan_form(name="Renamed"), acme_plan_name),
    ],
    "warmup-status": [
        posting(f"{PLAN}status/", roles(PLAN, **NOT_PLANNERS), lambda: {"status": "paused"}, acme_plan_status)
    ],
    "warmup-actuals": [posting(f"{PLAN}actuals/", roles(PLAN, **SENDERS), lambda: {"file": csv_file()}, acme_actuals)],
    "planning-tokens": [
        Row("GET", lambda o: TOKENS, roles(200, **SENDERS)),
        posting(TOKENS, roles(200, **SENDERS), lambda: {"name": "warehouse"}, acme_tokens),
        posting(TOKENS, roles(TOKENS, **SENDERS), lambda: {"revoke": TOKEN_ID}, acme_tokens),
    ],
    # The pipeline's endpoint: a token, never a session; without one everybody gets a 401, not the login page.
    "api-warmup-actuals": [posting(f"/api/v1/warmup/{PLAN_ID}/actuals", roles(401), lambda: API_ROWS, acme_actuals)],
}
MATRIX_ROWS = [
    pytest.param(name, row, role, id=f"{name}-{row.method}-{role}")
    for name, rows in MATRIX.items()
    for row in rows
    for role in ROLES
]


@pytest.fixture
def objects(world):
    WarmupPlanFactory(pk=PLAN_ID, account=world.acme, start_date=date(2026, 5, 4))
    IngestToken.objects.create(pk=TOKEN_ID, account=world.acme, name="old", prefix="eet_old", key_hash="0" * 64)


def test_the_matrix_covers_every_planning_url_name():
    """Every URL routed to planning.views (the warm-up's); capacity, migration and roadmap have their own."""
    assert {p.name for p in urls.urlpatterns if p.callback.__module__ == "planning.views"} == set(MATRIX)


@pytest.mark.parametrize(("name", "row", "role"), MATRIX_ROWS)
def test_planning_matrix(client, world, objects, name, row, role):
    check_row(client, world, objects, row, role)


@pytest.mark.parametrize(("name", "row", "role"), [p for p in MATRIX_ROWS if p.values[1].method == "GET"])
def test_planning_matrix_with_htmx(client, world, objects, name, row, role):
    check_htmx_row(client, world, objects, row, role)


def test_another_accounts_plan_is_exactly_like_a_missing_one(client, world, objects):
    theirs = WarmupPlanFactory(account=world.globex)
    client.force_login(world.alice)
    assert_same_404(client, f"{WARMUP}{theirs.pk}/", f"{WARMUP}999999/")
    assert_same_404(client, f"{WARMUP}{theirs.pk}/actuals/", f"{WARMUP}999999/actuals/", "post")
    assert_same_404(client, f"/a/globex/warmup/{theirs.pk}/", f"/a/nowhere/warmup/{theirs.pk}/")
    for role in ("bob", "tess"):
        client.force_login(getattr(world, role))
        assert_same_404(client, PLAN, "/a/nowhere/warmup/1/")
        assert_same_404(client, TOKENS, "/a/nowhere/api-tokens/", "post")
    assert not IngestToken.objects.filter(account=world.acme).exclude(pk=TOKEN_ID).exists()


# --- making a plan ---------------------------------------------------------------------------------------


def test_a_tam_makes_a_plan_for_acme(client, world):
    client.force_login(world.tina)
    assert "New plan" in visible_text(client.get(WARMUP))
    response = client.post(f"{WARMUP}new/", plan_form())
    plan = WarmupPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{WARMUP}{plan.pk}/"
    assert (plan.account, plan.created_by, plan.target_daily) == (world.acme, world.tina, 200_000)
    assert plan.providers[2] == {"provider": "yahoo", "percent": 15.0, "cap": 5000}
    assert [row["percent"] for row in plan.providers] == [40.0, 25.0, 15.0, 10.0, 10.0]
    page = client.get(response["Location"])
    assert messages_of(page) == ["The plan is made: 20 days to the target."]  # +20% a day at first, not +40%
    assert "Started 4 May 2026; target 200,000 a day; planned to finish 23 May 2026." in visible_text(page)


def test_shares_must_add_up_to_100(client, world):
    client.force_login(world.tom)
    response = client.post(f"{WARMUP}new/", plan_form(share_other="0"))
    assert response.status_code == 200
    assert "The shares add up to 90%; they must add up to 100%." in visible_text(response)
    assert not WarmupPlan.objects.exists()


def test_a_custom_ramp_needs_a_start_and_a_growth(client, world):
    client.force_login(world.tina)
    response = client.post(f"{WARMUP}new/", plan_form(template="custom", custom_growth="1.0"))
    page = visible_text(response)
    assert "A custom ramp needs the first day's volume." in page
    assert "A custom ramp needs a daily growth above 1 (1.4 is +40% a day)." in page
    assert not WarmupPlan.objects.exists()
    client.post(f"{WARMUP}new/", plan_form(template="custom", custom_start="1000", custom_growth="1.5"))
    assert WarmupPlan.objects.get().base_curve()[:3] == [1000, 1500, 2250]


@pytest.mark.parametrize("role", ["alice", "arthur", "sam"])
def test_customers_and_agents_cannot_make_plans(client, world, role):
    client.force_login(getattr(world, role))
    assert "New plan" not in visible_text(client.get(WARMUP))
    assert client.get(f"{WARMUP}new/").status_code == 404
    assert client.post(f"{WARMUP}new/", plan_form()).status_code == 404
    assert not WarmupPlan.objects.exists()


# --- actuals and tokens ----------------------------------------------------------------------------------


def test_an_admin_uploads_a_csv_and_sees_each_bad_line(client, world, objects):
    client.force_login(world.alice)
    body = "2026-05-04,gmail,100\n2026-05-04,nobody,5\n2026-05-05,Outlook,abc\n2026-05-05,AOL,70\n"
    response = client.post(f"{PLAN}actuals/", {"file": csv_file(body)}, follow=True)
    assert messages_of(response) == [
        "2 rows saved.",
        "Line 3: “nobody” is not a mailbox provider (gmail, microsoft, yahoo, apple, other).",
        "Line 4: sent: “abc” is not a whole number.",
    ]
    assert sorted(DailyActual.objects.values_list("provider", "sent")) == [("gmail", 100), ("yahoo", 70)]


def test_a_member_views_the_plan_but_cannot_upload(client, world, objects):
    client.force_login(world.arthur)
    page = client.get(PLAN)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' not in text(page)
    assert client.post(f"{PLAN}actuals/", {"file": csv_file()}).status_code == 404
    assert client.get(TOKENS).status_code == 404
    assert not DailyActual.objects.exists()


def test_an_admin_makes_a_token_sees_it_once_and_revokes_it(client, world, objects):
    client.force_login(world.alice)
    page = text(client.post(TOKENS, {"name": "warehouse"}))
    key = re.search(r'data-testid="new-key".*?<pre>(eet_[^<]+)</pre>', page, flags=re.S).group(1)
    token = IngestToken.objects.get(name="warehouse")
    assert token.key_hash == IngestToken.hash(key) and token.created_by == world.alice
    again = text(client.get(TOKENS))
    assert key not in again and f"{key[:8]}…" in again
    api, auth = f"/api/v1/warmup/{PLAN_ID}/actuals", {"Authorization": f"Bearer {key}"}
    assert client.post(api, API_ROWS, content_type="application/json", headers=auth).status_code == 200
    assert messages_of(client.post(TOKENS, {"revoke": token.pk}, follow=True)) == ["The token is revoked."]
    assert client.post(api, API_ROWS, content_type="application/json", headers=auth).status_code == 401


def test_an_admin_cannot_revoke_another_accounts_token(client, world, objects):
    theirs, _key = api_token_issue(account=world.globex, name="globex", actor=world.bob)
    client.force_login(world.alice)
    client.post(TOKENS, {"revoke": theirs.pk})
    assert IngestToken.objects.active().filter(pk=theirs.pk).exists()


# --- what the plan page, the dashboard and the library show ----------------------------------------------


def long_date(day) -> str:
    return f"{day.day} {day:%b %Y}"


def test_a_gmail_day_with_deferrals_holds_gmail_and_the_forecast_slips_a_day(client, world, acme_plan):
    send_as_planned(acme_plan, 7, gmail=deferrals_on(6))
    client.force_login(world.alice)
    response = client.get(acme_plan.get_absolute_url())
    # the held day's volume again: 40% of the day's 2,592 (SendGrid's 108 an hour, reached at the caps on day 6)
    assert provider_row(response, "gmail") == "Gmail Hold 1,037 40 deferrals (4xx) from this provider."
    assert provider_row(response, "microsoft").startswith("Microsoft Advance")
    assert "All clear; at most +50% on the next day." in provider_row(response, "microsoft")
    planned_end = acme_plan.start_date + timedelta(days=19)
    summary = visible_text(re.search(r'data-testid="plan-summary".*?</section>', text(response), re.S).group(0))
    assert f"planned to finish {long_date(planned_end)}." in summary
    assert f"Forecast: {long_date(planned_end + timedelta(days=1))} 1 day later than planned" in summary
    assert "must be warmed again" not in summary


@pytest.mark.parametrize(
    ("gmail", "late"),
    [(deferrals_on(5, 6), "2 days later than planned"), (deferrals_on(6, n=300), "2 days later than planned"),
     (deferrals_on(4, 5, 6), "3 days later than planned")],
    ids=["two-holds", "a-step-back", "three-holds"],
)  # fmt: skip
def test_every_hold_shows_in_the_forecast(client, world, acme_plan, gmail, late):
    send_as_planned(acme_plan, 7, gmail=gmail)
    client.force_login(world.arthur)
    page = visible_text(client.get(acme_plan.get_absolute_url()))
    assert late in page


def test_a_plan_on_track_is_not_late(client, world, acme_plan):
    send_as_planned(acme_plan, 7)
    client.force_login(world.alice)
    page = visible_text(client.get(acme_plan.get_absolute_url()))
    assert f"Forecast: {long_date(acme_plan.start_date + timedelta(days=19))}" in page
    assert "later than planned" not in page and "Hold" not in page


def test_one_chart_per_provider_with_the_planned_line_and_the_held_day(client, world, acme_plan):
    send_as_planned(acme_plan, 7, gmail=deferrals_on(6))
    client.force_login(world.alice)
    svgs = re.findall(r"<svg\b.*?</svg>", text(client.get(acme_plan.get_absolute_url())), re.S)
    assert len(svgs) == 5
    names = [re.search(r'aria-label="([^"]+)"', svg).group(1) for svg in svgs]
    assert names == ["Gmail", "Microsoft", "Yahoo / AOL", "Apple", "Other"]
    for svg in svgs:
        planned = re.search(r'<path d="([^"]+)" class="planned"/>', svg).group(1)
        assert len(re.findall(r"[ML]", planned)) == 20  # a point for every day of the ramp, at the daily caps
        assert svg.count('class="actual"><title>') == 7
    assert [svg.count('class="held"') for svg in svgs] == [1, 0, 0, 0, 0]


def test_more_than_30_idle_days_show_the_rewarm_notice(client, world):
    plan = WarmupPlanFactory(account=world.acme, start_date=world.acme.today() - timedelta(days=40))
    send_as_planned(plan, 10)  # days 0..9: the last day sent is 31 days ago
    client.force_login(world.alice)
    page = visible_text(client.get(plan.get_absolute_url()))
    assert "Nothing was sent for 31 days: an IP idle for more than 30 days must be warmed again" in page
    send_as_planned(plan, 1, first=10)  # 30 days ago
    assert "must be warmed again" not in visible_text(client.get(plan.get_absolute_url()))


@pytest.mark.parametrize("viewer", ["alice", "tom"])
def test_a_warm_up_day_is_the_accounts_day_whoever_looks(client, world, frozen, viewer):
    """23:30 UTC on 10 May: 01:30 on 11 May in Warsaw (Acme's zone), 19:30 on 10 May in New York (Tom's).
    Acme's plan counts Acme's day for everybody: 31 idle days, not 30 for the TAM in New York."""
    frozen("2027-05-10 23:30")
    assert world.acme.today() == date(2027, 5, 11) and world.globex.today() == date(2027, 5, 10)
    plan = WarmupPlanFactory(account=world.acme, start_date=date(2027, 4, 1))
    send_as_planned(plan, 10)  # 1 .. 10 April: the last day sent is 31 days before 11 May, 30 before 10 May
    world.tom.timezone = "America/New_York"
    world.tom.save(update_fields=["timezone"])
    client.force_login(getattr(world, viewer))
    page = visible_text(client.get(plan.get_absolute_url()))
    assert "Nothing was sent for 31 days" in page
    client.force_login(world.tom)
    form = text(client.get(f"{WARMUP}new/"))
    assert 'name="start_date" value="2027-05-11"' in form  # a new plan starts on Acme's today


def test_the_dashboard_shows_progress_and_the_providers_on_hold(client, world, acme_plan):
    send_as_planned(acme_plan, 7, gmail=deferrals_on(6), yahoo=deferrals_on(6, n=100))  # Yahoo: 18% deferred
    client.force_login(world.alice)
    panel = re.search(r'<div data-testid="warmup-panel">.*?</div>', text(client.get("/a/acme/")), re.S).group(0)
    panel = visible_text(panel)
    # a week of the 20-day plan is behind; Yahoo's step back put two days back in front: 15 of 20 to go
    assert re.search(r"Marketing pool ?: 25%", panel)
    assert "Forecast end: 24 May +2" in panel  # started 3 May, planned to end 22 May
    assert "Gmail 40 deferrals (4xx) from this provider." in panel
    assert "Yahoo / AOL 100 deferrals (4xx) from this provider." in panel
    assert "Microsoft" not in panel


def test_a_hold_recommends_the_warm_up_article(world, acme_plan):
    send_as_planned(acme_plan, 7)
    assert "ip-warm-up" not in [article.slug for article, _why in recommended(world.acme)]
    send_as_planned(acme_plan, 1, first=7, gmail=deferrals_on(7))
    found = {article.slug: why for article, why in recommended(world.acme)}
    assert found["ip-warm-up"] == "Your warm-up is on hold for Gmail."


def test_the_plan_page_queries_do_not_grow_with_the_days(client, world, django_assert_max_num_queries):
    today = world.acme.today()
    short = WarmupPlanFactory(account=world.acme, start_date=today - timedelta(days=12))
    long = WarmupPlanFactory(account=world.acme, start_date=today - timedelta(days=42))
    send_as_planned(short, 10)
    send_as_planned(long, 40)
    client.force_login(world.alice)
    bound, _ = queries_of(client, short.get_absolute_url())
    count_queries(client, long.get_absolute_url(), django_assert_max_num_queries, bound)


def test_the_plan_list_queries_do_not_grow_with_the_plans(client, world, django_assert_max_num_queries):
    send_as_planned(WarmupPlanFactory(account=world.acme), 5)
    client.force_login(world.alice)
    bound, _ = queries_of(client, WARMUP)
    for _ in range(4):
        send_as_planned(WarmupPlanFactory(account=world.acme), 5)
    _, response = count_queries(client, WARMUP, django_assert_max_num_queries, bound)
    assert text(response).count('<tr><td><a href="/a/acme/warmup/') == 5


def test_the_demo_plan_has_gmail_on_hold(client, world):
    demo.seed()
    demo.seed()
    client.force_login(world.alice)
    response = client.get(WarmupPlan.objects.get().get_absolute_url())
    assert provider_row(response, "gmail").startswith("Gmail Hold")
    assert "deferrals (4xx) from this provider." in provider_row(response, "gmail")
    assert all(provider_row(response, p).split()[1] == "Advance" for p in ("microsoft", "apple", "other"))
    assert DailyActual.objects.count() == 70
