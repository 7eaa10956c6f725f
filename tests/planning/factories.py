"""Warm-up plans and their actuals (MISSION: DLV-1)."""

from datetime import timedelta

import factory
from factory.django import DjangoModelFactory

from planning import warmup
from planning.models import DEFAULT_SPLIT, DailyActual, WarmupPlan
from tests.accounts.factories import AccountFactory


class WarmupPlanFactory(DjangoModelFactory):
    """A SendGrid ramp to 200,000 a day with the default split, started ten days ago."""

    class Meta:
        model = WarmupPlan

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Marketing pool {n}")
    template = WarmupPlan.Template.SENDGRID
    start_date = factory.LazyAttribute(lambda o: o.account.today() - timedelta(days=10))
    target_daily = 200_000
    providers = factory.LazyFunction(lambda: [dict(row) for row in DEFAULT_SPLIT])
    created_by = factory.SelfAttribute("account.primary_tam")


class DailyActualFactory(DjangoModelFactory):
    class Meta:
        model = DailyActual

    plan = factory.SubFactory(WarmupPlanFactory)
    day = factory.SelfAttribute("plan.start_date")
    provider = "gmail"
    sent = 1_000
    delivered = 990
    bounced = 5
    complaints = 0
    deferrals = 0
    source = DailyActual.Source.API


def send_as_planned(plan, days: int, *, first: int = 0, **override) -> list[DailyActual]:
    """Clean days ``first`` .. ``first + days - 1`` for every provider of the plan, each sending the plan's
    volume for that day with no holds (its stages climbed at the daily caps); ``override`` maps a provider
    to a callable (day number, sent) -> changed fields for that day."""
    base = plan.base_curve()
    rows = []
    for share in plan.shares():
        volumes = warmup.climb(warmup.ladder(base, share))
        for n in range(first, first + days):
            sent = volumes[min(n, len(volumes) - 1)]
            fields = {"sent": sent, "delivered": sent, "bounced": 0, "complaints": 0, "deferrals": 0}
            if share.provider in override:
                fields |= override[share.provider](n, sent) or {}
            rows.append(
                DailyActual(plan=plan, day=plan.start_date + timedelta(days=n), provider=share.provider, **fields)
            )
    return DailyActual.objects.bulk_create(rows)
