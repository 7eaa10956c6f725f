"""Editing a migration plan (MISSION: TAM-3): its settings, streams, milestones and rollback criteria, in one
audited change. A form made from an older version is refused (someone else saved meanwhile: nothing is
overwritten). A change to a signed plan clears its signatures, keeps them in the history with what changed
after, and tells both sides to sign again."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import notify
from accounts.models import AuditEvent, User
from planning.cutover import Stream
from planning.models import MigrationPlan, MigrationStream, Milestone, SignatureHistory

from .records import record

# What changed, as stored (a key) and as shown (translated when read).
CHANGES = {
    "name": gettext_lazy("name"),
    "previous_provider": gettext_lazy("previous provider"),
    "start_date": gettext_lazy("first day on Email Enterprise"),
    "weeks": gettext_lazy("parallel run"),
    "warmup_plan": gettext_lazy("warm-up plan followed"),
    "rollback_criteria": gettext_lazy("rollback criteria"),
    "notes": gettext_lazy("notes"),
    "streams": gettext_lazy("streams"),
    "milestones": gettext_lazy("milestones"),
}
EDITABLE = ("name", "previous_provider", "start_date", "weeks", "warmup_plan", "rollback_criteria", "notes")
MILESTONE_FIELDS = ["kind", "title", "owner", "owner_side", "due_on"]


class StalePlan(ValidationError):
    """The plan was saved by someone else after this form was made."""


@dataclass
class MilestoneEdits:
    added: list[Milestone] = field(default_factory=list)  # not saved yet
    changed: list[Milestone] = field(default_factory=list)  # the plan's, with new values
    removed: list[Milestone] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def change_labels(keys: list[str]) -> list[str]:
    """What changed, in the reader's language."""
    return [str(CHANGES.get(key, key)) for key in keys]


# "rollback criteria, streams" in the language each email is rendered in
_listed = lazy(lambda keys: ", ".join(change_labels(keys)), str)


@transaction.atomic
def migration_plan_edit(
    *,
    plan: MigrationPlan,
    actor: User,
    version: int,
    values: dict,
    streams: list[Stream] | None = None,
    milestones: MilestoneEdits | None = None,
) -> list[str]:
    """Apply an edit made from ``version`` of the plan; returns what changed (keys of ``CHANGES``)."""
    locked = MigrationPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.version != version:
        raise StalePlan(
            _(
                "Someone else saved this plan while you were editing it. Nothing of yours was saved: your changes "
                "are still in the form below. Compare them with the plan as it is now, then save again."
            )
        )
    changed = [name for name in EDITABLE if name in values and getattr(locked, name) != values[name]]
    for name in changed:
        setattr(locked, name, values[name])
    if streams is not None and _set_streams(locked, streams):
        changed.append("streams")
    if milestones and _edit_milestones(locked, milestones, actor):
        changed.append("milestones")
    if not changed:
        return []
    locked.version += 1
    locked.save(update_fields=[name for name in changed if name in EDITABLE] + ["version"])
    record(locked, actor=actor, action="changed", fields=changed)
    _ask_to_sign_again(locked, actor, changed)
    plan.refresh_from_db()
    return changed


def _set_streams(plan: MigrationPlan, streams: list[Stream]) -> bool:
    before = sorted((s.name, s.daily_volume) for s in plan.streams.all())
    if before == sorted((s.name, s.daily_volume) for s in streams):
        return False
    plan.streams.all().delete()
    MigrationStream.objects.bulk_create(
        [MigrationStream(plan=plan, name=s.name, daily_volume=s.daily_volume) for s in streams]
    )
    return True


def _edit_milestones(plan: MigrationPlan, edits: MilestoneEdits, actor: User) -> bool:
    for milestone in edits.removed:
        if milestone.plan_id == plan.pk:
            record(milestone, actor=actor, action="removed", plan=plan.name)
            milestone.delete()
    for milestone in edits.changed:
        if milestone.plan_id == plan.pk:
            milestone.save(update_fields=MILESTONE_FIELDS)
            record(milestone, actor=actor, action="changed", plan=plan.name, owner=milestone.owner)
    for milestone in edits.added:
        milestone.plan = plan
        milestone.save()
        record(milestone, actor=actor, action="created", plan=plan.name, owner=milestone.owner)
    return bool(edits)


def _ask_to_sign_again(plan: MigrationPlan, actor: User, changed: list[str]) -> None:
    """A signature is for the plan as it was signed: a change clears it (kept in the history with what changed
    after) and both sides are told to sign again. MISSION: TAM-3."""
    signoffs = list(plan.signoffs.select_related("user"))
    if not signoffs:
        return
    now = timezone.now()
    SignatureHistory.objects.bulk_create(
        [
            SignatureHistory(
                plan=plan,
                side=s.side,
                signed_by=s.user,
                signed_at=s.signed_at,
                cleared_by=actor,
                cleared_at=now,
                changes=changed,
            )  # fmt: skip
            for s in signoffs
        ]
    )
    plan.signoffs.all().delete()
    record(plan, actor=actor, action="signatures_cleared", kind=AuditEvent.Kind.MIGRATION_SIGNED,
           sides=[s.side for s in signoffs], changes=changed)  # fmt: skip
    account = plan.account
    recipients = [p for p in [*account.active_tams(), *account.admin_users()] if p.pk != actor.pk]
    notify.notify(
        kind="planning.migration_resign",
        recipients=recipients,
        template="planning/email/resign",
        context={"account": account, "actor": actor, "plan": plan, "changes": _listed(changed)},
        link=reverse("migration-plan", kwargs={"slug": account.slug, "pk": plan.pk}),
        account=account,
        reference=f"migration-{plan.pk}",
        dedupe=f"planning:migration-resign:{plan.pk}:{plan.version}",
    )
