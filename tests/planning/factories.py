"""Warm-up plans and their actuals (MISSION: DLV-1); capacity, feature requests, reviews and migration plans
(MISSION: TAM-3, TAM-5). Dates are fixed days, never drawn relative to today (except the warm-up plan's start,
which is ten days before the account's today)."""

from datetime import UTC, date, datetime, timedelta

import factory
from factory.django import DjangoModelFactory

from planning import warmup
from planning.models import (
    DEFAULT_SPLIT,
    ActionItem,
    BusinessReview,
    CapacityRules,
    DailyActual,
    FeatureRequest,
    MigrationPlan,
    MigrationStream,
    Milestone,
    MonthlyForecast,
    PeakEvent,
    ReputationHold,
    SignatureHistory,
    SignOff,
    WarmupPlan,
)
from tests.accounts.factories import AccountFactory, UserFactory


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
        volumes = warmup.climb(warmup.ladder(base, share), cap=share.cap)
        for n in range(first, first + days):
            sent = volumes[min(n, len(volumes) - 1)]
            fields = {"sent": sent, "delivered": sent, "bounced": 0, "complaints": 0, "deferrals": 0}
            if share.provider in override:
                fields |= override[share.provider](n, sent) or {}
            rows.append(
                DailyActual(plan=plan, day=plan.start_date + timedelta(days=n), provider=share.provider, **fields)
            )
    return DailyActual.objects.bulk_create(rows)


# --- capacity (MISSION: TAM-5) -------------------------------------------------------------------------


class CapacityRulesFactory(DjangoModelFactory):
    class Meta:
        model = CapacityRules


class MonthlyForecastFactory(DjangoModelFactory):
    class Meta:
        model = MonthlyForecast

    account = factory.SubFactory(AccountFactory)
    month = date(2027, 1, 1)
    volume = 3_000_000


class PeakEventFactory(DjangoModelFactory):
    class Meta:
        model = PeakEvent

    account = factory.SubFactory(AccountFactory)
    name = "Black Friday"
    day = date(2026, 11, 27)
    daily_volume = 400_000


# --- feature requests and business reviews (MISSION: TAM-5) --------------------------------------------


class FeatureRequestFactory(DjangoModelFactory):
    class Meta:
        model = FeatureRequest

    account = factory.SubFactory(AccountFactory)
    title = factory.Sequence(lambda n: f"Webhook for opens, take {n}")
    created_by = factory.SubFactory(UserFactory)


class BusinessReviewFactory(DjangoModelFactory):
    class Meta:
        model = BusinessReview

    account = factory.SubFactory(AccountFactory)
    held_on = date(2026, 10, 6)
    created_by = factory.SelfAttribute("account.primary_tam")


class ActionItemFactory(DjangoModelFactory):
    class Meta:
        model = ActionItem

    review = factory.SubFactory(BusinessReviewFactory)
    title = "Send the Q4 forecast"
    owner = "Customer"
    due_on = date(2026, 10, 20)


# --- migration plans (MISSION: TAM-3) ------------------------------------------------------------------


class MigrationPlanFactory(DjangoModelFactory):
    class Meta:
        model = MigrationPlan

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Move off the old provider {n}")
    previous_provider = "Old ESP"
    start_date = date(2027, 1, 4)
    created_by = factory.SelfAttribute("account.primary_tam")


class MigrationStreamFactory(DjangoModelFactory):
    class Meta:
        model = MigrationStream

    plan = factory.SubFactory(MigrationPlanFactory)
    name = "Newsletters"
    daily_volume = 100_000


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    plan = factory.SubFactory(MigrationPlanFactory)
    kind = Milestone.Kind.SPF_INCLUDE
    owner = "Customer"
    due_on = date(2027, 1, 11)


class SignOffFactory(DjangoModelFactory):
    """The TAM's sign-off of a migration plan."""

    class Meta:
        model = SignOff

    plan = factory.SubFactory(MigrationPlanFactory)
    side = "tam"
    user = factory.SelfAttribute("plan.account.primary_tam")


class SignatureHistoryFactory(DjangoModelFactory):
    """The customer's signature, cleared by the TAM's change after both sides signed."""

    class Meta:
        model = SignatureHistory

    plan = factory.SubFactory(MigrationPlanFactory)
    side = "customer"
    signed_by = factory.SubFactory(UserFactory)
    signed_at = datetime(2027, 1, 2, 9, 0, tzinfo=UTC)
    cleared_by = factory.SelfAttribute("plan.account.primary_tam")
    cleared_at = datetime(2027, 1, 3, 9, 0, tzinfo=UTC)
    changes = factory.LazyFunction(lambda: ["streams"])


class ReputationHoldFactory(DjangoModelFactory):
    class Meta:
        model = ReputationHold

    plan = factory.SubFactory(WarmupPlanFactory)
    provider = "microsoft"
    held = True
    day = factory.SelfAttribute("plan.start_date")
