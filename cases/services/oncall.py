"""The 24/7 Severity 1 rota (MISSION: CR-1): every shift added, changed or removed is audited, by whom,
so the rota cannot be emptied silently. Staff with the rota permissions (``accounts.roles``) manage it."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.audit import audit
from accounts.models import AuditEvent, User
from cases.models import OnCallShift

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
