"""What mailbox providers' own data says about a warm-up, read by planning in one way
(deliverability/reputation/signals.py): Microsoft SNDS and Google Postmaster Tools each hold their provider
on the day their data is bad, for many plans of many accounts with one query, and a hold on a day with
actuals holds the volume too (no more than that day sent)."""

from datetime import date

import pytest

from deliverability.models import SndsDay
from deliverability.reputation import postmaster_signals
from deliverability.reputation.signals import signal_text, warmup_signals
from planning.models import WarmupPlan
from planning.status import plan_status
from tests.deliverability.factories import MessageStreamFactory, MonitoredTargetFactory
from tests.deliverability.postmaster.factories import PostmasterDayFactory
from tests.deliverability.snds.factories import SndsDayFactory
from tests.planning.factories import WarmupPlanFactory, send_as_planned

pytestmark = pytest.mark.django_db
START = date(2026, 11, 24)


def test_each_bad_day_of_a_domain_holds_gmail_that_day():
    def day(d, ratio, reputation="HIGH", domain="acme.example"):
        return PostmasterDayFactory.build(
            domain=domain, day=date(2026, 11, d), spam_ratio=ratio, domain_reputation=reputation
        )

    days = [
        day(10, 0.0020),  # before the plan, and 14 days before the 24th: too old to compare with
        day(24, 0.0012),  # first rate in 7 days: nothing to compare with
        day(25, 0.0015),  # rising from 0.10%: hold
        day(26, 0.0014),  # falling
        day(27, 0.0009, "LOW"),  # a LOW reputation holds whatever the rate
        day(28, 0.0013, domain="news.acme.example"),  # another domain: its own first rate
    ]
    assert postmaster_signals.hold_days(days, START) == {
        date(2026, 11, 25): [("gmail_spam_rising", "acme.example", 0.12, 0.15, date(2026, 11, 25))],
        date(2026, 11, 27): [("gmail_reputation", "acme.example", "LOW", date(2026, 11, 27))],
    }


def test_both_sources_for_every_plan_of_every_account_in_one_query(world, frozen, english, django_assert_num_queries):
    frozen("2026-12-01 13:00")
    stream = MessageStreamFactory(account=world.acme, name="marketing")
    MonitoredTargetFactory(account=world.acme, value="192.0.2.11", stream=stream)
    acme = WarmupPlanFactory(account=world.acme, start_date=START)
    acme.sending_streams.add(stream)
    globex = WarmupPlanFactory(account=world.globex, start_date=START)
    SndsDayFactory(account=world.acme, ip="192.0.2.11", target=stream.targets.get(), filter_result=SndsDay.Filter.RED)
    PostmasterDayFactory(account=world.acme, day=date(2026, 11, 29), domain_reputation="BAD")
    PostmasterDayFactory(account=world.globex, domain="globex.example", day=date(2026, 11, 28), spam_ratio=0.0010)
    PostmasterDayFactory(account=world.globex, domain="globex.example", day=date(2026, 11, 29), spam_ratio=0.0031)
    PostmasterDayFactory(account=world.globex, domain="globex.example", day=date(2026, 11, 1), domain_reputation="BAD")
    plans = list(WarmupPlan.objects.select_related("account").with_ips())
    with django_assert_num_queries(1):  # Postmaster Tools for both accounts; SNDS prefetched with the plans
        found = warmup_signals(plans)
    assert found[acme.pk] == {
        "microsoft": {date(2026, 11, 30): [("snds_red", "192.0.2.11")]},
        "gmail": {date(2026, 11, 29): [("gmail_reputation", "acme.example", "BAD", date(2026, 11, 29))]},
    }
    rising = ("gmail_spam_rising", "globex.example", 0.1, 0.31, date(2026, 11, 29))
    assert found[globex.pk] == {"gmail": {date(2026, 11, 29): [rising]}}  # 1 November: before the plan
    assert signal_text(rising) == (
        "Gmail spam rate for globex.example rising: 0.10% then 0.31% on 29 Nov (Postmaster Tools; hold from 0.10%)"
    )
    assert (
        signal_text(("snds_traps", "192.0.2.11", 1200)) == "Microsoft SNDS counted 1,200 spam-trap hits from 192.0.2.11"
    )
    assert warmup_signals([]) == {}


def test_a_bad_gmail_day_with_actuals_holds_the_next_volume(world, frozen, english):
    frozen("2026-12-01 13:00")
    plan = WarmupPlanFactory(account=world.acme, start_date=START)
    sent = send_as_planned(plan, 7)  # 24–30 November, every day clean
    clean = {row.provider: row for row in plan_status(plan).rows}["gmail"]
    assert clean.decision == "advance"
    PostmasterDayFactory(account=world.acme, day=date(2026, 11, 30), domain_reputation="LOW")
    held = {row.provider: row for row in plan_status(plan).rows}
    gmail = held["gmail"]
    last_sent = next(a.sent for a in sent if a.provider == "gmail" and a.day == date(2026, 11, 30))
    assert gmail.decision == "hold" and gmail.state.next_volume == last_sent < clean.state.next_volume
    assert gmail.reason == "Gmail domain reputation of acme.example is LOW on 30 Nov (Postmaster Tools)."
    assert [step.decision for step in gmail.state.steps].count("hold") == 1  # that day, from the actuals' own steps
    assert held["microsoft"].decision == "advance"
