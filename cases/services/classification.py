"""Changing a case's severity or category (MISSION CR-0, NC-0, CR-2, CR-4): staff change it with a reason, or the
customer asks and staff accept or decline. Every change is on the timeline and in the audit trail, and the
clocks are recomputed from the rules of the new severity."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit
from accounts.models import AuditEvent
from cases import sla, transitions
from cases.models import Case, CaseEvent
from cases.notifications import notify
from cases.transitions import CaseStateError

from . import clocks
from .common import locked, record, require_staff, role_for, save

PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"


def _check(case: Case, severity: str, category: str, reason: str) -> None:
    if not case.is_open:
        raise CaseStateError(_("The case is resolved."))
    if severity not in Case.Severity.values or category not in Case.Category.values:
        raise CaseStateError(_("Choose a severity and a category."))
    if severity == Case.Severity.CRITICAL and category != Case.Category.BUG:
        # MISSION: CR-0 — a critical issue is a software bug causing sustained unavailability.
        raise CaseStateError(_("A critical case is a software bug; choose “Software bug” as its category."))
    if (severity, category) == (case.severity, case.category):
        raise CaseStateError(_("Nothing would change: choose another severity or category."))
    if not reason.strip():
        raise CaseStateError(_("Say why the severity or category should change."))


def pending_request(case: Case) -> CaseEvent | None:
    """The customer's request to change the severity or category that staff have not answered yet."""
    return (
        case.events.filter(kind=CaseEvent.Kind.CLASSIFICATION_REQUESTED, details__state=PENDING)
        .order_by("-created_at", "-id")
        .first()
    )


def recompute_clocks(case: Case, *, was_critical: bool, now: datetime) -> None:
    """The clocks a case owes under its new severity (``cases.sla``):
    - made critical: a response still owed is due within 15 minutes of the change (or sooner, if it already
      was); a paused one keeps at most 15 minutes; a case already answered and in work gets the update cadence;
    - made non-critical: the callback and update clocks stop; a response still owed (or never given) is due
      after the account's business-hours target counted from when it was first owed."""
    if case.is_critical == was_critical:
        return
    if case.is_critical:
        if case.response_due_at is not None:
            due = min(case.response_due_at, now + sla.CRITICAL_RESPONSE_TARGET)
            clocks.start_response(case, now)
            case.response_due_at = due
        elif case.response_paused_remaining is not None:
            case.response_paused_remaining = min(case.response_paused_remaining, sla.CRITICAL_RESPONSE_TARGET)
        elif case.status == Case.Status.IN_PROGRESS and case.updates_owed and case.next_update_due_at is None:
            clocks.start_updates(case, now)
        return
    started = case.response_started_at or now
    if case.callback_pending:
        case.callback_due_at = None
        started = case.created_at or now
    case.next_update_due_at = None
    never_answered = case.first_responded_at is None and case.status != Case.Status.WAITING_ON_CUSTOMER
    if case.response_due_at is not None or never_answered:
        clocks.start_response(case, started)


def _apply(case: Case, *, actor, severity: str, category: str, reason: str, request: CaseEvent | None) -> CaseEvent:
    now = timezone.now()
    before = {"severity": case.severity, "category": case.category}
    was_critical = case.is_critical
    case.severity, case.category = severity, category
    recompute_clocks(case, was_critical=was_critical, now=now)
    save(case, ["severity", "category", "callback_due_at", *clocks.CLOCK_FIELDS], now)
    after = {"severity": severity, "category": category}
    details = {"before": before, "after": after, **({"request": request.pk} if request else {})}
    event = record(case, actor=actor, kind=CaseEvent.Kind.CLASSIFICATION_CHANGED, body=reason.strip(), **details)
    audit(
        actor=actor,
        account=case.account,
        kind=AuditEvent.Kind.CASE_CLASSIFICATION_CHANGED,
        target=case,
        before=before,
        after=after,
        reason=reason.strip(),
    )
    # A case that became critical tells the TAMs at once, as a critical case does when it opens (MISSION: TAM-4).
    notify(case, event, extra_staff=case.account.active_tams() if case.is_critical and not was_critical else ())
    return event


@locked
def case_change_classification(*, case: Case, actor, severity: str, category: str, reason: str) -> Case:
    """Staff change the severity or category, with a reason (answering any pending request of the customer)."""
    require_staff(actor, _("Only staff change a case's severity or category."))
    _check(case, severity, category, reason)
    request = pending_request(case)
    if request is not None:
        wanted = (request.details.get("severity"), request.details.get("category"))
        _close_request(request, ACCEPTED if wanted == (severity, category) else DECLINED)
    _apply(case, actor=actor, severity=severity, category=category, reason=reason, request=request)
    return case


@locked
def case_request_classification(*, case: Case, actor, severity: str, category: str, reason: str) -> CaseEvent:
    """The customer asks for another severity or category; staff accept or decline it."""
    if role_for(actor, case) != transitions.CUSTOMER:
        raise CaseStateError(_("Staff change the severity or category directly."))
    _check(case, severity, category, reason)
    if pending_request(case) is not None:
        raise CaseStateError(_("A change you asked for is still waiting for our answer."))
    event = record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.CLASSIFICATION_REQUESTED,
        body=reason.strip(),
        severity=severity,
        category=category,
        before={"severity": case.severity, "category": case.category},
        state=PENDING,
    )
    case.save(update_fields=["updated_at"])
    notify(case, event)
    return event


@locked
def case_decide_classification(*, case: Case, actor, accept: bool, reason: str) -> Case:
    """Staff answer the customer's request: accepted (the change is made) or declined, with a reason."""
    require_staff(actor, _("Only staff answer a request to change the severity or category."))
    request = pending_request(case)
    if request is None:
        raise CaseStateError(_("There is no request to answer."))
    if not reason.strip():
        raise CaseStateError(_("Give the customer the reason."))
    if accept:
        severity, category = request.details["severity"], request.details["category"]
        _check(case, severity, category, reason)
        _close_request(request, ACCEPTED)
        _apply(case, actor=actor, severity=severity, category=category, reason=reason, request=request)
        return case
    _close_request(request, DECLINED)
    event = record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.CLASSIFICATION_DECLINED,
        body=reason.strip(),
        severity=request.details["severity"],
        category=request.details["category"],
        request=request.pk,
    )
    save(case, [])
    notify(case, event)
    return case


def _close_request(request: CaseEvent, state: str) -> None:
    request.details["state"] = state
    request.save(update_fields=["details"])
