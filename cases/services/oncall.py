"""The 24/7 Severity 1 rota (MISSION: CR-1): every shift added, changed or removed is audited, by whom,
so the rota cannot be emptied silently. Staff with the rota permissions (``accounts.roles``) manage it."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts import notify as mail
from accounts.access import can
from accounts.audit import audit
from accounts.models import AuditEvent, StaffRole, User
from cases.models import Case, CaseEvent, OnCallShift
from cases.notifications import notify
from core.text import Msg, to_json

from .common import record

# How far ahead the console shows gaps in the rota.
ROTA_LOOKAHEAD = timedelta(days=14)
HANDOVER_TEXT = gettext_noop("Handed over at the shift change: %(before)s is off shift, %(after)s is on duty.")
ROTA_PERMISSIONS = ("cases.add_oncallshift", "cases.change_oncallshift", "cases.delete_oncallshift")


def can_manage_rota(user: User) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perms(ROTA_PERMISSIONS))


def _shift_details(shift: OnCallShift) -> dict:
    return {"agent": shift.agent.email, "starts_at": shift.starts_at, "ends_at": shift.ends_at}


@transaction.atomic
def oncall_shift_save(*, shift: OnCallShift, actor: User, changed: list[str] | None = None) -> OnCallShift:
    """Add a shift, or save one changed by a form (``changed``: the fields the form changed)."""
    if not can_manage_rota(actor):
        raise PermissionDenied
    added = shift.pk is None
    if added:
        shift.created_by = actor
    shift.full_clean()
    shift.save()
    kind = AuditEvent.Kind.ONCALL_SHIFT_ADDED if added else AuditEvent.Kind.ONCALL_SHIFT_CHANGED
    extra = {} if added else {"changed": list(changed or [])}
    audit(actor=actor, account=None, kind=kind, target=shift, **_shift_details(shift), **extra)
    return shift


@transaction.atomic
def oncall_shift_remove(*, shift: OnCallShift, actor: User) -> None:
    if not can_manage_rota(actor):
        raise PermissionDenied
    audit(
        actor=actor,
        account=None,
        kind=AuditEvent.Kind.ONCALL_SHIFT_REMOVED,
        target=shift,
        **_shift_details(shift),
        handover_note=shift.handover_note,
    )
    shift.delete()


def _least_busy(agents: list, case: Case):
    """The on-duty agent who may work on the case's account and holds the fewest open critical cases."""
    allowed = [agent for agent in agents if can(agent, "case.work", case.account)]
    if not allowed:
        return None
    load = dict(
        Case.objects.open()
        .critical()
        .filter(assignee__in=allowed)
        .values_list("assignee")
        .annotate(n=Count("id"))
        .values_list("assignee", "n")
    )
    return min(allowed, key=lambda agent: (load.get(agent.pk, 0), agent.full_name, agent.pk))


def critical_cases_hand_over(now=None) -> int:
    """MISSION: CR-3, NC-4 — a critical case is worked around the clock: at a shift change, the open critical
    cases of an agent who is now off shift go to an agent on duty (the least busy). Each move is on the case's
    staff timeline and the audit trail, and the new assignee is told. Idempotent: a case whose assignee is on
    duty is left alone. Returns how many cases were handed over."""
    now = now or timezone.now()
    on_duty = OnCallShift.objects.agents_on_duty(now)
    if not on_duty:
        return 0  # a gap in the rota: nobody to hand over to (the TAMs and every agent are paged instead)
    stranded = (
        Case.objects.open()
        .critical()
        .filter(assignee__staff_role=StaffRole.AGENT)
        .exclude(assignee__in=[agent.pk for agent in on_duty])
        .values_list("pk", flat=True)
    )
    moved = 0
    for pk in list(stranded[:500]):
        moved += _hand_over(pk, on_duty, now)
    return moved


@transaction.atomic
def _hand_over(pk: int, on_duty: list, now) -> int:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("account__primary_tam", "account__backup_tam", "assignee")
        .get(pk=pk)
    )
    before = case.assignee
    if not case.is_open or before is None or before.pk in {agent.pk for agent in on_duty}:
        return 0  # changed since it was listed
    after = _least_busy(on_duty, case)
    if after is None:
        return 0
    case.assignee = after
    case.save(update_fields=["assignee", "updated_at"])
    event = record(
        case,
        actor=None,
        kind=CaseEvent.Kind.ASSIGNED,
        public=False,
        before=before.full_name,
        after=after.full_name,
        handover=True,
        text=to_json(
            Msg(HANDOVER_TEXT, {"before": before.full_name, "after": after.full_name})
        ),  # shown in the reader's language
    )
    audit(
        actor=None,
        account=case.account,
        kind=AuditEvent.Kind.CASE_HANDED_OVER,
        target=case,
        before=before.email,
        after=after.email,
        at=now,
    )
    notify(case, event, extra_staff=[after])
    return 1


def rota_gap_warnings(now=None) -> int:
    """MISSION: CR-1 — the Severity 1 line is staffed 24/7: every active TAM and agent is told
    ``ROTA_GAP_WARN_HOURS`` before a period no shift covers begins, once per gap (the outbox's dedupe key is
    the gap's start). A gap already under way when first seen is told too. Returns how many gaps were told."""
    now = now or timezone.now()
    horizon = now + timedelta(hours=settings.ROTA_GAP_WARN_HOURS)
    # Looking back a day finds when a gap under way began, so its key does not move with every run.
    lookback = now - timedelta(days=1)
    gaps = [
        (start, end) for start, end in OnCallShift.objects.gaps(lookback, horizon) if end > now and start > lookback
    ]
    if not gaps:
        return 0
    staff = User.objects.filter(is_active=True, is_staff=True, staff_role__in=[StaffRole.TAM, StaffRole.AGENT])
    people = list(staff)
    told = 0
    for start, end in gaps:
        if end == horizon:  # the gap may go on past what was looked at: say how far it reaches in 14 days
            until = start + ROTA_LOOKAHEAD
            end = OnCallShift.objects.gaps(start, until)[0][1]
            end = None if end >= until else end  # "no shift planned in the next 14 days"
        with transaction.atomic():
            rows = mail.notify(
                kind="cases.rota_gap",
                recipients=people,
                template="cases/email/rota_gap",
                context={"start": start, "end": end, "now": now},
                link=reverse("oncall"),
                reference=f"rota-gap-{start.isoformat()}",
                dedupe=f"rota-gap:{start.isoformat()}",
            )
        told += bool(rows)
    return told
