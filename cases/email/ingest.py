"""Inbound email to cases: store the raw bytes first, then route them, idempotently.

Routing, in order (MISSION NC-1, CR-1; STYLE: tenant isolation):
1. Too large, unparseable, no single From → quarantined for staff.
2. Our own notification coming back (our Message-ID domain) → ignored.
3. A delivery status report about one of our notifications → recorded on the case as a bounce, ignored.
4. Machine-made mail (``loops``: auto-replies, lists, bulk, robots): on a case it threads onto, kept on the
   timeline for staff only (no reopening, no clock, no answer); otherwise quarantined with the reasons, never
   a new case (issue 15).
5. The case: our signed Message-ID in In-Reply-To, then References read right to left, then a case token
   in the subject. The sender must belong to that case's account (a member, or a contact of the account);
   staff may write to a case of an account they work on. A reference to a case of another account
   quarantines the message: it never reaches that case.
   Staff-only notifications (our copy for staff, ``ids.STAFF_COPY``) never lead into the customer's
   conversation (issue 12): staff mail is a public reply only in the customer's thread (one of our customer
   copies referenced, none of our staff copies); otherwise it is an internal note by that staff member. A
   sender who is not staff answering a staff copy is quarantined.
6. No case: a sender known to exactly one account opens a case there (critical when written to the
   critical address); unknown or ambiguous senders are quarantined and never answered (no backscatter).
A reply to a case resolved less than ``CASE_REOPEN_DAYS`` ago reopens it; later, it opens a new case that
names the old one. Machine-made messages never get an automatic acknowledgement.

Processing first claims the message (a conditional UPDATE, committed before routing): a second delivery at
the same moment does nothing, and the attempt counts even if the process dies. A duplicate delivery of a
message never processed to the end processes it; ``recovery`` (beat) processes what stays ``received``.
"""

import hashlib
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.access import can, reach_once
from accounts.models import Account, User
from cases.models import Case, InboundMessage
from cases.services.common import holding
from core.text import Msg, _, join, to_json

from . import ids, lookup, loops, routes, verify
from .outcomes import Outcome, bounce, deliver, machine_note, note
from .parse import Parsed, parse

log = logging.getLogger(__name__)


