from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can
from cases import search, transitions
from cases.email import verify
from cases.models import Case, CaseEvent
from core.text import to_json

from . import clocks, ledger, webhook_events

SIGNED_IN = (CaseEvent.Kind.OPENED, CaseEvent.Kind.REPLY, CaseEvent.Kind.NOTE, CaseEvent.Kind.PHONE_INTAKE)


_HELD: ContextVar[Case | None] = ContextVar("held_case", default=None)


@contextmanager
def holding(case: Case):
    """Within this block, ``case`` is the row-locked copy: the caller read it with ``Case.objects.for_change()``
    in the transaction the block runs in, so services under ``@locked`` change this very instance instead of
    reading the case again (inbound email locks the case it routes to as it finds it: one read less per reply,
    a tenth of its CPU time; issue 18). Should a service fail, the instance may hold its unsaved changes: the
    caller's transaction is rolled back with it and the instance is not used again."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("holding() needs the transaction in which the case was locked")
    token = _HELD.set(case)
    try:
        yield case
    finally:
        _HELD.reset(token)


def locked(service):
    """Run a service on a fresh, row-locked copy of the case (``SELECT ... FOR UPDATE``), so two people
    acting on one case at once are served one after the other, each seeing the other's result. The
    caller's instance is brought up to date afterwards; inside ``holding(case)`` the caller's instance is
    that copy already. The lock's atomic block is the service's transaction: a service under ``@locked``
    takes no ``@transaction.atomic`` of its own (a second, empty savepoint costs two statements on every
    change; issue 18)."""

    @wraps(service)
    def wrapper(*args, case: Case, **kwargs):
        with transaction.atomic():
            fresh = case if _HELD.get() is case else Case.objects.for_change().get(pk=case.pk)
            result = service(*args, case=fresh, **kwargs)
        if fresh is case:
            return result
        for field in Case._meta.concrete_fields:
            setattr(case, field.attname, getattr(fresh, field.attname))
        case._state.fields_cache = dict(fresh._state.fields_cache)
        return case if result is fresh else result

    return wrapper


def role_for(user, case: Case) -> str:
    """customer, staff (agents) or tam (the account's TAMs and superusers)."""
    if not user.is_staff:
        return transitions.CUSTOMER
    if user.is_superuser or (user.is_tam and can(user, "case.work", case.account)):
        return transitions.TAM
    return transitions.STAFF


def require_staff(user, message: str) -> None:
    if not user.is_staff:
        raise transitions.CaseStateError(message)


def check_access(actor, case: Case) -> None:
    """The one access rule (``accounts.access``), in the services themselves: customers act only on their own
    account's cases while it is open, staff only on the accounts they work on. (Views already answer 404;
    this guards every other caller.)"""
    if not can(actor, "case.work", case.account):
        raise transitions.CaseStateError(_("This case is not on an account you can work with."))


def record(case: Case, *, actor, kind: str, public: bool = True, body: str = "", **details) -> CaseEvent:
    """The timeline event of a change; every change an actor makes passes here, so access is checked here."""
    if actor is not None:
        check_access(actor, case)
        if kind in SIGNED_IN and details.get("channel") != Case.Channel.EMAIL:
            # How the author was known (issue 14); the email path replaces it with its sender's verdict.
            by_phone = kind == CaseEvent.Kind.PHONE_INTAKE or details.get("channel") == Case.Channel.PHONE
            how = verify.PHONE if by_phone else verify.PORTAL
            details.setdefault("sender", {"how": how, "text": to_json(verify.TEXTS[how])})
    event = CaseEvent.objects.create(case=case, actor=actor, kind=kind, public=public, body=body, details=details)
    if body or kind == CaseEvent.Kind.OPENED:  # what a case says changed: its search vectors follow (issue 15)
        search.index([case.pk])
    return event


def save(case: Case, fields: list[str], now=None) -> None:
    """Save the changed fields plus the derived clock fields and ``updated_at``."""
    now = now or timezone.now()
    fields = set(fields) | set(clocks.refresh(case, now)) | {"updated_at"}
    case.save(update_fields=sorted(fields))
    ledger.track(case, now)  # the SLA report's record of each deadline (issue 15)
    if "status" in fields:  # every status change is saved here: the account's webhooks hear of it
        webhook_events.case_status_changed(case)


def set_status(case: Case, target: str, *, actor, role: str, message: str) -> str:
    before = case.status
    transitions.check(before, target, role, message)
    case.status = target
    return before
