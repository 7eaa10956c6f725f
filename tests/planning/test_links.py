"""What planning tells the other apps: the warm-up article recommended when a provider is held, and the
mediation request's "warm-up plan followed" precondition. MISSION: DLV-1, DLV-3, TAM-6."""

from datetime import date, timedelta

import pytest

from deliverability.mediation.services import preconditions
from deliverability.models import MediationRequest
from planning.models import DailyActual, WarmupPlan
from planning.recommendations import warmup_precondition
from tests.planning.factories import WarmupPlanFactory, send_as_planned

# Warm-up days are Acme's calendar days (Warsaw): every test here runs at noon there on 10 May.
pytestmark = pytest.mark.usefixtures("a_fixed_day")


def warm(world, **overrides):
    plan = WarmupPlanFactory(account=world.acme, start_date=date(2027, 5, 5))
    send_as_planned(plan, 5)  # 5 .. 9 May: every day up to yesterday
    return plan


def test_no_plan_the_tam_confirms(world):
    row = warmup_precondition(world.acme)
    assert row["ok"] is None and "your TAM confirms" in row["detail"]


def test_a_plan_followed_is_done_and_a_hold_is_open(world):
    plan = warm(world)
    assert warmup_precondition(world.acme) == {
        "ok": True, "detail": "The warm-up plan is followed: every provider is advancing.", "open": [],
    }  # fmt: skip
    last = DailyActual.objects.filter(plan=plan, provider="gmail").order_by("-day").first()
    DailyActual.objects.filter(pk=last.pk).update(deferrals=max(1, last.sent // 20))
    row = warmup_precondition(world.acme)
    assert row["ok"] is False and row["open"] and row["open"][0].startswith(f"{plan.name}: Gmail — ")
    request = MediationRequest(account=world.acme, ips=[], domains=[])
    assert {r["key"]: r["ok"] for r in preconditions(request)}["warmup"] is False


def test_idle_ips_must_be_warmed_again(world):
    plan = warm(world)
    WarmupPlan.objects.filter(pk=plan.pk).update(start_date=plan.start_date - timedelta(days=40))
    for actual in DailyActual.objects.filter(plan=plan).order_by("day"):  # the same days, 40 days earlier
        DailyActual.objects.filter(pk=actual.pk).update(day=actual.day - timedelta(days=40))
    row = warmup_precondition(world.acme)
    assert row["ok"] is False and any("to be warmed again" in item for item in row["open"])
