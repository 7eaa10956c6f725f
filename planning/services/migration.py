"""Migration plans, their milestones and sign-offs (MISSION: TAM-3)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, User
from planning.cutover import DEFAULT_MILESTONES, Stream
from planning.migration_timeline import authentication_due
from planning.models import MigrationPlan, MigrationStream, Milestone, SignOff

from .records import record


def _milestones(plan: MigrationPlan, account: Account) -> list[Milestone]:
    """The default milestones, due around the cut-over (the last day of the parallel run); authentication first,
    before the first message on the new IPs (the linked warm-up's first day when it starts earlier)."""
    cutover = plan.start_date + timedelta(days=plan.weeks * 7 - 1)
    auth = authentication_due(plan.start_date, plan.warmup_plan.start_date if plan.warmup_plan_id else None)
    tam = account.primary_tam.get_full_name() if account.primary_tam else "TAM"
    milestones = []
    for kind, offset, side in DEFAULT_MILESTONES:
        if offset == "auth":
            due = auth
        elif offset is None:
            due = cutover
        else:
            due = plan.start_date + timedelta(days=offset) if offset < 0 else cutover + timedelta(days=offset)
        milestones.append(
            Milestone(
                plan=plan,
                kind=kind,
                owner=account.name if side == "customer" else tam,
                owner_side=Milestone.Side.CUSTOMER if side == "customer" else Milestone.Side.PROVIDER,
                due_on=due,
            )
        )
    return milestones


@transaction.atomic
def migration_plan_create(
    *, account: Account, actor: User, plan: MigrationPlan, streams: list[Stream]
) -> MigrationPlan:
    """Save a new plan (validated by its form) with its streams and the default milestones."""
    plan.account, plan.created_by = account, actor
    plan.save()
    MigrationStream.objects.bulk_create(
        [MigrationStream(plan=plan, name=s.name, daily_volume=s.daily_volume) for s in streams]
    )
    Milestone.objects.bulk_create(_milestones(plan, account))
    record(plan, actor=actor, action="created", name=plan.name, streams=[s.name for s in streams])
    return plan


@transaction.atomic
def migration_plan_set_status(*, plan: MigrationPlan, actor: User, status: str) -> MigrationPlan:
    if status not in MigrationPlan.Status.values:
        raise ValidationError(_("Unknown status."))
    if status == plan.status:
        return plan
    before, plan.status = plan.status, status
    plan.save(update_fields=["status"])
    record(plan, actor=actor, action="status", before=before, after=status)
    return plan


@transaction.atomic
def migration_plan_sign(*, plan: MigrationPlan, actor: User, side: str, version: int | None = None) -> SignOff:
    """One side (the customer's account admin or the TAM) signs the plan, once. ``version``: the plan as the
    signer read it; if it was changed since, the signature would cover what they never saw, and is refused."""
    current = MigrationPlan.objects.select_for_update().values_list("version", flat=True).get(pk=plan.pk)
    if version is not None and version != current:
        raise ValidationError(_("The plan was changed since you opened it: read it again, then sign."))
    try:
        with transaction.atomic():
            signoff = SignOff.objects.create(plan=plan, side=side, user=actor)
    except IntegrityError as exc:
        raise ValidationError(_("This side has already signed the plan.")) from exc
    record(signoff, actor=actor, action="signed", side=side, plan=plan.name)
    return signoff


@transaction.atomic
def milestone_toggle(*, milestone: Milestone, actor: User) -> Milestone:
    """Mark a milestone done, or not done again, remembering who marked it and when. A customer cannot mark
    (or reopen) a milestone Email Enterprise owns. MISSION: TAM-3."""
    if not milestone.markable_by(actor):
        raise ValidationError(_("This milestone is Email Enterprise's: your TAM marks it done."))
    milestone.done_at = None if milestone.done_at else timezone.now()
    milestone.done_by = actor if milestone.done_at else None
    milestone.save(update_fields=["done_at", "done_by"])
    record(milestone, actor=actor, action="done" if milestone.done_at else "reopened", plan=milestone.plan.name)
    return milestone
