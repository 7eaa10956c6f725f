"""Capacity advice counts the IPs the account already has and how warm they are (issue 17, MISSION: TAM-5):
warmed IPs carry the rules' figure (never above their template's top), warming IPs what they send now, cold
IPs nothing; a volume above that asks for new IPs and the warm-up days still to climb."""

from datetime import date, timedelta

import pytest

from planning.capacity import COLD, UNKNOWN, WARMED, WARMING, IpWarmth, Peak, Rules, ramp_days, readiness, recommend
from planning.ip_warmth import ip_warmth
from planning.models import WarmupPlan
from planning.warmup import curve
from tests.deliverability.factories import MessageStreamFactory, MonitoredTargetFactory
from tests.helpers import visible_text
from tests.planning.factories import WarmupPlanFactory, send_as_planned

RULES = Rules()


def test_warmed_ips_carry_the_rules_figure_and_never_above_their_template_top():
    assert IpWarmth("198.18.0.1", state=WARMED).carries(RULES) == 3_500_000
    assert IpWarmth("198.18.0.1", state=WARMED, top=50_000).carries(RULES) == 50_000  # SES
    assert IpWarmth("198.18.0.1", state=WARMING, stage=5, daily=12_000).carries(RULES) == 12_000
    assert IpWarmth("198.18.0.1", state=COLD).carries(RULES) == 0


def test_two_warmed_ips_carry_a_peak_without_a_warm_up():
    ips = [IpWarmth("198.18.0.1", state=WARMED), IpWarmth("198.18.0.2", state=WARMED)]
    ready = readiness(ips, 6_000_000, 2, RULES)
    assert ready.ready and ready.now == 7_000_000 and ready.new_ips == 0 and ready.warmup_days == 0


def test_a_warming_ip_needs_only_the_rest_of_its_ramp():
    cold = readiness([IpWarmth("198.18.0.1")], 1_000_000, 1, RULES)
    warming = readiness([IpWarmth("198.18.0.1", state=WARMING, stage=20, daily=200_000)], 1_000_000, 1, RULES)
    assert cold.warmup_days == len(curve("sendgrid", 1_000_000))
    assert 0 < warming.warmup_days == ramp_days("sendgrid", 200_000, 1_000_000) < cold.warmup_days
    assert warming.new_ips == cold.new_ips == 0


def test_new_ips_are_counted_beside_the_ones_the_account_has():
    ips = [IpWarmth("198.18.0.1", state=WARMED)]
    ready = readiness(ips, 8_000_000, 3, RULES)  # 8M asks for 3 IPs: one is there and warm
    assert ready.new_ips == 2 and ready.share == 2_250_000  # what the warm one cannot carry, shared by two
    assert ready.warmup_days == len(curve("sendgrid", 2_250_000))
    no_ips = readiness([], 8_000_000, 3, RULES)
    assert no_ips.new_ips == 3 and no_ips.now == 0


def test_a_peak_the_warm_ips_carry_is_not_too_late():
    peak = Peak("Black Friday", date(2026, 11, 27), 3_000_000)
    today = date(2026, 11, 22)
    (advice,) = recommend([], [peak], RULES, today, existing=[IpWarmth("198.18.0.1", state=WARMED)]).peaks
    assert advice.lead_days == 0 and not advice.too_late and advice.ready.ready
    (cold,) = recommend([], [peak], RULES, today, existing=[IpWarmth("198.18.0.1")]).peaks
    assert cold.too_late and cold.lead_days == len(curve("sendgrid", 3_000_000))


