"""Opening, assigning, status changes and joint resolution (MISSION NC-1, NC-4, NC-5, CR-3, CR-5, TAM-4)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can
from cases import transitions
from cases.models import Case, CaseEvent
from cases.notifications import notify
from cases.transitions import CaseStateError
from core.text import Msg, to_json

from . import clocks
from .common import locked, record, require_staff, role_for, save, set_status
from .files import attach


@locked
def case_assign(*, case: Case, actor, assignee) -> Case:
    """MISSION: NC-4 — the assigned agent has primary responsibility for contact with the customer."""
    require_staff(actor, _("Only staff assign cases."))
    if assignee is not None and not assignee.is_staff:
        raise CaseStateError(_("Cases are assigned to members of staff."))
    if assignee is not None and not can(assignee, "case.work", case.account):
        raise CaseStateError(_("%(name)s does not work on this account.") % {"name": assignee})
    if case.assignee_id == (assignee.pk if assignee else None):
        return case
    before = case.assignee.full_name if case.assignee_id else ""
    case.assignee = assignee
    save(case, ["assignee"])
    record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.ASSIGNED,
        public=False,
        before=before,
        after=assignee.full_name if assignee else "",
    )
    if assignee is not None and assignee.pk != actor.pk:
        notify(case, case.events.latest("created_at"), extra_staff=[assignee])
    return case


@locked
def case_start_work(*, case: Case, actor) -> Case:
    """Staff take up a new case, or resume one that was waiting on the customer (the paused clock resumes)."""
    require_staff(actor, _("Only staff start work on a case."))
    if case.status not in (Case.Status.NEW, Case.Status.WAITING_ON_CUSTOMER):
        raise CaseStateError(_("Work starts on a new case or one that waits on the customer."))
    now = timezone.now()
    was_waiting = case.status == Case.Status.WAITING_ON_CUSTOMER
    set_status(
        case,
        Case.Status.IN_PROGRESS,
        actor=actor,
        role=role_for(actor, case),
        message=_("The case cannot be moved to “in progress” now."),
    )
    if case.assignee_id is None:
        case.assignee = actor
    if was_waiting:
        clocks.resume_response(case, now)
        if case.updates_owed and case.next_update_due_at is None and (case.last_update_at or case.callback_done_at):
            clocks.start_updates(case, now)
    save(case, ["status", "assignee", *clocks.CLOCK_FIELDS], now)
    record(case, actor=actor, kind=CaseEvent.Kind.STATUS_CHANGED, status=case.status)
    return case


@locked
def case_wait_on_customer(*, case: Case, actor, body: str = "") -> Case:
    """MISSION: NC-3 — the customer provides what is needed; the response clock pauses meanwhile."""
    now = timezone.now()
    set_status(
        case,
        Case.Status.WAITING_ON_CUSTOMER,
        actor=actor,
        role=role_for(actor, case),
        message=_("The case cannot wait on the customer now."),
    )
    if body.strip():
        # MISSION: NC-2, NC-4 — asking the customer for information is a response, and its author owns the case.
        clocks.stop_response(case, now)
        if case.assignee_id is None:
            case.assignee = actor
    else:
        clocks.pause_response(case, now)
    case.next_update_due_at = None  # nothing to report while we wait for the customer's information
    save(case, ["status", "assignee", *clocks.CLOCK_FIELDS], now)
    event = record(case, actor=actor, kind=CaseEvent.Kind.STATUS_CHANGED, body=body.strip(), status=case.status)
    notify(case, event)
    return case


@locked
def case_mark_workaround(*, case: Case, actor, body: str, minutes: int | None = None, agreed_with: str = "") -> Case:
    """MISSION: CR-3, CR-4 — a critical case is worked 24/7 until it is resolved or a workaround is delivered.
    From the workaround on, updates follow the interval agreed with the customer then (``minutes``, with
    whom), or stop until the case is resolved when none is agreed: the 24/7 update clock does not run on."""
    require_staff(actor, _("Only staff deliver workarounds."))
    if not case.is_critical or not case.is_open:
        raise CaseStateError(_("A workaround milestone applies to open critical cases."))
    if not body.strip():
        raise CaseStateError(_("Describe the workaround."))
    if minutes is not None and not 5 <= minutes <= 7 * 24 * 60:
        raise CaseStateError(_("The interval must be between 5 minutes and 7 days."))
    if minutes is not None and not agreed_with.strip():
        raise CaseStateError(_("Say with whom the interval was agreed."))
    now = timezone.now()
    case.workaround_delivered_at = now
    details = {}
    if minutes is not None:
        case.update_interval, case.cadence_agreed_at = timedelta(minutes=minutes), now
        details = {"minutes": minutes, "agreed_with": agreed_with.strip()}
    if case.updates_owed and case.next_update_due_at is not None:
        clocks.start_updates(case, now)
    elif not case.updates_owed:
        case.next_update_due_at = None
    save(case, ["workaround_delivered_at", "cadence_agreed_at", *clocks.CLOCK_FIELDS], now)
    event = record(case, actor=actor, kind=CaseEvent.Kind.WORKAROUND_DELIVERED, body=body.strip(), **details)
    notify(case, event)
    return case


@locked
def case_propose_resolution(*, case: Case, actor, summary: str) -> Case:
    """MISSION: NC-5, CR-5 — staff propose; the customer decides."""
    require_staff(actor, _("Only staff propose a resolution."))
    if not summary.strip():
        raise CaseStateError(_("Summarise the resolution for the customer."))
    now = timezone.now()
    set_status(
        case,
        Case.Status.RESOLUTION_PROPOSED,
        actor=actor,
        role=role_for(actor, case),
        message=_("A resolution cannot be proposed from “%(status)s”.") % {"status": case.get_status_display()},
    )
    if case.response_due_at is not None:
        clocks.stop_response(case, now)
    case.next_update_due_at = None
    case.resolution_proposed_at, case.resolution_reminder_sent_at = now, None
    save(case, ["status", "resolution_proposed_at", "resolution_reminder_sent_at", *clocks.CLOCK_FIELDS], now)
    event = record(case, actor=actor, kind=CaseEvent.Kind.RESOLUTION_PROPOSED, body=summary.strip())
    notify(case, event)
    return case


@locked
def case_accept_resolution(*, case: Case, actor) -> Case:
    if actor.is_staff:
        raise CaseStateError(_("The customer accepts a resolution; a TAM may record agreement given by phone."))
    set_status(
        case,
        Case.Status.RESOLVED,
        actor=actor,
        role=transitions.CUSTOMER,
        message=_("There is no proposed resolution to accept."),
    )
    _close(case)
    event = record(case, actor=actor, kind=CaseEvent.Kind.RESOLUTION_ACCEPTED)
    notify(case, event)
    return case


@locked
def case_record_agreement(*, case: Case, actor, note: str) -> Case:
    """A TAM records that the customer agreed by phone (audited, with a note)."""
    if role_for(actor, case) != transitions.TAM:
        raise CaseStateError(_("Only the account's TAM can record the customer's agreement."))
    if not note.strip():
        raise CaseStateError(_("Say who agreed, when and how."))
    set_status(
        case,
        Case.Status.RESOLVED,
        actor=actor,
        role=transitions.TAM,
        message=_("There is no proposed resolution to agree to."),
    )
    _close(case)
    event = record(case, actor=actor, kind=CaseEvent.Kind.AGREEMENT_RECORDED, body=note.strip())
    notify(case, event)
    return case


def _close(case: Case) -> None:
    now = timezone.now()
    clocks.stop_all(case)
    case.resolved_at = now
    save(case, ["status", "resolved_at", *clocks.CLOCK_FIELDS], now)


@locked
def case_reject_resolution(*, case: Case, actor, reason: str) -> Case:
    reject_proposal(case, actor=actor, reason=reason)
    return case


def reject_proposal(
    case: Case, *, actor, reason: str, files=(), from_address="", quoted="", strict_files=True, sender_check=None
) -> CaseEvent:
    """The customer says no to a proposed resolution: with the button, or by writing back (portal or email),
    whose text is the reason. ``actor`` is None for a contact without a login writing by email. Runs inside
    the caller's locked transaction."""
    if not reason.strip() and not files:
        raise CaseStateError(_("Tell us what is still wrong."))
    if actor is None and not from_address:
        raise CaseStateError(_("A reply needs an author."))
    role = role_for(actor, case) if actor is not None else transitions.CUSTOMER
    if role != transitions.CUSTOMER:
        raise CaseStateError(_("Only the customer rejects a proposed resolution."))
    _back_to_work(case, actor=actor, role=role, message=_("There is no proposed resolution to reject."))
    details = {"from_address": from_address} if from_address else {}
    if quoted:
        details["quoted"] = quoted[:20000]
    details |= {"sender": sender_check} if sender_check else {}  # how an email's sender was verified (issue 14)
    event = record(case, actor=actor, kind=CaseEvent.Kind.RESOLUTION_REJECTED, body=reason.strip(), **details)
    refused = attach(case, event, actor, files, strict=strict_files)
    if refused:
        event.details["refused_attachments"] = refused
        event.save(update_fields=["details"])
    if actor is not None:
        case.followers.add(actor)
    notify(case, event)
    return event


