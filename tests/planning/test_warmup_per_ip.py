"""Issue 17, warm-up item 1: per IP, not per pool; Gmail's spam rate; engaged first; a Mailgun template.
MISSION: DLV-1, TAM-5. The providers' schedules (SparkPost, SendGrid, SES, Mailgun) limit each IP: a plan
knows its IPs from the account's monitored message streams (not free text) and scales the ladder by them.
Gmail sends no complaint per message; its Postmaster Tools spam rate is an input (hold from 0.10%, step
back from 0.30%: facts/deliverability.md). Each stage says which recipients it goes to, most engaged first."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from planning import warmup
from planning.models import DEFAULT_SPLIT, DailyActual, WarmupPlan
from tests.deliverability.factories import MessageStreamFactory, MonitoredTargetFactory
from tests.helpers import messages_of, text, visible_text
from tests.planning.conftest import provider_row
from tests.planning.factories import WarmupPlanFactory, send_as_planned

pytestmark = pytest.mark.usefixtures("a_fixed_day")  # MISSION: DLV-1 (a warm-up day is the account's day)

WARMUP = "/a/acme/warmup/"
SHARES = {"gmail": "40", "microsoft": "25", "yahoo": "15", "apple": "10", "other": "10"}


def plan_form(**changes) -> dict:
    shares = {f"share_{p}": v for p, v in SHARES.items()} | {f"cap_{p}": "" for p in SHARES}
    form = {"name": "Marketing IPs", "template": "ses", "start_date": "2027-05-10", "target_daily": "200000",
            "custom_start": "", "custom_growth": "", "notes": ""}  # fmt: skip
    return shares | form | changes


def stream_with_ips(account, n: int, name: str = "marketing"):
    """A monitored message stream of the account with ``n`` sending IPs (and a From domain, not counted)."""
    stream = MessageStreamFactory(account=account, name=name)
    for _ in range(n):
        MonitoredTargetFactory(account=account, stream=stream)
    MonitoredTargetFactory(account=account, domain=True)
    return stream


# --- the pure rules ---------------------------------------------------------------------------------------


def test_a_pool_sends_each_ips_schedule_times_its_ips():
    """SES's 50,000 a day is per IP: four IPs reach 200,000 a day, starting at four times SES's first day."""
    pool = warmup.pool_curve("ses", 200_000, 4)
    per_ip = warmup.curve("ses", 50_000)
    assert pool == [volume * 4 for volume in per_ip]
    assert pool[0] == 2_000 and pool[-1] == 200_000
    assert warmup.pool_ceiling("ses", 4) == 200_000 and warmup.pool_ceiling("ses", 0) == 50_000
    assert warmup.pool_curve("sparkpost", 1_000, 1) == warmup.curve("sparkpost", 1_000)


def test_mailgun_has_fifteen_stages_scaled_to_the_expected_volume():
    stages = warmup.curve("mailgun", 100_000)
    assert len(stages) == 15 and stages[0] == 200 and stages[-1] == 100_000
    assert stages == sorted(stages)
    assert warmup.ceiling("mailgun") is None  # it grows to the volume the sender expects


@pytest.mark.parametrize(
    ("spam_rate", "decision"),
    [(None, "advance"), (0.09, "advance"), (0.10, "hold"), (0.29, "hold"), (0.30, "step_back")],
)
def test_gmails_spam_rate_holds_from_0_1_and_steps_back_from_0_3_percent(spam_rate, decision):
    day = warmup.Day(date(2027, 5, 3), 1_000, 1_000, spam_rate=spam_rate)
    assert warmup.decide(1_000, day, day_number=5)[0] == decision


def test_the_most_engaged_recipients_go_first():
    assert warmup.segment(500, 200_000) == "engaged_30"
    assert warmup.segment(60_000, 200_000) == "engaged_90"
    assert warmup.segment(140_000, 200_000) == "engaged_180"
    assert warmup.segment(200_000, 200_000) == "older_chunks"


# --- the pages --------------------------------------------------------------------------------------------


def test_a_plan_warms_the_ips_of_the_streams_chosen_and_its_ladder_is_per_ip(client, world):
    """Issue 17: SES stops at 50,000 a day per IP; a pool of four IPs reaches 200,000 (the form accepted
    only free text about IPs, and refused the target or warned that the plan ends at 50,000)."""
    stream = stream_with_ips(world.acme, 4)
    client.force_login(world.tina)
    response = client.post(f"{WARMUP}new/", plan_form(sending_streams=[stream.pk]))
    plan = WarmupPlan.objects.get()
    assert response.status_code == 302 and list(plan.sending_streams.all()) == [stream]
    page = visible_text(client.get(plan.get_absolute_url()))
    assert "Warming 4 IPs; the schedule is per IP, so each stage's volume is the per-IP volume times 4" in page
    assert "198.18." in page and "streams: marketing" in page
    assert "stops at" not in page
    stages = text(client.get(plan.get_absolute_url()))
    first = visible_text(re.search(r'<tr data-testid="stage-1">.*?</tr>', stages, re.S).group(0))
    assert first == "1 2,000 500 Most engaged only: opened or clicked in the last 30 days"
    last = visible_text(re.findall(r'<tr data-testid="stage-\d+">.*?</tr>', stages, re.S)[-1])
    assert last.endswith("200,000 50,000 Add older, less engaged recipients, in chunks of 10–25%")


def test_a_target_above_what_the_streams_ips_reach_is_refused(client, world):
    stream = stream_with_ips(world.acme, 2)
    client.force_login(world.tina)
    response = client.post(f"{WARMUP}new/", plan_form(target_daily="150000", sending_streams=[stream.pk]))
    assert "Amazon SES stops at 50,000 a day per IP, 100,000 for these 2 IPs" in visible_text(response)
    assert not WarmupPlan.objects.exists()


def test_another_accounts_stream_cannot_be_chosen(client, world):
    theirs = stream_with_ips(world.globex, 4)
    client.force_login(world.tina)
    response = client.post(f"{WARMUP}new/", plan_form(target_daily="50000", sending_streams=[theirs.pk]))
    assert response.status_code == 200 and not WarmupPlan.objects.exists()
    assert "198.18." not in visible_text(client.get(f"{WARMUP}new/"))  # not even offered


def test_a_plan_without_ips_says_its_ladder_is_one_ips(client, world, acme_plan):
    client.force_login(world.alice)
    page = visible_text(client.get(acme_plan.get_absolute_url()))
    assert "No sending IPs are known for this plan: the ladder is the schedule of one IP." in page


def test_a_mailgun_plan_can_be_made(client, world):
    client.force_login(world.tina)
    client.post(f"{WARMUP}new/", plan_form(template="mailgun", target_daily="100000"))
    plan = WarmupPlan.objects.get()
    assert plan.template == "mailgun" and plan.base_curve()[-1] == 100_000 and len(plan.base_curve()) == 15


def test_gmail_has_no_per_message_complaints_and_its_spam_rate_is_an_input(client, world, acme_plan):
    """Issue 17: Gmail's complaint signal is not a per-message feedback loop: the page says so until the
    Postmaster Tools spam rate arrives; a day at 0.15% (Polish Excel: "0,15") holds Gmail and says why."""
    send_as_planned(acme_plan, 6)
    client.force_login(world.alice)
    page = visible_text(client.get(acme_plan.get_absolute_url()))
    assert "Gmail sends no complaint report for each message (it has no per-message feedback loop)" in page
    day = (acme_plan.start_date + timedelta(days=6)).isoformat()
    body = f"\ufeffDate;Provider;Sent;Delivered;Spam_rate\n{day};gmail;1000;1000;0,15\n{day};yahoo;400;400;\n"
    upload = SimpleUploadedFile("a.csv", body.encode(), content_type="text/csv")
    response = client.post(f"{acme_plan.get_absolute_url()}actuals/", {"file": upload}, follow=True)
    assert "2 rows saved." in messages_of(response)
    assert DailyActual.objects.get(plan=acme_plan, day=day, provider="gmail").spam_rate == Decimal("0.15")
    assert DailyActual.objects.get(plan=acme_plan, day=day, provider="yahoo").spam_rate is None
    response = client.get(acme_plan.get_absolute_url())
    assert provider_row(response, "gmail").startswith("Gmail Hold")
    assert "Spam rate in Postmaster Tools at 0.15% (hold from 0.10%, step back from 0.30%)" in provider_row(
        response, "gmail"
    )
    assert "no per-message feedback loop" not in visible_text(response)


def test_a_spam_rate_that_is_not_a_percentage_is_refused_by_line(client, world, acme_plan):
    client.force_login(world.alice)
    day = acme_plan.start_date.isoformat()
    upload = SimpleUploadedFile("a.csv", f"date,provider,sent,spam_rate\n{day},gmail,100,lots\n".encode())
    response = client.post(f"{acme_plan.get_absolute_url()}actuals/", {"file": upload}, follow=True)
    assert "Line 2: spam_rate: “lots” is not a percentage like 0.08." in messages_of(response)
    assert not DailyActual.objects.exists()


def test_the_plan_pages_ask_one_query_for_the_ips_of_any_number_of_plans(client, world, django_assert_max_num_queries):
    for n in range(3):
        plan = WarmupPlanFactory(account=world.acme, name=f"Pool {n}")
        plan.sending_streams.set([stream_with_ips(world.acme, 2, name=f"s{n}")])
    client.force_login(world.alice)
    client.get(WARMUP)
    plan = WarmupPlanFactory(account=world.acme, name="Pool 4")
    plan.sending_streams.set([stream_with_ips(world.acme, 2, name="s4")])
    with django_assert_max_num_queries(30) as counted:
        client.get(WARMUP)
    ip_queries = [q for q in counted.captured_queries if "deliverability_monitoredtarget" in q["sql"]]
    assert len(ip_queries) == 1


def test_a_polish_reader_sees_the_ips_and_the_segments_in_polish(client, world):
    plan = WarmupPlanFactory(account=world.acme, template="ses", target_daily=100_000)
    plan.sending_streams.set([stream_with_ips(world.acme, 2)])
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    client.force_login(world.alice)
    page = visible_text(client.get(plan.get_absolute_url()))
    assert "Rozgrzewane są 2 adresy IP" in page
    assert "Tylko najbardziej zaangażowani: otworzyli lub kliknęli w ostatnich 30 dniach" in page


def admin_plan(account, streams, **changes) -> dict:
    data = {"account": account.pk, "name": "Pool", "template": "ses", "start_date": "2027-05-10",
            "target_daily": "200000", "custom_start": "", "custom_growth": "", "ips": "", "streams": "",
            "providers": json.dumps(DEFAULT_SPLIT), "status": "active", "notes": "",
            "created_by": account.primary_tam.pk,
            "sending_streams": [s.pk for s in streams], "actuals-TOTAL_FORMS": "0", "actuals-INITIAL_FORMS": "0",
            "actuals-MIN_NUM_FORMS": "0", "actuals-MAX_NUM_FORMS": "1000"}  # fmt: skip
    return data | changes


def test_the_admin_checks_the_target_against_the_streams_ips_and_the_account(client, world):
    ours, theirs = stream_with_ips(world.acme, 4), stream_with_ips(world.globex, 4, name="other")
    client.force_login(world.root)
    response = client.post("/admin/planning/warmupplan/add/", admin_plan(world.acme, [theirs]))
    assert response.status_code == 200 and "Choose message streams of the plan's account." in visible_text(response)
    response = client.post("/admin/planning/warmupplan/add/", admin_plan(world.acme, [ours], target_daily="250000"))
    assert "Amazon SES stops at 50,000 a day per IP, 200,000 for these 4 IPs" in visible_text(response)
    response = client.post("/admin/planning/warmupplan/add/", admin_plan(world.acme, [ours]))
    assert response.status_code == 302, visible_text(response)[:2000]
    assert WarmupPlan.objects.get().ip_count() == 4