@pytest.fixture
def acme_ips(world):
    """Acme's streams: two IPs in a completed plan, one warming in a running plan, one no plan covers."""
    done = MessageStreamFactory(account=world.acme, name="transactional")
    running = MessageStreamFactory(account=world.acme, name="marketing")
    MonitoredTargetFactory(account=world.acme, stream=done, value="198.18.0.1")
    MonitoredTargetFactory(account=world.acme, stream=done, value="198.18.0.2")
    MonitoredTargetFactory(account=world.acme, stream=running, value="198.18.0.3")
    MonitoredTargetFactory(account=world.acme, stream=None, value="198.18.0.4")
    today = world.acme.today()
    old = WarmupPlanFactory(account=world.acme, start_date=today - timedelta(days=30), status="completed")
    old.sending_streams.set([done])
    send_as_planned(old, 28)  # sent until two days ago: not idle
    plan = WarmupPlanFactory(account=world.acme, start_date=today - timedelta(days=7))
    plan.sending_streams.set([running])
    send_as_planned(plan, 7)
    return plan


def test_the_warmth_of_each_ip_is_read_from_the_plans(acme_ips, world):
    found = {ip.ip: ip for ip in ip_warmth(world.acme)}
    # the last IP may have sent for years or never: no plan says, so it is unknown, not cold
    assert [found[ip].state for ip in sorted(found)] == [WARMED, WARMED, WARMING, UNKNOWN]
    warming = found["198.18.0.3"]
    assert warming.stream == "marketing" and warming.stage >= 2
    yesterday = sum(a.sent for a in acme_ips.actuals.filter(day=world.acme.today() - timedelta(days=1)))
    assert warming.daily == yesterday


def test_an_ip_idle_for_more_than_30_days_is_cold_again(world):
    stream = MessageStreamFactory(account=world.acme, name="old")
    MonitoredTargetFactory(account=world.acme, stream=stream, value="198.18.0.9")
    old = WarmupPlanFactory(
        account=world.acme, start_date=world.acme.today() - timedelta(days=90), status=WarmupPlan.Status.COMPLETED
    )
    old.sending_streams.set([stream])
    send_as_planned(old, 20)  # last sent 70 days ago
    assert [ip.state for ip in ip_warmth(world.acme)] == [COLD]


def test_the_page_shows_the_ips_their_warmth_and_what_a_peak_still_needs(acme_ips, client, world):
    client.force_login(world.tina)
    day = (world.acme.today() + timedelta(days=20)).isoformat()
    client.post("/a/acme/capacity/", {"p-name": "Launch", "p-day": day, "p-daily_volume": "9000000"})
    page = visible_text(client.get("/a/acme/capacity/"))
    assert "198.18.0.1 transactional Warmed 3,500,000" in page
    assert "198.18.0.3 marketing Warming: stage" in page
    assert "198.18.0.4 — Unknown: no warm-up plan here —" in page
    assert "1 IP has no warm-up plan in the portal: how warm it is and what it carries are unknown" in page
    assert "Your IPs carry 7,002,592 a day now, not 9,000,000." in page  # two warmed, and the warming one
    # the three known IPs are what 9M asks for: the warming one takes the 2M the warmed two leave, from where it is
    warming = next(ip for ip in ip_warmth(world.acme) if ip.state == WARMING)
    days = ramp_days("sendgrid", warming.daily, 2_000_000)
    assert f"The warm-up to 2,000,000 a day per IP takes {days} days." in page and "new IP" not in page
    assert ("Only 20 days left" in page) == (days > 20)


def test_the_page_costs_the_same_queries_with_more_plans_and_ips(acme_ips, client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.tina)
    with CaptureQueriesContext(connection) as before:
        client.get("/a/acme/capacity/")
    for n in range(3):
        stream = MessageStreamFactory(account=world.acme, name=f"pool {n}")
        MonitoredTargetFactory(account=world.acme, stream=stream, value=f"198.18.1.{n}")
        plan = WarmupPlanFactory(account=world.acme, start_date=world.acme.today() - timedelta(days=5))
        plan.sending_streams.set([stream])
        send_as_planned(plan, 5)
    with CaptureQueriesContext(connection) as after:
        page = visible_text(client.get("/a/acme/capacity/"))
    assert "198.18.1.2 pool 2 Warming: stage" in page
    assert len(after) == len(before)