@locked
def case_reopen(*, case: Case, actor, reason: str | Msg, from_address: str = "") -> Case:
    """Reopen a resolved case. ``actor`` is None for a contact without a login writing by email. ``reason`` is
    what a person wrote, or a message when the portal reopens it (a reply by email), shown translated."""
    if not str(reason).strip():
        raise CaseStateError(_("Say why the case is reopened."))
    if actor is None and not from_address:
        raise CaseStateError(_("Say who reopens the case."))
    if case.is_merged:  # issue 15: the conversation goes on in the case it was merged into
        raise CaseStateError(_("This case was merged into %(number)s.") % {"number": case.merged_into.number})
    _back_to_work(
        case,
        actor=actor,
        role=role_for(actor, case) if actor is not None else transitions.CUSTOMER,
        message=_("Only a resolved case can be reopened."),
        expected=Case.Status.RESOLVED,
    )
    case.resolved_at = None
    case.save(update_fields=["resolved_at"])
    details = {"from_address": from_address} if from_address else {}
    if isinstance(reason, Msg):
        details["text"], reason = to_json(reason), ""
    event = record(case, actor=actor, kind=CaseEvent.Kind.REOPENED, body=reason.strip(), **details)
    notify(case, event)
    return case


def _back_to_work(case: Case, *, actor, role: str, message: str, expected: str = Case.Status.RESOLUTION_PROPOSED):
    if case.status != expected:
        raise CaseStateError(message)
    now = timezone.now()
    set_status(case, Case.Status.IN_PROGRESS, actor=actor, role=role, message=message)
    case.resolution_proposed_at = None
    if role == transitions.CUSTOMER:
        clocks.start_response(case, now)
    if case.updates_owed:
        clocks.start_updates(case, now)
    save(case, ["status", "resolution_proposed_at", *clocks.CLOCK_FIELDS], now)