def fingerprint(raw: bytes) -> str:
    """Same Message-ID and same content = same message, whatever the relays added on top."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition(b"\n\n")
    parsed_id = ids.message_id_of_header_block(head)
    if not parsed_id:  # without a Message-ID only the whole message says it is the same one
        return hashlib.sha256(b"raw\0" + raw).hexdigest()
    return hashlib.sha256(parsed_id.encode() + b"\0" + (body if sep else raw)).hexdigest()


def store(
    raw: bytes,
    *,
    source: str = InboundMessage.Source.PIPE,
    envelope_sender: str | None = None,
    envelope_recipient: str = "",
    now=None,
) -> tuple[InboundMessage, bool]:
    """Keep the bytes before anything else. Returns (message, is_new); a duplicate returns the first copy.
    A new message is stored claimed by this delivery, its first attempt (``after_store`` processes it next):
    the INSERT is the claim, committed before routing, so no claim UPDATE and no read of the row follow
    (issue 18). Should this process die, the claim runs out after ``CLAIM_FOR`` as any other."""
    fp = fingerprint(raw)
    try:  # the INSERT first: a new message (the usual case) costs one statement, a duplicate one more
        with transaction.atomic():
            message = InboundMessage.objects.create(
                raw=raw,
                size=len(raw),
                fingerprint=fp,
                source=source,
                envelope_sender=envelope_sender,
                envelope_recipient=(envelope_recipient or "")[:320],
                claimed_at=now or timezone.now(),
                attempts=1,
            )
    except IntegrityError:
        return InboundMessage.objects.defer("raw").get(fingerprint=fp), False
    return message, True


UNFINISHED = (InboundMessage.Status.RECEIVED, InboundMessage.Status.FAILED)
FAILED = _(
    "Processing failed at attempt %(attempts)s; the error is below. A new delivery of the same message "
    "processes it again; or process it again here once the cause is fixed."
)


def receive(raw: bytes, *, now=None, **envelope) -> Outcome:
    """Store, then process."""
    now = now or timezone.now()
    message, is_new = store(raw, now=now, **envelope)
    return after_store(message, is_new=is_new, now=now, raw=raw)


def after_store(message: InboundMessage, *, is_new: bool, now=None, raw: bytes | None = None) -> Outcome:
    """A duplicate delivery does nothing the second time, unless the first copy was never processed to the end
    (the process died after storing it, or processing failed): then this delivery processes it. ``raw``: the
    bytes of this delivery, used as they are when they are the ones just stored (not read back); a duplicate's
    may differ in the headers relays added, so the first copy's stored bytes are read. A new message was
    stored claimed (``store``): it is routed as it is in memory, once its row is locked while still ours."""
    if is_new:
        return process(message.pk, raw=raw, claimed=message)
    if message.status in UNFINISHED:
        return process(message.pk, now=now)
    number = message.case.number if message.case_id else None
    return Outcome("ignored", number, _("duplicate: this message was received before"))


def _claimable(forced: bool) -> list[str]:
    S = InboundMessage.Status
    return [S.RECEIVED, S.FAILED, S.QUARANTINED, *([S.IGNORED] if forced else [])]


def _claim(message_id: int, now, *, forced: bool) -> bool:
    """Take the message with a conditional UPDATE, committed before routing (outside a caller's transaction):
    a second delivery at the same moment finds it taken, and the attempt counts even if this process dies."""
    return bool(
        InboundMessage.objects.filter(pk=message_id, status__in=_claimable(forced))
        .unclaimed(now)
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )


def _as_it_stands(message: InboundMessage, *, forced: bool) -> Outcome:
    number = message.case.number if message.case_id else None
    if message.status in _claimable(forced):
        return Outcome("ignored", number, _("being processed: another delivery or worker has it right now"))
    return Outcome(message.result, number, message.reason)  # done already: a double click, a replay


def process(
    message_id: int,
    *,
    account: Account | None = None,
    case: Case | None = None,
    actor=None,
    released: bool = False,
    now=None,
    raw: bytes | None = None,
    claimed: InboundMessage | None = None,
) -> Outcome:
    """Route one stored message, once. Staff may force the account (and case) of a quarantined message, or
    release it (``released``: routed as its sender although the sender is not verified). ``raw``: its bytes
    when the caller holds them (read from the database otherwise). ``claimed``: the message as ``store`` just
    wrote it, claimed already (no claim UPDATE; no read of the row while it is still ours)."""
    forced = account is not None
    if claimed is not None:
        now = claimed.claimed_at
    else:
        now = now or timezone.now()
        if not _claim(message_id, now, forced=forced):
            return _as_it_stands(InboundMessage.objects.defer("raw").get(pk=message_id), forced=forced)
    with transaction.atomic():
        message = _locked(message_id, now, claimed)
        if message.status not in _claimable(forced):
            return _as_it_stands(message, forced=forced)
        try:
            with transaction.atomic(), reach_once():  # the sender's access is asked up to three times
                outcome = _route(
                    message, raw=raw, forced_account=account, forced_case=case, actor=actor, released=released
                )
        except SoftTimeLimitExceeded:
            raise  # the task is out of time: the claim runs out and the beat processes the message again
        except Exception as exc:  # noqa: BLE001 - one bad message never stops the others; it stays replayable
            log.exception("inbound message %s failed", message.pk)
            message.status, message.result, message.claimed_at = InboundMessage.Status.FAILED, "failed", None
            message.error = f"{type(exc).__name__}: {exc}"[:4000]
            message.attention = to_json(FAILED % {"attempts": message.attempts})
            message.save(update_fields=["status", "result", "error", "claimed_at", "attention", *PARSED_FIELDS])
            return Outcome("failed", None, message.error)
        message.status = {
            "created": InboundMessage.Status.PROCESSED,
            "appended": InboundMessage.Status.PROCESSED,
            "ignored": InboundMessage.Status.IGNORED,
        }.get(outcome.result, InboundMessage.Status.QUARANTINED)
        message.result, message.reason, message.error = outcome.result, outcome.reason, ""
        message.processed_at, message.claimed_at, message.attention = now, None, {}
        message.save(update_fields=ROUTED_FIELDS)
        return outcome


def _locked(message_id: int, now, claimed: InboundMessage | None) -> InboundMessage:
    """The message under its row lock, which serialises this run with one whose claim was thought dead and
    taken over: one of them routes. The copy in memory (``claimed``, just stored) while the row is still
    claimed at ``now`` by this run, else the row as it stands."""
    if claimed is not None and _still_ours(message_id, now):
        return claimed
    return InboundMessage.objects.select_for_update().defer("raw").get(pk=message_id)


_OURS = "SELECT 1 FROM {table} WHERE {id} = %s AND {claimed_at} = %s"


def _still_ours(message_id: int, now) -> bool:
    """Lock the row if it is still claimed at ``now``. Written out: the ORM's query building took more CPU
    than the statement itself (0.4 -> 0.16 ms per message; issue 18)."""
    names = {"table": InboundMessage._meta.db_table, "id": "id", "claimed_at": "claimed_at"}
    sql = _OURS.format(**{key: connection.ops.quote_name(name) for key, name in names.items()})
    if connection.features.has_select_for_update:
        sql += " " + connection.ops.for_update_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [message_id, connection.ops.adapt_datetimefield_value(now)])
        return cursor.fetchone() is not None


PARSED_FIELDS = ["account", "message_id", "subject", "sender", "verified_how", "verified_by"]
ROUTED_FIELDS = [
    "status",
    "result",
    "reason",
    "error",
    "processed_at",
    "claimed_at",
    "attention",
    "case",
    "event",
    *PARSED_FIELDS,
]


def _quarantine(message: InboundMessage, reason: Msg, **args) -> Outcome:
    """Waits for a person; ``reason`` (with its ``args``) says why, in the reader's language."""
    return Outcome("quarantined", None, reason % args if args else reason)


def _verdict(message: InboundMessage, parsed: Parsed, *, actor, released: bool) -> verify.Verdict:
    """How the single sender was verified; staff releasing (or assigning) unverified mail take it on them."""
    verdict = verify.verify(parsed, parsed.sender) if parsed.sender else verify.Verdict("", "")
    if not verdict.believed and (released or actor is not None):
        name = actor.full_name if actor is not None else "?"
        verdict = verify.Verdict(verify.RELEASED, verify.RELEASED_BY % {"name": name})
    message.verified_how, message.verified_by = verdict.how, verdict.text
    return verdict


def _route(
    message: InboundMessage,
    *,
    raw: bytes | None,
    forced_account=None,
    forced_case=None,
    actor=None,
    released: bool = False,
) -> Outcome:
    if raw is None:
        raw = bytes(InboundMessage.objects.values_list("raw", flat=True).get(pk=message.pk))
    if len(raw) > settings.INBOUND_MAX_BYTES and forced_account is None:
        size, limit = f"{len(raw):,}", f"{settings.INBOUND_MAX_BYTES:,}"
        return _quarantine(message, _("too large: %(size)s bytes (limit %(limit)s)"), size=size, limit=limit)
    parsed = parse(raw)
    message.message_id, message.subject = parsed.message_id[:300], parsed.subject[:500]
    message.sender = (parsed.sender or ", ".join(parsed.senders))[:320]
    if any(d.startswith("unparseable") for d in parsed.defects):
        return _quarantine(message, _("the message could not be parsed"))
    if forced_account is None and (handled := _handed_over(message, parsed)) is not None:
        return handled
    verdict = _verdict(message, parsed, actor=actor, released=released)
    if forced_account is not None:
        return _forced(message, parsed, forced_account, forced_case, actor=actor)
    if parsed.message_id and ids.is_ours(parsed.message_id):
        return Outcome("ignored", None, _("our own notification came back (loop)"))
    automatic = loops.automatic_reasons(parsed, message.envelope_sender)
    if parsed.is_report:
        return bounce(message, parsed)
    if not parsed.senders:
        return _quarantine(message, _("no From address"))
    if len(parsed.senders) > 1:
        return _quarantine(message, _("several From addresses: %(senders)s"), senders=", ".join(parsed.senders[:5]))
    sender = parsed.sender
    if not verdict.believed:  # MISSION: NC-1 — a forged From never writes to a case, opens one or pages anyone
        unverified = _("the From address %(sender)s is not verified (DMARC/DKIM/SPF did not pass)")
        return _quarantine(message, unverified, sender=sender)
    user = User.objects.active_by_email(sender)
    case, audience = lookup.referenced_case(parsed)
    if case is not None:
        with holding(case):  # locked as it was found: the services change it without reading it again
            return _to_case(
                message, parsed, case, audience, sender=sender, user=user, verdict=verdict, automatic=automatic
            )
    return _unthreaded(message, parsed, sender=sender, user=user, automatic=automatic, released=released)


def _handed_over(message: InboundMessage, parsed: Parsed) -> Outcome | None:
    """Mail to an address another app owns (a DMARC report address, issue 19) goes to that app, never to a
    case; the stored message says where it went."""
    recipients = [r for r in [message.envelope_recipient, *parsed.recipients] if r]
    handled = routes.hand_over(recipients, parsed.attachments)
    if handled is None:
        return None
    message.account = handled.account
    if not handled.kept:
        return _quarantine(message, handled.reason)
    return Outcome("ignored", None, handled.reason)


def _to_case(message, parsed: Parsed, case: Case, audience, *, sender, user, verdict, automatic) -> Outcome:
    """A message that names one of our cases: kept with that case's account, written where its sender may."""
    # Kept with the account it is about, so only that account's staff (and agents) can read it.
    message.account = case.account
    staff = user is not None and user.is_staff
    if audience == ids.STAFF_COPY and not staff:
        staff_only = _("answers an email about %(number)s that went to staff only")
        return _quarantine(message, staff_only, number=case.number)
    if not lookup.may_write_to(case, sender, user):
        return _quarantine(message, _("refers to case %(number)s, which is not the sender's"), number=case.number)
    if automatic:  # RFC 3834: kept for staff; never reopens, never restarts a clock, never answered
        return machine_note(message, parsed, case, automatic)
    if staff and (audience != ids.CUSTOMER_COPY or verdict.how == verify.RELEASED):
        # MISSION: NC-2 — a response is what staff write to the customer; outside the customer's thread
        # (a staff-only notification, only the thread root or a subject token) it is an internal note, and
        # so is mail in a staff member's name that nobody verified (released from quarantine).
        return note(message, parsed, case, user)
    return deliver(message, parsed, case.account, case, user=user, automatic=automatic)


def _unthreaded(message, parsed: Parsed, *, sender, user, automatic, released) -> Outcome:
    """A message that names no case: a new case for the one account its sender belongs to, or the quarantine."""
    if automatic and not released:  # issue 15: a machine never opens a case; a person decides in the quarantine
        if loops.is_auto_reply(parsed):
            reply = _("automatic reply (out of office or vacation): %(reasons)s") % {"reasons": join(automatic)}
            return _quarantine(message, reply)
        machine = _("machine-made message that answers no case: %(reasons)s")
        return _quarantine(message, machine, reasons=join(automatic))
    if user is not None and user.is_staff:
        return _quarantine(message, _("mail from staff without a case reference"))
    accounts = lookup.accounts_of(sender, user, parsed, message)
    if len(accounts) == 1:
        message.account = accounts[0]
        return deliver(message, parsed, accounts[0], None, user=user, automatic=automatic)
    if not accounts:
        return _quarantine(message, _("unknown sender %(sender)s"), sender=sender)
    names = ", ".join(a.name for a in accounts)[:1500]
    return _quarantine(message, _("%(sender)s belongs to several accounts: %(names)s"), sender=sender, names=names)


def _forced(message: InboundMessage, parsed: Parsed, account: Account, case: Case | None, *, actor) -> Outcome:
    """Staff chose the account (and case). Mail from staff still never becomes public: it is a note by its
    sender, on a case of an account they work on."""
    case = case.destination() if case is not None else None  # issue 15: a merged case's mail goes where it went
    user = User.objects.active_by_email(parsed.sender or "")
    if user is None or not user.is_staff:
        return deliver(message, parsed, account, case, actor=actor, automatic=[_("assigned by staff")])
    if case is None or not can(user, "case.work", account):
        choose = _("mail from staff: choose a case of an account %(email)s works on")
        return _quarantine(message, choose, email=user.email)
    return note(message, parsed, case, user)
