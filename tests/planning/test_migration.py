"""Migration plans: the share of each stream per day following the warm-up, the DNS milestones with
owners and dates, rollback criteria, sign-offs, CSV, and what the TAM does not do. MISSION: TAM-3."""

import csv
import io
from datetime import date, timedelta

import pytest

from planning import services
from planning.cutover import Stream, schedule, weekly
from planning.models import MigrationPlan, Milestone, SignOff, WarmupPlan

START = date(2026, 12, 1)


def test_without_a_warmup_the_share_rises_evenly_to_all_on_the_last_day():
    days = schedule([Stream("tx", 1000), Stream("mkt", 3000)], START, weeks=4)
    assert len(days) == 28 * 2
    first, last = days[0], days[-1]
    assert (first.stream, round(first.share, 4), first.new, first.old) == ("tx", round(1 / 28, 4), 36, 964)
    assert last.share == 1.0 and last.new == 3000 and last.old == 0
    assert [w["week"] for w in weekly(days)] == [1, 2, 3, 4]


def test_with_a_warmup_the_new_side_carries_what_the_warmup_plans():
    warm = [1000, 2000, 8000, 40000]
    days = schedule([Stream("tx", 10_000), Stream("mkt", 30_000)], START, weeks=1, warmup_days=warm)
    by_day = {(d.day, d.stream): d for d in days}
    assert by_day[(START, "tx")].new == 250 and by_day[(START, "mkt")].new == 750  # 1,000 in proportion
    assert by_day[(START + timedelta(days=3), "mkt")].share == 1.0  # 40,000 covers both streams
    assert len(days) == 7 * 2  # the run lasts its weeks even when the warm-up is shorter


def form(**overrides):
    return {
        "name": "From the old ESP",
        "previous_provider": "OldMail Inc.",
        "start_date": START.isoformat(),
        "weeks": "6",
        "streams": "transactional 200000\nmarketing 800,000",
        "rollback_criteria": "Back for the day when bounces exceed 2%.",
        **overrides,
    }


def test_a_tam_makes_the_plan_both_sides_sign_and_the_csv_matches(client, world):
    client.force_login(world.tina)
    response = client.post("/a/acme/migration/new/", form())
    plan = MigrationPlan.objects.get(account=world.acme)
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert sorted(plan.streams.values_list("name", "daily_volume")) == [
        ("marketing", 800_000),
        ("transactional", 200_000),
    ]
    cutover = START + timedelta(days=6 * 7 - 1)
    kinds = dict(Milestone.objects.filter(plan=plan).values_list("kind", "due_on"))
    assert kinds["spf_include"] == START - timedelta(days=5) and kinds["cutover"] == cutover
    assert kinds["remove_old_spf"] == cutover + timedelta(days=7) and kinds["retire_old_dkim"] == cutover + timedelta(
        days=30
    )

    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Acme moves from OldMail Inc. to Email Enterprise over 6 weeks" in page
    assert "Not included: building your templates, translation, or managing your internal projects." in page
    assert "Add our SPF include" in page and "Back for the day when bounces exceed 2%." in page
    client.post(plan.get_absolute_url(), {"sign": "1"})
    client.force_login(world.arthur)  # a member reads but does not sign
    assert client.post(plan.get_absolute_url(), {"sign": "1"}).status_code == 404
    client.force_login(world.alice)
    client.post(plan.get_absolute_url(), {"sign": "1"})
    client.post(plan.get_absolute_url(), {"sign": "1"})  # twice: still one signature per side
    assert sorted(SignOff.objects.filter(plan=plan).values_list("side", flat=True)) == ["customer", "tam"]

    rows = list(csv.reader(io.StringIO(client.get(f"{plan.get_absolute_url()}plan.csv").content.decode())))
    assert rows[0][:3] == ["date", "stream", "share_on_email_enterprise"]
    last_day = [r for r in rows[1:] if r and r[0] == cutover.isoformat()]
    assert {r[1]: (r[3], r[4]) for r in last_day} == {"transactional": ("200000", "0"), "marketing": ("800000", "0")}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"streams": "marketing lots"}, "Line 1: write a name and a daily volume"),
        ({"streams": " "}, "This field is required."),
        ({"weeks": "40"}, "A parallel run of 1 to 26 weeks"),
    ],
)
def test_the_form_says_what_is_wrong(client, world, change, message):
    client.force_login(world.tina)
    response = client.post("/a/acme/migration/new/", form(**change))
    assert response.status_code == 200 and message in response.content.decode()
    assert not MigrationPlan.objects.exists()


def test_following_a_warmup_plan_of_the_same_account_only(client, world):
    theirs = WarmupPlan.objects.create(
        account=world.globex, name="G", template="sendgrid", start_date=START, target_daily=1000
    )
    client.force_login(world.tina)
    response = client.post("/a/acme/migration/new/", form(warmup_plan=str(theirs.pk)))
    assert "Select a valid choice" in response.content.decode()
    assert client.get("/a/acme/migration/new/").status_code == 200
    client.force_login(world.alice)  # customers read plans; TAMs make them
    assert client.get("/a/acme/migration/new/").status_code == 404
    client.force_login(world.bob)
    assert client.get("/a/acme/migration/").status_code == 404


def test_the_dashboard_shows_the_next_milestone(client, world):
    client.force_login(world.tina)
    client.post("/a/acme/migration/new/", form())
    client.force_login(world.alice)
    page = client.get("/a/acme/").content.decode()
    assert "Next milestone" in page and "Add our SPF include" in page
    plan = MigrationPlan.objects.get()
    before = ["spf_include", "dkim", "dmarc", "rdns", "bounce_domain"]
    for milestone in Milestone.objects.filter(plan=plan, kind__in=before):  # marked done as the TAM does
        services.milestone_toggle(milestone=milestone, actor=world.tina)
    assert "Cut-over: all streams on Email Enterprise" in client.get("/a/acme/").content.decode()


def test_the_csv_shows_what_was_typed_as_text_never_as_a_formula(client, world):
    """OWASP CSV injection: a stream, milestone or owner typed as ``=cmd|...`` does not run in Excel."""
    attack = "=cmd|' /C calc'!A0"
    client.force_login(world.tina)
    client.post("/a/acme/migration/new/", form(name=attack, streams=f"{attack} 1000\n@SUM(A1) 2000"))
    plan = MigrationPlan.objects.get(account=world.acme)
    plan.milestones.update(title="+1+1", owner="-2+3")

    text = client.get(f"{plan.get_absolute_url()}plan.csv").content.decode()
    cells = {value for row in csv.reader(io.StringIO(text)) for value in row}
    assert {f"'{attack}", "'@SUM(A1)", "'+1+1", "'-2+3"} <= cells
    assert not [value for value in cells if value[:1] in ("=", "+", "-", "@", "\t", "\r")]
