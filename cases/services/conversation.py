"""Replies, internal notes, callbacks and structured updates (MISSION NC-2..NC-4, CR-2, CR-4)."""

from datetime import datetime, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import limits, sla
from cases.models import Case, CaseEvent
from cases.notifications import notify
from cases.transitions import CaseStateError

from . import clocks
from .common import locked, record, require_staff, save
from .files import attach as _attach
from .lifecycle import reject_proposal


def _responded(case: Case, now: datetime, actor=None) -> list[str]:
    """A response by staff stops the response clock, moves a new case into work, and gives an unowned case
    its owner (MISSION NC-4: the assigned agent keeps the customer informed)."""
    fields = []
    if case.response_due_at is not None or case.first_responded_at is None:
        clocks.stop_response(case, now)
        fields += ["response_due_at", "response_paused_remaining", "first_responded_at"]
    if case.status == Case.Status.NEW:
        case.status = Case.Status.IN_PROGRESS
        fields.append("status")
    if case.assignee_id is None and actor is not None and actor.is_staff:
        case.assignee = actor
        fields.append("assignee")
    # The update cadence runs only while we work the case, not while it waits on the customer's answer.
    if (
        case.updates_owed
        and case.status == Case.Status.IN_PROGRESS
        and case.next_update_due_at is None
        and not case.callback_pending
    ):
        clocks.start_updates(case, now)
        fields.append("next_update_due_at")
    return fields


@locked
def case_reply(
    *,
    case: Case,
    actor,
    body: str,
    files=(),
    from_address: str = "",
    quoted: str = "",
    strict_files: bool = True,
    sender_check: dict | None = None,
) -> CaseEvent:
    """A public message. From staff it counts as a response; from the customer it may start a new one.
    ``actor`` is None for a contact without a portal login writing by email (``from_address``).
    ``sender_check``: how an email's sender was verified (issue 14), written with the event."""
    body = body.strip()
    if not body and not files:
        raise CaseStateError(_("Write a message or attach a file."))
    if limits.too_long(body):  # issue 15: the form says so first; the email path shortens first
        raise CaseStateError(limits.too_long(body))
    if not case.is_open:
        raise CaseStateError(_("This case is resolved. Reopen it to continue the conversation."))
    if actor is None and not from_address:
        raise CaseStateError(_("A reply needs an author."))
    by_customer = actor is None or not actor.is_staff
    if by_customer and case.status == Case.Status.RESOLUTION_PROPOSED:
        # MISSION: NC-5, CR-5 — an answer to a proposal in words is a "no", with those words as the reason.
        return reject_proposal(
            case,
            actor=actor,
            reason=body,
            files=files,
            from_address=from_address,
            quoted=quoted,
            strict_files=strict_files,
            sender_check=sender_check,
        )
    now = timezone.now()
    fields = _responded(case, now, actor) if not by_customer else _customer_wrote(case, now, actor)
    save(case, fields, now)
    details = {"from_address": from_address} if from_address else {}
    if quoted:
        details["quoted"] = quoted[:20000]
    if sender_check:
        details["sender"] = sender_check
    event = record(case, actor=actor, kind=CaseEvent.Kind.REPLY, body=body, **details)
    refused = _attach(case, event, actor, files, strict=strict_files)
    if refused:
        event.details["refused_attachments"] = refused
        event.save(update_fields=["details"])
    notify(case, event)
    return event


def _customer_wrote(case: Case, now, actor) -> list[str]:
    """The customer's message restarts what waits on us: the response clock, and the updates still owed."""
    fields: list[str] = []
    if case.status == Case.Status.WAITING_ON_CUSTOMER:
        case.status = Case.Status.IN_PROGRESS
        fields.append("status")
        if case.response_paused_remaining is not None:
            clocks.resume_response(case, now)
        else:
            clocks.start_response(case, now)
        if case.updates_owed and case.next_update_due_at is None and (case.last_update_at or case.callback_done_at):
            clocks.start_updates(case, now)
            fields.append("next_update_due_at")
    elif case.response_due_at is None and not case.callback_pending and case.status != Case.Status.NEW:
        clocks.start_response(case, now)
    if actor is not None:
        case.followers.add(actor)
    return fields + ["response_due_at", "response_paused_remaining"]


@locked
def case_add_note(
    *,
    case: Case,
    actor,
    body: str,
    files=(),
    strict_files: bool = True,
    message_id: str = "",
    sender_check: dict | None = None,
) -> CaseEvent:
    """An internal note: staff only, never shown or sent to the customer, not a response (no clock stops).
    By email (``message_id`` of the staff member's email, ``strict_files=False``) unacceptable attachments
    are listed instead of refusing the note."""
    require_staff(actor, _("Only staff write internal notes."))
    if not body.strip():
        raise CaseStateError(_("The note is empty."))
    details = {"message_id": message_id} if message_id else {}
    if sender_check:  # how the staff member's email was verified (issue 14)
        details["sender"] = sender_check
    event = record(case, actor=actor, kind=CaseEvent.Kind.NOTE, public=False, body=body.strip(), **details)
    refused = _attach(case, event, actor, files, strict=strict_files)
    if refused:
        event.details["refused_attachments"] = refused
        event.save(update_fields=["details"])
    case.save(update_fields=["updated_at"])
    notify(case, event)  # issue 15: the staff who follow the case (never the customer: the note is not public)
    return event


