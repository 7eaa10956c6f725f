"""The audit row of a planning change (which kind, which account), and the admin's saves and deletions of
planning records, which go through here like the pages' changes."""

from django.db import models, transaction

from accounts.audit import audit
from accounts.models import Account, AuditEvent, User
from planning.models import (
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
    SignOff,
    WarmupPlan,
)

K = AuditEvent.Kind
KINDS: dict[type[models.Model], str] = {
    WarmupPlan: K.WARMUP_PLAN_CHANGED,
    DailyActual: K.ACTUALS_RECORDED,
    MigrationPlan: K.MIGRATION_PLAN_CHANGED,
    MigrationStream: K.MIGRATION_PLAN_CHANGED,
    Milestone: K.MILESTONE_CHANGED,
    SignOff: K.MIGRATION_SIGNED,
    MonthlyForecast: K.CAPACITY_CHANGED,
    PeakEvent: K.CAPACITY_CHANGED,
    CapacityRules: K.CAPACITY_CHANGED,
    FeatureRequest: K.FEATURE_REQUEST_CHANGED,
    BusinessReview: K.REVIEW_CHANGED,
    ActionItem: K.ACTION_ITEM_CHANGED,
}


def account_of(obj: models.Model) -> Account | None:
    """The account a planning record belongs to (through its plan or review); the capacity rules have none."""
    for parent in ("plan", "review"):
        if hasattr(obj, parent + "_id"):
            return getattr(obj, parent).account
    return getattr(obj, "account", None)


def record(obj: models.Model, *, actor: User | None, action: str, kind: str = "", **details) -> AuditEvent:
    """The one audit row of a planning change: ``action`` is created, changed, removed, done, ..."""
    kind = kind or KINDS[type(obj)]
    return audit(actor=actor, account=account_of(obj), kind=kind, target=obj, action=action, **details)


@transaction.atomic
def planning_record_save(*, obj: models.Model, actor: User, changed: list[str]) -> models.Model:
    """A planning record added or changed in the admin (its form validated it); ``changed``: the fields."""
    created = obj.pk is None
    if created and hasattr(obj, "created_by_id") and obj.created_by_id is None:
        obj.created_by = actor
    obj.save()
    record(obj, actor=actor, action="created" if created else "changed", fields=list(changed))
    return obj


@transaction.atomic
def planning_record_remove(*, obj: models.Model, actor: User) -> None:
    record(obj, actor=actor, action="removed")
    obj.delete()
