"""What a routed inbound message becomes on a case: a reply (reopening a recently resolved case), a new case,
an internal note, a bounce record. ``ingest`` decides which; these write it through the case services."""

from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.access import can
from accounts.models import Account
from cases import limits, services
from cases.models import Case, CaseEvent, InboundMessage
from core.text import Msg, Text, _, join, to_json

from . import ids, verify
from .parse import Parsed


@dataclass
class Outcome:
    result: str  # created | appended | ignored | quarantined | failed
    case: str | None = None
    reason: Msg | Text | str = ""  # a message: stored on the InboundMessage, shown in the reader's language

    def as_dict(self) -> dict:
        """For logs and the command's output: the reason in the active language."""
        return {**asdict(self), "reason": str(self.reason)}


def sender_check(message: InboundMessage) -> dict | None:
    """How the message's sender was verified (issue 14), as the timeline entry it becomes keeps it: written
    with the entry in its one INSERT."""
    if not message.verified_by:
        return None
    return verify.Verdict(message.verified_how, message.verified_by).stamp()


def files_of(parsed: Parsed):
    return [ContentFile(a.data, name=a.name) for a in parsed.attachments]


def text_and_files(parsed: Parsed, empty: str) -> tuple[str, list, bool]:
    """The email's text as the timeline keeps it and its files; a text over ``limits.TEXT_MAX`` is cut and kept
    whole as one more file (issue 15: never lost). The last value says whether it was cut."""
    text, whole = limits.fit(parsed.text or empty)
    return text, [*files_of(parsed), *([whole] if whole else [])], whole is not None


def mark_cut(event: CaseEvent | None, cut: bool) -> None:
    """The timeline says the text was cut and the whole of it is attached."""
    if cut and event is not None:
        event.details["text_cut"] = limits.FULL_TEXT_NAME
        event.save(update_fields=["details"])


def deliver(
    message, parsed: Parsed, account: Account, case: Case | None, *, user=None, actor=None, automatic=()
) -> Outcome:
    sender = parsed.sender or ""
    # The sender acts as the portal user only on an account they belong to (or work on as staff); a person
    # with a login elsewhere who is a contact of this account writes here as that contact.
    author = user if user is not None and can(user, "case.work", account) else None
    if case is not None and not case.is_open:
        recent = case.resolved_at and timezone.now() - case.resolved_at <= timedelta(days=settings.CASE_REOPEN_DAYS)
        if recent:
            services.case_reopen(
                case=case,
                actor=author or actor,
                reason=_("Reply by email from %(sender)s") % {"sender": sender},
                from_address="" if (author or actor) else sender,
            )
        else:
            return new_case(message, parsed, account, author, sender, automatic, follows=case)
    if case is None:
        return new_case(message, parsed, account, author, sender, automatic)
    body, files, cut = text_and_files(parsed, "(no text)")
    event = services.case_reply(
        case=case,
        actor=author,
        body=body,
        files=files,
        from_address="" if author else sender,
        quoted=parsed.quoted,
        strict_files=False,
        sender_check=sender_check(message),
    )
    mark_cut(event, cut)
    message.account, message.case, message.event = account, case, event
    return Outcome("appended", case.number, _("reply added to the case"))


def new_case(message, parsed, account, author, sender, automatic, follows: Case | None = None) -> Outcome:
    critical_to = {a.lower() for a in settings.CASE_CRITICAL_ADDRESSES}
    addressed = {r.lower() for r in [*parsed.recipients, message.envelope_recipient or ""] if r}
    critical = bool(critical_to & addressed)
    subject = parsed.subject or "(no subject)"
    description, files, cut = text_and_files(parsed, "(the message has no text)")
    if follows is not None:
        description = f"Follow-up to {follows.number}.\n\n{description}"
    case = services.case_open(
        account=account,
        actor=author,
        subject=subject,
        description=description,
        severity=Case.Severity.CRITICAL if critical else Case.Severity.NON_CRITICAL,
        category=Case.Category.BUG if critical else Case.Category.INFORMATION,
        channel=Case.Channel.EMAIL,
        contact_email=sender if author is None else "",
        contact_name="" if author else sender,
        acknowledge=not automatic,
        files=files,
        strict_files=False,
        sender_check=sender_check(message),
    )
    event = case.opened_event
    mark_cut(event, cut)
    message.account, message.case, message.event = account, case, event
    if follows is not None:
        return Outcome("created", case.number, _("new case following up %(number)s") % {"number": follows.number})
    return Outcome("created", case.number, _("new case"))


def note(message: InboundMessage, parsed: Parsed, case: Case, author) -> Outcome:
    """Staff writing by email outside the customer's thread (issue 12): an internal note by that staff member.
    It is never sent or shown to the customer, stops no clock, and leaves a resolved case resolved."""
    body, files, cut = text_and_files(parsed, "(no text)")
    event = services.case_add_note(
        case=case,
        actor=author,
        body=body,
        files=files,
        strict_files=False,
        message_id=parsed.message_id,
        sender_check=sender_check(message),
    )
    mark_cut(event, cut)
    message.account, message.case, message.event = case.account, case, event
    return Outcome("appended", case.number, _("internal note added: staff wrote outside the customer's thread"))


def machine_note(message: InboundMessage, parsed: Parsed, case: Case, reasons) -> Outcome:
    """A machine-made message that threads onto a case: on the timeline for staff, nothing else (issue 15)."""
    from cases.services.automatic import case_record_machine_mail

    body, _files, _cut = text_and_files(parsed, "(no text)")  # a robot's long text: its beginning is enough
    event = case_record_machine_mail(
        case=case, sender=parsed.sender or "", body=body, reasons=list(reasons), sender_check=sender_check(message)
    )
    message.account, message.case, message.event = case.account, case, event
    return Outcome(
        "appended",
        case.number,
        _("machine-made message kept on the case for staff: %(reasons)s") % {"reasons": join(reasons)},
    )


def bounce(message: InboundMessage, parsed: Parsed) -> Outcome:
    for mid in parsed.report_original_ids:
        case_id = ids.case_id_from(mid)
        case = Case.objects.filter(pk=case_id).first() if case_id else None
        if case is not None:
            CaseEvent.objects.create(
                case=case,
                actor=None,
                kind=CaseEvent.Kind.BOUNCE,
                public=False,
                details={
                    "recipients": parsed.report_recipients,
                    "status": parsed.report_status,
                    "message_id": mid,
                    "text": to_json(  # the report's own words, or ours in the reader's language
                        Text(
                            [
                                ", ".join(parsed.report_recipients) or _("a recipient"),
                                ": ",
                                parsed.report_status or _("failed"),
                            ]
                        )
                    ),
                },
            )
            message.case, message.account = case, case.account
            return Outcome("ignored", case.number, _("bounce of our notification recorded on the case"))
    return Outcome("ignored", None, _("delivery status report not about our mail"))
