"""Warm-up plans and their daily actuals (MISSION: DLV-1)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Account, ApiToken, AuditEvent, User
from planning import ingest
from planning.models import DailyActual, WarmupPlan

from . import announce
from .records import record


@transaction.atomic
def warmup_plan_create(*, account: Account, actor: User, plan: WarmupPlan, streams=()) -> WarmupPlan:
    """Save a new plan (validated by its form) for the account, warming the IPs of the monitored ``streams``
    (the account's own: the form offers no others)."""
    plan.account, plan.created_by = account, actor
    plan.save()
    plan.sending_streams.set([stream for stream in streams if stream.account_id == account.pk])
    record(plan, actor=actor, action="created", name=plan.name, target_daily=plan.target_daily,
           streams=[stream.name for stream in streams], ips=len(plan.sending_ips()))  # fmt: skip
    return plan


# Where a plan may go from where it is (MISSION: DLV-1): paused and resumed while it runs; completed once.
STATUS_MOVES = {
    WarmupPlan.Status.ACTIVE: {WarmupPlan.Status.PAUSED, WarmupPlan.Status.COMPLETED},
    WarmupPlan.Status.PAUSED: {WarmupPlan.Status.ACTIVE, WarmupPlan.Status.COMPLETED},
    WarmupPlan.Status.COMPLETED: set(),
}


@transaction.atomic
def warmup_plan_set_status(*, plan: WarmupPlan, actor: User, status: str) -> WarmupPlan:
    """A TAM pauses, resumes or completes a plan (the views check who may); audited with before and after."""
    plan = WarmupPlan.objects.select_for_update().get(pk=plan.pk)
    if status == plan.status:
        return plan
    if status not in STATUS_MOVES.get(plan.status, set()):
        raise ValidationError(_("A completed plan stays completed: make a new plan to warm again."))
    before, plan.status = plan.status, status
    plan.save(update_fields=["status"])
    record(plan, actor=actor, action="status", before=before, after=status)
    return plan


@transaction.atomic
def warmup_plan_update(*, plan: WarmupPlan, actor: User, changed: list[str], streams=None) -> WarmupPlan:
    """A plan's settings changed by a TAM (validated by its form); ``streams``: the monitored streams it warms
    (the account's own), or None to keep them."""
    plan.save()
    if streams is not None:
        plan.sending_streams.set([stream for stream in streams if stream.account_id == plan.account_id])
    record(plan, actor=actor, action="changed", fields=list(changed), ips=len(plan.sending_ips()))
    return plan


def _recorded(plan: WarmupPlan, outcome: ingest.Outcome, *, actor: User | None, source: str, before, **details):
    if outcome.saved:
        announce.announce_decisions(plan, before)  # issues 19, 20: a new hold or step back reaches the webhooks
        kind = AuditEvent.Kind.ACTUALS_RECORDED
        record(plan, actor=actor, action="saved", kind=kind, source=source, saved=outcome.saved,
               errors=len(outcome.errors), replaced=outcome.replaced, **details)  # fmt: skip
    return outcome


@transaction.atomic
def actuals_import_csv(*, plan: WarmupPlan, actor: User, text: str) -> ingest.Outcome:
    """A CSV upload: good rows kept, bad ones reported by line."""
    before = announce.decisions(plan)
    outcome = ingest.from_csv(plan, text)
    return _recorded(plan, outcome, actor=actor, source=DailyActual.Source.CSV, before=before)


@transaction.atomic
def actuals_import_json(*, plan: WarmupPlan, token: ApiToken, payload) -> ingest.Outcome:
    """Rows from the customer's pipeline, sent with an API token (no person: the token is named)."""
    before = announce.decisions(plan)
    outcome = ingest.from_json(plan, payload)
    return _recorded(plan, outcome, actor=None, source=DailyActual.Source.API, before=before, token=token.prefix)


@transaction.atomic
def actuals_edit(*, plan: WarmupPlan, actor: User, saved: list[DailyActual], removed: list[DailyActual]) -> None:
    """Actuals typed or removed by hand (the admin's inline, validated by its forms)."""
    for actual in saved:
        actual.plan = plan
        actual.save()
    days = sorted({a.day.isoformat() for a in [*saved, *removed]})
    for actual in removed:
        actual.delete()
    if saved or removed:
        kind = AuditEvent.Kind.ACTUALS_RECORDED
        record(plan, actor=actor, action="edited", kind=kind, source=DailyActual.Source.ADMIN, saved=len(saved),
               removed=len(removed), days=days)  # fmt: skip