OUTCOMES = {  # lazy: rendered in the language of whoever reads them
    "reached": gettext_lazy("reached the contact"),
    "voicemail": gettext_lazy("left a voicemail"),
    "no_answer": gettext_lazy("no answer"),
    "wrong_number": gettext_lazy("wrong number"),
}


# How far ahead of the server's clock a logged call may be: the form's latency and a slightly fast PC clock.
CALLED_AT_TOLERANCE = timedelta(minutes=2)


def clock_start(case: Case) -> datetime:
    """The earliest moment a call about this case can have happened: when its callback clock started (a call
    to the Severity 1 line may come before the case is opened) or when the case opened."""
    starts = [case.created_at or timezone.now()]
    if case.callback_due_at is not None:
        starts.append(case.callback_due_at - sla.CALLBACK_TARGET)
    return min(starts)


def _check_called_at(case: Case, called_at: datetime, now: datetime) -> None:
    """MISSION: CR-2 — a logged call lies between the clock's start and now; anything else would mark a call
    "on time" that was not, rewind the update cadence and raise false breaches."""
    start = clock_start(case)
    if called_at > now + CALLED_AT_TOLERANCE:
        raise CaseStateError(_("A callback cannot be logged in the future."))
    if called_at < start - CALLED_AT_TOLERANCE:
        raise CaseStateError(
            _("The call cannot have been made before %(start)s, when this case's clock started.")
            % {"start": formats.date_format(timezone.localtime(start), "j M Y, H:i T")}
        )


def _rewinds_updates(case: Case, called_at: datetime) -> bool:
    return case.next_update_due_at is not None and called_at + case.update_interval < case.next_update_due_at


@locked
def case_log_callback(
    *,
    case: Case,
    actor,
    called_name: str,
    called_number: str,
    outcome: str,
    called_at: datetime | None = None,
    notes: str = "",
) -> CaseEvent:
    """MISSION: CR-2 — the 15-minute callback is met only by a logged call that reached the person
    (or left a voicemail). The log says who called whom, when, and the outcome."""
    require_staff(actor, _("Only staff log callbacks."))
    now = timezone.now()
    called_at = called_at or now
    if outcome not in OUTCOMES:
        raise CaseStateError(_("Choose the outcome of the call."))
    _check_called_at(case, called_at, now)
    if not called_name.strip() or not called_number.strip():
        raise CaseStateError(_("Say whom you called and on which number."))
    met = sla.counts_as_response(kind="callback_logged", public=True, by_staff=True, outcome=outcome)
    fields: list[str] = []
    if met:
        if case.callback_pending:
            case.callback_done_at = called_at
            fields.append("callback_done_at")
        fields += _responded(case, called_at, actor)
        # A call logged late restarts the cadence from the call, but never rewinds a later update deadline.
        if case.updates_owed and case.is_open and not _rewinds_updates(case, called_at):
            clocks.start_updates(case, called_at)
            fields.append("next_update_due_at")
    save(case, fields, now)
    event = record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.CALLBACK_LOGGED,
        body=notes.strip(),
        called_name=called_name.strip(),
        called_number=called_number.strip(),
        outcome=outcome,
        called_at=called_at.isoformat(),
        met=met,
        on_time=bool(case.callback_due_at and called_at <= case.callback_due_at),
    )
    notify(case, event)
    return event


@locked
def case_post_update(*, case: Case, actor, nature: str, expected_resolution: str, body: str = "") -> CaseEvent:
    """MISSION: CR-4 — each update states the nature of the problem and the expected time to resolution,
    and sets when the next update is due."""
    require_staff(actor, _("Only staff post status updates."))
    if not case.is_open:
        raise CaseStateError(_("The case is resolved."))
    if not nature.strip() or not expected_resolution.strip():
        raise CaseStateError(_("An update states the nature of the problem and the expected time to resolution."))
    now = timezone.now()
    fields = _responded(case, now, actor)
    case.last_update_at = now
    if case.updates_owed:
        clocks.start_updates(case, now)  # MISSION: CR-4 — the cadence is a promise on critical cases
    save(case, [*fields, "last_update_at", "next_update_due_at"], now)
    event = record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.UPDATE_POSTED,
        body=body.strip(),
        nature=nature.strip(),
        expected_resolution=expected_resolution.strip(),
    )
    notify(case, event)
    return event


@locked
def case_change_cadence(*, case: Case, actor, minutes: int, agreed_with: str) -> Case:
    """MISSION: CR-4 — the update interval is changed only by agreement, recorded with whom."""
    require_staff(actor, _("Only staff record an agreed update interval."))
    if not 5 <= minutes <= 24 * 60:
        raise CaseStateError(_("The interval must be between 5 minutes and 24 hours."))
    if not agreed_with.strip():
        raise CaseStateError(_("Say with whom the interval was agreed."))
    before = int(case.update_interval.total_seconds() // 60)
    now = timezone.now()
    case.update_interval, case.cadence_agreed_at = timedelta(minutes=minutes), now
    fields = ["update_interval", "cadence_agreed_at"]
    if case.next_update_due_at is not None:
        clocks.start_updates(case, case.last_update_at or case.callback_done_at or now)
        fields.append("next_update_due_at")
    elif case.workaround_delivered_at and case.updates_owed and case.status == Case.Status.IN_PROGRESS:
        clocks.start_updates(case, now)  # MISSION: CR-4 — after a workaround, updates resume only as agreed
        fields.append("next_update_due_at")
    save(case, fields)
    event = record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.CADENCE_CHANGED,
        before=before,
        after=minutes,
        agreed_with=agreed_with.strip(),
    )
    notify(case, event)
    return case
